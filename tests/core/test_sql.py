"""The set-based write helpers behind the batch actions."""

import pytest
from django.db import transaction
from django.utils import timezone

from liuzhuan.core import sql
from liuzhuan.core.numbers import next_values
from liuzhuan.members.models import Notification

from ..conftest import is_postgres


def test_insert_rows_returns_ids_in_order_across_chunks(world):
    n = 1234  # more than one multi-row statement
    with transaction.atomic():
        ids = sql.insert_rows(Notification, ["organisation_id", "title", "body", "kind", "object_type", "object_id", "requires_ack", "created_at"],
                              [(world.alice_org.pk, f"t{i}", "", "", "", "", i % 2 == 0, timezone.now())
                               for i in range(n)])
    assert len(ids) == n and ids == sorted(ids)
    titles = dict(Notification.objects.filter(pk__in=ids).values_list("pk", "title"))
    assert [titles[i] for i in ids] == [f"t{i}" for i in range(n)]
    assert Notification.objects.filter(pk__in=ids, requires_ack=True).count() == n // 2


def test_insert_and_update_objects(world):
    notes = [Notification(organisation=world.alice_org, title=f"a{i}") for i in range(3)]
    with transaction.atomic():
        sql.insert_objects(notes)
        assert all(n.pk and not n._state.adding for n in notes)
        for n in notes:
            n.title = n.title.upper()
        sql.update_objects(notes, ["title"])
    assert list(Notification.objects.filter(pk__in=[n.pk for n in notes]).order_by("pk").values_list("title", flat=True)) == ["A0", "A1", "A2"]


@pytest.mark.django_db(transaction=True)
def test_writes_outside_a_transaction_are_refused(world):
    with pytest.raises(RuntimeError):
        sql.insert_rows(Notification, ["organisation_id", "title"], [(world.alice_org.pk, "x")])
    with pytest.raises(RuntimeError):
        sql.update_rows(Notification, ["title"], [("x", 1)])
    assert not Notification.objects.exists()


def test_sequence_blocks_are_consecutive_and_disjoint(db):
    with transaction.atomic():
        first = next_values("T2026", 3)
        second = next_values("T2026", 2)
        single = next_values("T2026", 1)
    assert list(first) == [1, 2, 3] and list(second) == [4, 5] and list(single) == [6]
    with pytest.raises(ValueError):
        next_values("T2026", 0)


def test_an_old_sqlite_library_is_refused_at_start():
    from liuzhuan.core.checks import sqlite_returning

    sqlite = ["django.db.backends.sqlite3"]
    assert [e.id for e in sqlite_returning(sqlite_version=(3, 34, 1), engines=sqlite)] == ["liuzhuan.E001"]
    assert sqlite_returning(sqlite_version=(3, 35, 0), engines=sqlite) == []
    assert sqlite_returning(sqlite_version=(3, 7, 0), engines=["django.db.backends.postgresql"]) == []
    assert sqlite_returning() == []  # this machine's library


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_load_gives_the_instances_the_orm_gives(world):
    """Same field values (aware datetimes, booleans, nulls), saved state, related objects on demand."""
    ack = timezone.now()
    with transaction.atomic():
        Notification.objects.create(organisation=world.alice_org, title="甲", requires_ack=True, acknowledged_at=ack, acknowledged_by=world.alice)
        Notification.objects.create(organisation=world.bob_org, title="乙")
        loaded = sql.load(Notification, f"SELECT {sql.columns(Notification)} FROM members_notification ORDER BY id")
    orm = list(Notification.objects.order_by("id"))
    assert [_fields(n) for n in loaded] == [_fields(n) for n in orm]
    assert loaded[0].acknowledged_at == ack and loaded[0].requires_ack is True and loaded[1].acknowledged_by_id is None
    assert not loaded[0]._state.adding and loaded[0]._state.db == "default"
    assert loaded[0].organisation == world.alice_org  # the foreign key loads on first use
    loaded[1].title = "丙"
    loaded[1].save(update_fields=["title"])  # a loaded instance saves as an update
    assert Notification.objects.get(pk=loaded[1].pk).title == "丙" and Notification.objects.count() == 2


def test_build_matches_the_model_constructor(world):
    built = sql.build(Notification, organisation=world.alice_org, title="甲", acknowledged_by_id=None)
    made = Notification(organisation=world.alice_org, title="甲")
    assert {k: v for k, v in _fields(built).items() if k != "created_at"} == {k: v for k, v in _fields(made).items() if k != "created_at"}
    assert built._state.adding and built.pk is None and built.kind == "" and built.requires_ack is False
    assert built.organisation is world.alice_org  # given instance is cached, not reloaded
    with transaction.atomic():
        sql.insert_objects([built])
    assert Notification.objects.get(pk=built.pk).title == "甲"


def test_load_and_build_refuse_a_model_that_listens_to_init_signals(world):
    from django.db.models.signals import post_init

    from liuzhuan.members.models import Organisation

    def receiver(**kwargs):
        pass

    sql._checked.discard(Organisation)
    post_init.connect(receiver, sender=Organisation)
    try:
        with pytest.raises(RuntimeError, match="post_init"):
            sql.build(Organisation, name="x")
    finally:
        post_init.disconnect(receiver, sender=Organisation)


@pytest.mark.skipif(is_postgres(), reason="SQLite-only; runs in the SQLite pass of ./test")
def test_the_memoised_placeholder_rewrite_is_djangos(db):
    from django.db import connection
    from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX

    from liuzhuan.core.sqlite.base import SQLiteCursorWrapper, _qmark

    queries = ["SELECT %s, %s", "SELECT '%%' || %s", "SELECT 1", "INSERT INTO t (a) VALUES (%s), (%s) RETURNING id"]
    for query in queries * 2:  # the second time from the cache
        assert _qmark(query) == FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")
    with connection.cursor() as cur:
        assert isinstance(cur.cursor, SQLiteCursorWrapper)
        for _ in range(2):
            cur.execute("SELECT '%%' || %s, %s", ["x", 2])
            assert cur.fetchone() == ("%x", 2)
        cur.execute("SELECT %(a)s || %(b)s", {"a": "甲", "b": "乙"})  # named parameters are rewritten as before
        assert cur.fetchone() == ("甲乙",)


def test_write_blob_stores_large_bytes_exactly(world):
    from liuzhuan.setoff.models import SetoffRun

    run = SetoffRun.objects.create(number="DX-TEST-1", trigger="manual")
    data = bytes(range(256)) * 40_000 + b"\x00\xff"  # 10 MB, every byte value, NULs included
    with transaction.atomic():
        sql.write_blob(SetoffRun, run.pk, "snapshot", data)
    assert bytes(SetoffRun.objects.get(pk=run.pk).snapshot) == data


def test_notify_all_loads_a_large_batch_in_bulk_with_every_field(world, django_assert_max_num_queries):
    from liuzhuan.members.actions import notice, notify_all

    n = 1500  # over the bulk-load threshold
    with transaction.atomic(), django_assert_max_num_queries(2):  # COPY / one prepared statement, not 1,500 INSERTs
        notify_all([notice(world.alice_org.pk, f"n{i}", "正文", kind="k", requires_ack=i == 7) for i in range(n)])
    rows = Notification.objects.filter(organisation=world.alice_org, kind="k")
    assert rows.count() == n and set(rows.values_list("body", flat=True)) == {"正文"}
    assert list(rows.filter(requires_ack=True).values_list("title", flat=True)) == ["n7"]
    assert rows.filter(created_at__isnull=True).count() == 0
