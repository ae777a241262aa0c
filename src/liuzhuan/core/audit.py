"""Appending to and verifying the audit hash chain.

``hash = sha256(canonical_json(event fields + prev_hash))``. Canonical JSON: keys sorted, no
spaces, UTF-8, timestamps as UTC ISO-8601 with microseconds. Appends lock the ``AuditHead`` row,
so concurrent actions queue for the tip for the instant at the end of their transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from .models import AuditEvent, AuditHead
from .sql import JsonText, execute, fetch, for_update, insert_rows

GENESIS = "0" * 64


#: one encoder for every call: ``json.dumps`` with non-default options builds a new one each time
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def canonical_json(data: dict) -> str:
    return _CANONICAL.encode(data)


def _utc_iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def event_payload(event: AuditEvent) -> dict:
    return {
        "seq": event.seq,
        "at": _utc_iso(event.at),
        "actor_user_id": event.actor_user_id,
        "actor_username": event.actor_username,
        "actor_org_id": event.actor_org_id,
        "actor_org_name": event.actor_org_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "summary": event.summary,
        "prev_hash": event.prev_hash,
    }


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical_json(event_payload(event)).encode("utf-8")).hexdigest()


def _jsonable(summary: dict) -> dict:
    # Round-trip so what we hash is exactly what the JSON column will give back. Floats become
    # their text: jsonb keeps numbers as numeric, so 1e16 would come back as 10000000000000000.
    return json.loads(canonical_json(summary), parse_float=str)


_PLAIN = (str, int, bool, type(None))


def _summary_text(summary: dict) -> str:
    """The canonical text of the summary as the JSON column will give it back.

    A flat dict of str keys and str/int/bool/None values (every hot-path summary) already is in
    that form, so it is serialised once; anything else is round-tripped first.
    """
    if all(type(k) is str and type(v) in _PLAIN for k, v in summary.items()):
        return canonical_json(summary)
    return canonical_json(_jsonable(summary))


_str = json.encoder.encode_basestring  # the string encoder canonical_json uses (ensure_ascii=False)


def _payload_json(actor_json: str, seq: int, action: str, object_type: str, object_id: str, prev_hash: str, summary_json: str) -> str:
    """``canonical_json(event_payload(event))`` written out for the append path, keys in sorted order.

    ``actor_json`` is the canonical text of the actor fields and ``at`` without braces (they sort
    between "action" and "object_id"); ``summary_json`` is the summary's canonical text.
    ``tests/core/test_audit.py`` holds this to ``canonical_json`` for arbitrary values.
    """
    return (f'{{"action":{_str(action)},{actor_json},"object_id":{_str(object_id)},"object_type":{_str(object_type)},'
            f'"prev_hash":{_str(prev_hash)},"seq":{seq},"summary":{summary_json}}}')


def record(actor, action: str, obj=None, *, summary: dict | None = None, object_type: str = "", object_id="") -> int:
    """Append one event. Must run inside the action's ``transaction.atomic()``."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return record_many(actor, [(action, object_type, object_id, summary)])


def entry(action: str, obj, summary: dict | None = None) -> tuple[str, str, str, dict | None]:
    """One ``record_many`` entry about a saved model instance."""
    return action, obj._meta.label_lower, str(obj.pk), summary


#: the chain's tip; its row lock (PostgreSQL) or the writer lock (SQLite) orders every append
_HEAD_SQL = "SELECT last_seq, last_hash FROM core_audithead WHERE id = 1"
_EVENT_FIELDS = ("seq", "at", "actor_user_id", "actor_username", "actor_org_id", "actor_org_name", "action",
                 "object_type", "object_id", "summary", "prev_hash")


def record_many(actor, entries: list[tuple[str, str, str, dict | None]]) -> int:
    """Append several events by one actor in one step: one lock of the head, one insert, one update.

    ``entries`` are ``(action, object_type, object_id, summary)`` (see ``entry``). Call it last in
    the action's transaction, after every other write: the head row is then locked only briefly,
    and no lock is taken after it (inserting a row that references an organisation share-locks
    that organisation on PostgreSQL; an action that locked the organisation first and then wants
    the head would otherwise deadlock with it).
    Returns the last sequence number.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must run inside the action's transaction")
    if not entries:
        return 0
    user = actor if getattr(actor, "pk", None) and hasattr(actor, "organisation_id") else None
    org = getattr(user, "organisation", None) if user else None
    rows = fetch(_HEAD_SQL + for_update())
    if not rows:  # the migration seeds it; this covers a database created without migrations
        AuditHead.objects.bulk_create([AuditHead(id=1)], ignore_conflicts=True)
        rows = fetch(_HEAD_SQL + for_update())
    (last_seq, last_hash), = rows
    at = timezone.now()
    who = {
        "at": _utc_iso(at),
        "actor_user_id": user.pk if user else None,
        "actor_username": user.username if user else (str(actor) if actor else "system"),
        "actor_org_id": org.pk if org else None,
        "actor_org_name": org.name if org else "",
    }
    seq, prev = last_seq, last_hash
    actor_json = canonical_json(who)[1:-1]  # the same for every event of the call
    events = []
    for action, object_type, object_id, summary in entries:
        seq += 1
        text = _summary_text(summary or {})
        digest = hashlib.sha256(_payload_json(actor_json, seq, action, object_type, str(object_id), prev, text).encode()).hexdigest()
        events.append((seq, at, who["actor_user_id"], who["actor_username"], who["actor_org_id"], who["actor_org_name"],
                     action, object_type, str(object_id), JsonText(text), prev, digest))
        prev = digest
    insert_rows(AuditEvent, [*_EVENT_FIELDS, "hash"], events)
    execute("UPDATE core_audithead SET last_seq = %s, last_hash = %s WHERE id = 1", [seq, prev])
    return seq


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"审计事件 #{self.seq}：{self.reason}"


def iter_chain_problems(batch: int = 2000) -> Iterator[ChainProblem]:
    prev = GENESIS
    expected_seq = 1
    last_seen = 0
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=last_seen).order_by("seq")[:batch])
        if not rows:
            break
        for event in rows:
            if event.seq != expected_seq:
                yield ChainProblem(expected_seq, f"序号缺失（下一条为 #{event.seq}）")
                return
            if event.prev_hash != prev:
                yield ChainProblem(event.seq, "prev_hash 与上一条事件的哈希不一致")
                return
            if compute_hash(event) != event.hash:
                yield ChainProblem(event.seq, "内容与哈希不符（记录被篡改）")
                return
            prev = event.hash
            expected_seq += 1
            last_seen = event.seq
    head = AuditHead.objects.filter(id=1).first()
    if head and (head.last_seq != last_seen or head.last_hash != prev):
        yield ChainProblem(last_seen + 1, "链尾与记录的链头不一致（有事件被删除或截断）")


def verify_chain() -> ChainProblem | None:
    with transaction.atomic():
        return next(iter_chain_problems(), None)
