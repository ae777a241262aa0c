"""Fee statements: whose statement a user may see, the charges over dates with their settlement
status (paid / unpaid / arrears / reversed), and the totals by status."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import NotFound
from liuzhuan.members.models import User
from liuzhuan.members.queries import sees_all

from . import rules
from .models import FeeCharge

STATUSES = tuple(rules.STATUS_LABELS)


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


def _status_q(status: str, today: dt.date) -> Q:
    """Rows of one settlement status, as ``rules.settlement_status`` decides it."""
    open_charge = Q(paid_on__isnull=True, reverses__isnull=True, has_reversal=False)
    last_in_time = today - dt.timedelta(days=rules.DUE_DAYS)  # charged on it: due today, not yet in arrears
    return {
        "paid": Q(paid_on__isnull=False),
        "reversed": Q(paid_on__isnull=True) & (Q(reverses__isnull=False) | Q(has_reversal=True)),
        "unpaid": open_charge & Q(charged_on__gte=last_in_time),
        "arrears": open_charge & Q(charged_on__lt=last_in_time),
    }[status]


def fee_statement(org_id: int | None, start=None, end=None, status: str | None = None,
                  today: dt.date | None = None) -> QuerySet[FeeCharge]:
    """The charges (and reversals) of one organisation or all, each with ``has_reversal``; with
    ``status``, only those in that settlement status on ``today``."""
    qs = FeeCharge.objects.select_related("org", "certificate", "rule", "settled_by").annotate(
        has_reversal=Exists(FeeCharge.objects.filter(reverses=OuterRef("pk"))))
    if org_id:
        qs = qs.filter(org_id=org_id)
    if start:
        qs = qs.filter(charged_on__gte=start)
    if end:
        qs = qs.filter(charged_on__lte=end)
    if status:
        qs = qs.filter(_status_q(status, today or today_china()))
    return qs.order_by("charged_on", "id")


def charge_status(charge: FeeCharge, today: dt.date) -> str:
    """The settlement status of one row of ``fee_statement``."""
    return rules.settlement_status(paid=charge.paid_on is not None, reversed_=charge.has_reversal,
                                   is_reversal=charge.reverses_id is not None, charged_on=charge.charged_on, today=today)


def fee_totals(charges: QuerySet[FeeCharge], today: dt.date) -> dict[str, int]:
    """Net total, and the fen paid, unpaid (not yet due), in arrears and reversed of a statement."""
    sums = {name: Sum("amount_fen", filter=_status_q(name, today), default=0) for name in STATUSES}
    out = charges.order_by().aggregate(total=Sum("amount_fen", default=0), **sums)
    out["outstanding"] = out["unpaid"] + out["arrears"]
    return out
