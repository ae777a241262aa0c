"""Read-only helpers shared by pages, API and reports."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from liuzhuan.core.errors import NotFound
from liuzhuan.core.roles import OVERSIGHT_ROLES, Role

from .models import LoginFailure, Notification, Organisation, OrgStatus, OrgType, User


def sees_all(user: User) -> bool:
    org = user.organisation
    return bool(org and org.has_any_role(OVERSIGHT_ROLES))


def visible_organisations(user: User) -> QuerySet[Organisation]:
    qs = Organisation.objects.prefetch_related("roles").order_by("id")
    if sees_all(user):
        return qs
    return qs.filter(pk=user.organisation_id)


def get_visible_organisation(user: User, org_id: int) -> Organisation:
    org = visible_organisations(user).filter(pk=org_id).first()
    if org is None:
        raise NotFound("机构不存在")
    return org


def visible_users(user: User, org: Organisation) -> QuerySet[User]:
    get_visible_organisation(user, org.pk)
    return User.objects.filter(organisation=org).order_by("id")


def locked_usernames(usernames: list[str]) -> set[str]:
    """Which of ``usernames`` have logins locked from some client address just now."""
    return set(LoginFailure.objects.filter(username__in=usernames, locked_until__gt=timezone.now())
               .values_list("username", flat=True))


def inbox(user: User, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(organisation_id=user.organisation_id)
    if unread_only:
        qs = qs.filter(acknowledged_at__isnull=True)
    return qs


def active_counterparties(exclude_org_id: int | None = None) -> QuerySet[Organisation]:
    """Active members, by name: whom a member can deal with (claims circulate between members only)."""
    qs = Organisation.objects.filter(status="active", roles__role=Role.MEMBER).distinct().order_by("name")
    if exclude_org_id:
        qs = qs.exclude(pk=exclude_org_id)
    return qs




#: roles a picker may suggest from (members:org_lookup ``role``)
LOOKUP_ROLES = (Role.MEMBER, Role.BANK, Role.OPERATOR)


def lookup_organisations(text: str, role: str = Role.MEMBER, limit: int = 20) -> list[dict]:
    """Active organisations of ``role`` whose name contains ``text`` or whose legal ID starts with it,
    for a picker's suggestions: ``value`` is what the picker submits (the 统一社会信用代码; a natural
    person's ID number is never offered, so a person is suggested by name)."""
    text = text.strip()
    if len(text) < 2 or role not in LOOKUP_ROLES:
        return []
    by_code = Q(legal_id__startswith=text.upper()) & ~Q(org_type=OrgType.PERSON)
    qs = (Organisation.objects.filter(status=OrgStatus.ACTIVE, roles__role=role).filter(Q(name__icontains=text) | by_code)
          .distinct().order_by("name").values("name", "legal_id", "org_type")[:limit])
    return [{"value": o["name"] if o["org_type"] == OrgType.PERSON else o["legal_id"],
             "label": f"{o['name']}（自然人）" if o["org_type"] == OrgType.PERSON else o["name"]} for o in qs]
