"""What every action checks first: who is acting (a member; which party to a record), which
organisations may take part, and the limits on what was typed (amount ceiling, required text).

Objects the actor cannot see are 404; a visible object acted on by the wrong party or role is 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef

from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied
from liuzhuan.core.permissions import require_role, require_write_access
from liuzhuan.core.roles import Role
from liuzhuan.core.sql import keys
from liuzhuan.members.models import Organisation, OrganisationRole, OrgStatus, User
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


@dataclass(frozen=True)
class Party:
    """One party to a step that creates or moves a claim. ``chosen``: picked by id by the actor (a
    transferee, a pledgee): refused with one message for unknown, inactive and non-member, so ids
    reveal nothing; a party already on record (creditor, debtor, holder, transferor) is named."""

    org_id: int
    label: str
    field: str | None = None
    chosen: bool = False
    code: str | None = None  # the refusal code of a chosen party (default ``<field>_unavailable``)
    member: bool = True  # False only for the operator acting as purchase provider (受托收购): active suffices


def require_standing(what: str, *parties: Party) -> None:
    """会员资格 (seed 二(二)「完成会员注册…的主体」), re-checked at every step that creates or moves a
    claim: issuance approval, transfer offer and acceptance, pledge and its registration, sale to a
    purchase provider, offset and its cancellation. Each party must be an *active* organisation
    holding the member role at that moment — not merely when it first confirmed. One query."""
    for error in standing_errors(what, parties):
        if error is not None:
            raise error


def standing_errors(what: str, parties) -> list[DomainError | None]:
    """``require_standing`` for a batch: one refusal (or None) per party, in order, one query."""
    parties = list(parties)
    ids = keys(p.org_id for p in parties)  # an id no row can have is "not found", not a driver error
    rows = {pk: (name, status, member) for pk, name, status, member in Organisation.objects.filter(pk__in=ids).annotate(
        member=Exists(OrganisationRole.objects.filter(organisation=OuterRef("pk"), role=Role.MEMBER))).values_list(
        "pk", "name", "status", "member")}
    errors: list[DomainError | None] = []
    for p in parties:
        name, status, member = rows.get(p.org_id, ("", None, False))
        if status == OrgStatus.ACTIVE and (member or not p.member):
            errors.append(None)
        elif p.chosen or status is None:
            errors.append(DomainError(p.code or f"{p.field or 'party'}_unavailable", f"{p.label}不存在或不是正常状态的会员，不能{what}",
                                      field=p.field))
        elif status != OrgStatus.ACTIVE:
            errors.append(DomainError("party_not_in_standing", f"{p.label}“{name}”当前状态为“{OrgStatus(status).label}”，不能{what}",
                                      field=p.field))
        else:
            errors.append(DomainError("party_not_member", f"{p.label}“{name}”不是会员，不能{what}", field=p.field))
    return errors
