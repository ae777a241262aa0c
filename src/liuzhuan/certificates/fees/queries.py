"""Fee statements: whose statement a user may see, and the charges over dates."""

from __future__ import annotations

from django.db.models import QuerySet

from liuzhuan.core.errors import NotFound
from liuzhuan.members.models import User
from liuzhuan.members.queries import sees_all

from .models import FeeCharge


def fee_statement_org(user: User, requested: int | str | None) -> int | None:
    """Which organisation's fee statement ``user`` may see: oversight roles any (None = all),
    everyone else only their own — asking for another organisation's is a 404."""
    if isinstance(requested, str):
        requested = int(requested) if requested.isdigit() else None
    if sees_all(user):
        return requested
    if requested not in (None, user.organisation_id):
        raise NotFound("机构不存在")
    return user.organisation_id


def fee_statement(org_id: int | None, start=None, end=None) -> QuerySet[FeeCharge]:
    qs = FeeCharge.objects.select_related("org", "certificate", "rule")
    if org_id:
        qs = qs.filter(org_id=org_id)
    if start:
        qs = qs.filter(charged_on__gte=start)
    if end:
        qs = qs.filter(charged_on__lte=end)
    return qs.order_by("charged_on", "id")
