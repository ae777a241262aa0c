import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from liuzhuan.core import audit
from liuzhuan.core.models import AppendOnlyError, AuditEvent, AuditHead
from liuzhuan.members import actions

from ..conftest import is_postgres


def _events(world, n=3):
    for i in range(n):
        with transaction.atomic():
            audit.record(world.clerk, "test.action", world.alice_org, summary={"i": i, "名称": "甲"})


def test_chain_links_and_verifies(world):
    _events(world)
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == audit.GENESIS
    assert events[1].prev_hash == events[0].hash
    assert all(audit.compute_hash(e) == e.hash for e in events)
    assert events[0].actor_org_name == "测试运营机构"
    assert audit.verify_chain() is None
    head = AuditHead.objects.get(id=1)
    assert head.last_seq == 3 and head.last_hash == events[-1].hash


@pytest.mark.django_db(transaction=True)
def test_record_outside_transaction_refused(world):
    with pytest.raises(RuntimeError):
        audit.record(world.clerk, "test.action", world.alice_org)


def test_model_refuses_update_and_delete(world):
    _events(world, 1)
    event = AuditEvent.objects.get()
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_tampered_summary_is_detected_by_verify(world):
    _events(world, 3)
    with connection.cursor() as cur:
        if is_postgres():
            cur.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_update")
        cur.execute("UPDATE core_auditevent SET summary = %s WHERE seq = 2", ['{"i": 99}'])
        if is_postgres():
            cur.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_no_update")
    problem = audit.verify_chain()
    assert problem is not None and problem.seq == 2
    with pytest.raises(SystemExit) as exc:
        call_command("verify")
    assert exc.value.code == 1


def test_deleted_tail_is_detected(world):
    _events(world, 3)
    with connection.cursor() as cur:
        if is_postgres():
            cur.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_update")
        cur.execute("DELETE FROM core_auditevent WHERE seq = 3")
        if is_postgres():
            cur.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_no_update")
    problem = audit.verify_chain()
    assert problem is not None and "链头" in problem.reason


def test_verify_passes_on_clean_chain(world, capsys):
    actions.review_registration  # noqa: B018 - importing actions registers nothing; chain is empty
    _events(world, 2)
    call_command("verify")
    assert "校验通过" in capsys.readouterr().out


@pytest.mark.postgres
def test_postgres_trigger_rejects_update_and_delete(world):
    _events(world, 1)
    from django.db.utils import DatabaseError

    for sql in ("UPDATE core_auditevent SET action = 'x'", "DELETE FROM core_auditevent"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    assert AuditEvent.objects.get().action == "test.action"


@pytest.mark.parametrize("summary", [
    {"n": 1, "s": "甲", "ok": True, "none": None},  # flat: serialised once
    {"nested": {"b": 1, "a": [1, 2]}, "when": dt.date(2026, 1, 2)},  # round-tripped first
    {2: "int keys sort as text once stored", 10: "x"},
])
def test_record_many_hashes_what_the_column_gives_back(world, summary):
    with transaction.atomic():
        last = audit.record_many(world.clerk, [audit.entry("test.batch", world.alice_org, summary),
                                               audit.entry("test.batch", world.bob_org, {"k": "v"})])
    events = list(AuditEvent.objects.order_by("seq"))
    assert last == events[-1].seq == 2 and events[1].prev_hash == events[0].hash
    assert all(audit.compute_hash(e) == e.hash for e in events)  # recomputed from the stored row
    assert audit.verify_chain() is None
    assert events[0].object_id == str(world.alice_org.pk) and events[0].actor_username == world.clerk.username


def test_floats_in_a_summary_hash_what_both_databases_give_back(world):
    """jsonb keeps numbers as numeric (1e16 comes back as an integer): floats are kept as text."""
    with transaction.atomic():
        audit.record(world.clerk, "test.float", world.alice_org, summary={"f": 1e16, "g": -0.0, "n": {"x": 2.5e20}})
    event = AuditEvent.objects.get(action="test.float")
    assert event.summary == {"f": "1e+16", "g": "-0.0", "n": {"x": "2.5e+20"}}
    assert audit.compute_hash(event) == event.hash and audit.verify_chain() is None


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)


@given(action=_text, object_type=_text, object_id=_text, prev=_text, seq=st.integers(0, 2**63 - 1),
       user_id=st.none() | st.integers(1, 2**40), username=_text, org_id=st.none() | st.integers(1, 2**40), org_name=_text,
       summary=st.dictionaries(_text, st.none() | st.booleans() | st.integers() | _text, max_size=4))
def test_written_out_payload_is_the_canonical_json_of_the_event(action, object_type, object_id, prev, seq, user_id, username,
                                                                 org_id, org_name, summary):
    """The append path writes the hashed text out by hand; it must be byte for byte what
    ``compute_hash`` (and so ``verify``) serialises from the stored row."""
    at = dt.datetime(2026, 11, 22, 1, 2, 3, 456789, tzinfo=dt.UTC)
    who = {"at": audit._utc_iso(at), "actor_user_id": user_id, "actor_username": username, "actor_org_id": org_id, "actor_org_name": org_name}
    event = AuditEvent(seq=seq, at=at, actor_user_id=user_id, actor_username=username, actor_org_id=org_id, actor_org_name=org_name,
                       action=action, object_type=object_type, object_id=object_id, summary=summary, prev_hash=prev)
    written = audit._payload_json(audit.canonical_json(who)[1:-1], seq, action, object_type, object_id, prev, audit.canonical_json(summary))
    assert written == audit.canonical_json(audit.event_payload(event))
