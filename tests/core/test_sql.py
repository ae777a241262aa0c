"""The set-based write helpers behind the batch actions."""

import pytest
from django.db import transaction
from django.utils import timezone

from liuzhuan.core import sql
from liuzhuan.core.numbers import next_values
from liuzhuan.members.models import Notification


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
