"""What every action checks first: who is acting (a member; which party to a record), which
organisations may take part, and the limits on what was typed (amount ceiling, required text).

Objects the actor cannot see are 404; a visible object acted on by the wrong party or role is 403.
"""

from __future__ import annotations

from django.conf import settings

from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied
from liuzhuan.core.permissions import require_role, require_write_access
from liuzhuan.core.roles import Role
from liuzhuan.members.models import Organisation, OrgStatus, User
from liuzhuan.members.queries import active_counterparties, sees_all

#: the longest free text (a reason, a note) an action keeps
MAX_TEXT = 300


def ceiling() -> int:
    return settings.LIUZHUAN_AMOUNT_CEILING_FEN


def member_actor(actor: User) -> Organisation:
    """Certificates are held and moved by members (会员) only; the organisation must be active."""
    require_write_access(actor)
    require_role(actor, Role.MEMBER)
    return actor.organisation


def party_check(actor: User, parties: dict[str, int], allowed: tuple[str, ...], what: str, not_found: str) -> str:
    """Which party the actor is. Outsiders get 404; a visible object acted on by the wrong party, 403."""
    org_id = actor.organisation_id
    mine = [name for name, pk in parties.items() if pk == org_id]
    for name in allowed:
        if name in mine:
            return name
    if mine or sees_all(actor):
        labels = {"pledgor": "出质人", "pledgee": "质权人", "holder": "持有人", "debtor": "债务人", "provider": "收购服务提供方",
                  "entrusted_by": "委托方", "to_org": "受让方", "purchaser": "市场化收购主体", "owner": "资产权利人"}
        names = "或".join(labels.get(a, a) for a in allowed)
        raise PermissionDenied(f"只有{names}可以{what}", code="wrong_party")
    raise NotFound(not_found)


def active_org(org_id: int | None, field: str, label: str) -> Organisation:
    org = Organisation.objects.filter(pk=org_id, status=OrgStatus.ACTIVE).first() if org_id else None
    if org is None:  # one message for unknown and inactive: ids reveal nothing about other organisations
        raise DomainError(f"{field}_unavailable", f"{label}不存在或不是正常状态的机构，不能办理", field=field)
    return org


def member_org(org_id: int | None, field: str, label: str) -> Organisation:
    """An active member: claims circulate, and are pledged or bought, only between members (seed 一、三)."""
    org = active_counterparties().filter(pk=org_id).first() if org_id else None
    if org is None:  # one message for unknown, inactive and non-member: ids reveal nothing
        raise DomainError(f"{field}_unavailable", f"{label}不存在或不是正常状态的会员，不能办理", field=field)
    return org


def required_text(value: str | None, code: str, message: str, field: str, max_len: int = 100) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(code, message, field=field)
    if len(value) > max_len:
        raise DomainError(f"{field}_too_long", f"{message.removeprefix('请填写')}不能超过 {max_len} 个字", field=field)
    return value
