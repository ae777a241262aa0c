"""Inbox notifications to organisations, written in the caller's transaction."""

from __future__ import annotations

from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.errors import NotFound
from liuzhuan.core.permissions import require_active_user
from liuzhuan.core.roles import Role
from liuzhuan.core.sql import copy_rows, execute, insert_rows

from .models import Notification, Organisation, OrgStatus, User

# --- notifications ----------------------------------------------------------------------------


class Notice(NamedTuple):
    """An inbox notice not yet written; ``notify_all`` writes many in one statement."""

    organisation_id: int
    title: str
    body: str
    kind: str
    object_type: str
    object_id: str
    requires_ack: bool


def notice(org: Organisation | int, title: str, body: str = "", *, obj=None, kind: str = "", requires_ack: bool = False) -> Notice:
    return Notice(org if isinstance(org, int) else org.pk, title, body, kind, obj._meta.label_lower if obj is not None else "",
                  str(obj.pk) if obj is not None else "", requires_ack)


def notify(org: Organisation, title: str, body: str = "", *, obj=None, kind: str = "", requires_ack: bool = False) -> Notification:
    """Inbox notice, written in the caller's transaction (so it exists iff the action committed)."""
    return Notification.objects.create(**notice(org, title, body, obj=obj, kind=kind, requires_ack=requires_ack)._asdict())


def notify_all(notices: list[Notice]) -> None:
    """Write several notices at once, in the caller's transaction."""
    now = timezone.now()
    rows = [(*n, now) for n in notices]
    # lapsing a run's agreements tells tens of thousands of members at once: a bulk load then
    (copy_rows if len(rows) > 1000 else insert_rows)(Notification, [*Notice._fields, "created_at"], rows)


def notify_select(source_sql: str, params: list, body: str = "", *, obj=None, kind: str = "") -> int:
    """One notice per row of ``source_sql`` (columns ``organisation_id``, ``title``), composed and
    written by the database in the caller's transaction — a set-off run tells tens of thousands of
    members at once, and a Python object per notice cost more than the run's loop table. Returns
    how many were written."""
    if not connection.in_atomic_block:
        raise RuntimeError("notify_select() must run inside the action's transaction")
    shared = notice(0, "", body, obj=obj, kind=kind)
    now = Notification._meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    cols = ", ".join(connection.ops.quote_name(c) for c in ("organisation_id", "title", "body", "kind", "object_type",
                                                              "object_id", "requires_ack", "created_at"))
    table = connection.ops.quote_name(Notification._meta.db_table)
    # identifiers from model metadata; the source query is the caller's own, its values bound
    sql = (f"INSERT INTO {table} ({cols}) SELECT s.organisation_id, s.title, %s, %s, %s, %s, %s, %s "  # noqa: S608
           f"FROM ({source_sql}) s ORDER BY s.organisation_id")
    return execute(sql, [shared.body, shared.kind, shared.object_type, shared.object_id, False, now, *params])


def notify_role(role: Role, title: str, body: str = "", *, obj=None, kind: str = "") -> int:
    orgs = Organisation.objects.filter(roles__role=role, status=OrgStatus.ACTIVE).distinct().values_list("pk", flat=True)
    notices = [notice(org_id, title, body, obj=obj, kind=kind) for org_id in orgs]
    notify_all(notices)
    return len(notices)


def acknowledge(actor: User, notification_id: int) -> Notification:
    require_active_user(actor)
    with transaction.atomic():
        note = Notification.objects.select_for_update().filter(pk=notification_id, organisation_id=actor.organisation_id).first()
        if note is None:
            raise NotFound("通知不存在")
        if note.acknowledged_at is None:
            note.acknowledged_at = timezone.now()
            note.acknowledged_by = actor
            note.save(update_fields=["acknowledged_at", "acknowledged_by"])
            if note.requires_ack:
                audit.record(actor, "notice.acknowledge", note, summary={"title": note.title})
        return note
