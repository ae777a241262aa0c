"""Read-only questions about applications: the filed checklist, a five-year ban in force (第十七条),
the fee quote for an application, and who sees which applications."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from liuzhuan.core.errors import NotFound
from liuzhuan.core.roles import Role

from .. import inputs
from ..fund.queries import get_fund, lpr_table, sees_all
from ..models.application import Application, ChecklistVersion, Mode
from ..models.fund import Fund
from ..models.recovery import FraudFinding
from ..rates.common import BridgeError
from ..rates.lpr import LprTable
from ..rates.quote import Quote, quote


def latest_filed_checklist() -> ChecklistVersion | None:
    return ChecklistVersion.objects.filter(filed_at__isnull=False).order_by("-version").first()


def active_ban(org_id: int, on: dt.date) -> FraudFinding | None:
    """A fraud finding still banning the organisation on ``on`` (第十七条: 5 年内不再受理); the last
    day of the ban is included (``recovery/rules.py``)."""
    return FraudFinding.objects.filter(organisation_id=org_id, declared_on__lte=on, banned_until__gte=on).order_by("-banned_until").first()


def quote_for(app: Application, fund: Fund, draw: dt.date, mode: str, table: LprTable) -> Quote:
    repay = draw + dt.timedelta(days=app.usage_days - 1)
    return quote(
        principal_fen=app.amount_fen, draw=draw, repay=repay, mode=mode,
        daily_rate=fund.self_daily_rate if mode == Mode.SELF else None, basis=fund.day_basis,
        due_fen=app.original_due_fen, approved_fen=app.renewal_approval_fen,
        multiplier=fund.entrusted_multiplier if mode == Mode.ENTRUSTED else None, table=table,
    )


def preview_quote(app: Application, *, mode: str | None = None, draw: dt.date | None = None) -> Quote | None:
    """The fee quote for an application with the fund's settings (for pages); None if unavailable."""
    fund = get_fund()
    mode = mode or app.mode or Mode.SELF
    if fund is None:
        return None
    try:
        return quote_for(app, fund, draw or max(app.planned_draw_date, inputs.today(None)), mode, lpr_table())
    except BridgeError:
        return None


def visible_applications(user) -> QuerySet[Application]:
    qs = Application.objects.select_related("applicant", "bank").order_by("-id")
    if sees_all(user):
        return qs
    org = user.organisation
    if org is None:
        return qs.none()
    cond = Q(applicant_id=org.pk)
    if org.has_role(Role.BANK):
        cond |= Q(bank_id=org.pk)
    return qs.filter(cond)


def get_visible_application(user, pk: int) -> Application:
    app = visible_applications(user).filter(pk=pk).first()
    if app is None:
        raise NotFound("过桥资金业务不存在")
    return app
