"""Read-only questions about the fund: the fund row, the LPR table and caps, principal, outstanding
and at-risk balances, exposure (第二十二条), volume and turnover (第二十五条), the overview, and
who is who towards the fund (manager, bureau, regulator, applicant)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum

from liuzhuan.core.errors import DomainError
from liuzhuan.core.roles import Role

from ..models.application import (
    AT_RISK_STATUSES,
    DISBURSED_STATUSES,
    LIVE_LOAN_STATUSES,
    Application,
    AppStatus,
)
from ..models.fund import (
    Fund,
    FundStatus,
    FundStatusChange,
    LprRate,
    PrincipalChange,
    RequestStatus,
    ResumeRequest,
)
from ..models.loan import Repayment
from ..models.recovery import FraudFinding, RecoveryCase
from ..rates.common import BridgeError, exposure_ratio, percent_str
from ..rates.fees import RateCap, cap_daily_rate
from ..rates.lpr import LprTable, shipped_table
from .rules import SUSPEND_THRESHOLD_PERCENT, reaches, turnover_rate, turnover_rate_weighted

# ---------------------------------------------------------------------------------------------
# Fund, LPR
# ---------------------------------------------------------------------------------------------


def get_fund() -> Fund | None:
    return Fund.objects.select_related("manager", "bureau").filter(pk=1).first()


def require_fund() -> Fund:
    fund = get_fund()
    if fund is None:
        raise DomainError("no_fund", "续贷过桥资金尚未设立，请市财政局先设立资金")
    return fund


def lpr_table() -> LprTable:
    """The LPR table from the database (the bureau maintains it); the shipped CSV if empty."""
    rows = list(LprRate.objects.order_by("effective_date").values_list("effective_date", "lpr_1y", "lpr_5y"))
    if not rows:
        return shipped_table()
    return LprTable.from_rows(rows, "database:LprRate")


def current_cap(on: dt.date, basis: int) -> RateCap:
    return cap_daily_rate(on, basis, lpr_table())


def pending_resume_request() -> ResumeRequest | None:
    return ResumeRequest.objects.filter(status=RequestStatus.PENDING).first()


# ---------------------------------------------------------------------------------------------
# Exposure, balances
# ---------------------------------------------------------------------------------------------


def _outstanding(statuses, also: Q | None = None) -> int:
    cond = Q(status__in=statuses)
    if also is not None:
        cond |= also
    total = Application.objects.filter(cond).aggregate(
        s=Sum(F("amount_fen") - F("principal_repaid_fen"))
    )["s"]
    return int(total or 0)


def at_risk_fen(on: dt.date | None = None) -> int:
    """Principal at risk (第二十二条): unrepaid principal of overdue loans and loans under recovery.

    With ``on`` (the live check at approval and disbursement), also loans in use whose last allowed
    day is before ``on`` — overdue in fact though the daily job has not marked them yet.
    """
    also = None if on is None else Q(status=AppStatus.DISBURSED, due_date__lt=on)
    return _outstanding(AT_RISK_STATUSES, also)


def outstanding_fen() -> int:
    """Principal currently lent out."""
    return _outstanding(LIVE_LOAN_STATUSES)


def principal_steps() -> list[tuple[dt.date, int]]:
    """The fund principal as a step function ``[(effective_on, principal in force), ...]``."""
    steps: dict[dt.date, int] = {}
    running = 0
    for change in PrincipalChange.objects.order_by("effective_on", "id"):
        running += change.signed_fen
        steps[change.effective_on] = running
    return sorted(steps.items())


def principal_on(day: dt.date) -> int:
    value = 0
    for since, amount in principal_steps():
        if since <= day:
            value = amount
    return value


@dataclass(frozen=True)
class Exposure:
    at_risk_fen: int
    principal_fen: int

    @property
    def ratio(self) -> Decimal | None:
        if self.principal_fen <= 0:
            return None
        return exposure_ratio(self.at_risk_fen, self.principal_fen)

    @property
    def percent(self) -> str:
        r = self.ratio
        return "—" if r is None else percent_str(r, 2)

    @property
    def breached(self) -> bool:
        """≥ 30 % (含30%): the halt line."""
        return self.at_warning(SUSPEND_THRESHOLD_PERCENT)

    def at_warning(self, percent: int) -> bool:
        """≥ ``percent`` (含); with no principal at all, any principal at risk reaches every line."""
        if self.principal_fen <= 0:
            return self.at_risk_fen > 0
        return reaches(self.at_risk_fen, self.principal_fen, percent)


def exposure(fund: Fund | None = None, on: dt.date | None = None) -> Exposure:
    """The fund's exposure; with ``on``, counting loans past due on that day (see ``at_risk_fen``)."""
    fund = fund or get_fund()
    return Exposure(at_risk_fen(on), fund.principal_fen if fund else 0)


@dataclass(frozen=True)
class RiskOn:
    """The risk position as it stood at the end of ``day`` (第二十四条 风险状况 at quarter end),
    rebuilt from dates and the repayment history rather than from today's statuses."""

    day: dt.date
    outstanding_fen: int
    exposure: Exposure
    overdue_loans: int
    recovery_loans: int
    open_cases: int
    fund_status: str


def _unrepaid_on(ids: list[int], day: dt.date) -> int:
    if not ids:
        return 0
    lent = Application.objects.filter(pk__in=ids).aggregate(s=Sum("amount_fen"))["s"] or 0
    repaid = Repayment.objects.filter(application_id__in=ids, paid_on__lte=day).aggregate(s=Sum("principal_fen"))["s"] or 0
    return int(lent) - int(repaid)


def fund_status_on(day: dt.date) -> str:
    """The business status at the end of ``day``: the last suspension/resumption decided by then."""
    last = FundStatusChange.objects.filter(decided_at__date__lte=day).order_by("-decided_at", "-id").first()
    return last.to_status if last else FundStatus.OPEN


def risk_on(day: dt.date) -> RiskOn:
    """Loans drawn by ``day`` and not settled by then; at risk when past their last allowed day by
    then (overdue, whether or not the daily job had marked them) or declared fraudulent by then."""
    live = Application.objects.filter(status__in=DISBURSED_STATUSES, disbursed_on__lte=day).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=day))
    live_ids = list(live.values_list("pk", flat=True))
    fraud_ids = set(FraudFinding.objects.filter(application_id__in=live_ids, declared_on__lte=day).values_list("application_id", flat=True))
    overdue_ids = set(live.filter(due_date__lt=day).values_list("pk", flat=True)) - fraud_ids
    at_risk_ids = sorted(fraud_ids | overdue_ids)
    return RiskOn(
        day=day,
        outstanding_fen=_unrepaid_on(live_ids, day),
        exposure=Exposure(_unrepaid_on(at_risk_ids, day), principal_on(day)),
        overdue_loans=len(overdue_ids),
        recovery_loans=len(fraud_ids),
        open_cases=RecoveryCase.objects.filter(opened_on__lte=day).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day)).count(),
        fund_status=fund_status_on(day),
    )


@dataclass(frozen=True)
class Overview:
    fund: Fund
    principal_fen: int
    outstanding_fen: int
    available_fen: int
    exposure: Exposure
    ytd_volume_fen: int
    ytd_loans: int
    ytd_enterprises: int
    ytd_turnover: Decimal | None
    ytd_turnover_weighted: Decimal | None
    pipeline: int
    live_loans: int
    at_risk_loans: int
    open_cases: int
    today: dt.date

    @property
    def target_progress(self) -> str:
        t = self.fund.annual_turnover_target
        if not t or self.ytd_turnover_weighted is None:
            return "—"
        return percent_str(self.ytd_turnover_weighted / t, 1)


def disbursed_between(start: dt.date, end: dt.date) -> QuerySet[Application]:
    return Application.objects.filter(status__in=DISBURSED_STATUSES, disbursed_on__gte=start, disbursed_on__lte=end)


def volume_between(start: dt.date, end: dt.date) -> tuple[int, int, int]:
    """(累计发生额 fen, loans, distinct enterprises) for loans drawn in [start, end]."""
    qs = disbursed_between(start, end)
    agg = qs.aggregate(v=Sum("amount_fen"))
    return int(agg["v"] or 0), qs.count(), qs.values("applicant_id").distinct().count()


def turnover_pair(volume_fen: int, start: dt.date, end: dt.date, principal_end: int) -> tuple[Decimal | None, Decimal | None]:
    """(simple, time-weighted) turnover over [start, end]; see docs/design/bridge-rates.md §11."""
    simple = turnover_rate(volume_fen, principal_end) if principal_end > 0 else None
    steps = principal_steps()
    weighted = None
    if steps:
        lo = max(start, steps[0][0])
        if lo <= end:
            try:
                weighted = turnover_rate_weighted(volume_fen, steps, lo, end)
            except BridgeError:
                weighted = None
    return simple, weighted


def overview(today: dt.date) -> Overview | None:
    fund = get_fund()
    if fund is None:
        return None
    start = dt.date(today.year, 1, 1)
    vol, loans, ents = volume_between(start, today)
    simple, weighted = turnover_pair(vol, start, today, fund.principal_fen)
    out = outstanding_fen()
    return Overview(
        fund=fund,
        principal_fen=fund.principal_fen,
        outstanding_fen=out,
        available_fen=max(0, fund.principal_fen - out),
        exposure=exposure(fund),
        ytd_volume_fen=vol,
        ytd_loans=loans,
        ytd_enterprises=ents,
        ytd_turnover=simple,
        ytd_turnover_weighted=weighted,
        pipeline=Application.objects.filter(status__in=["submitted", "prepared", "approved", "confirmed"]).count(),
        live_loans=Application.objects.filter(status__in=LIVE_LOAN_STATUSES).count(),
        at_risk_loans=Application.objects.filter(status__in=AT_RISK_STATUSES).count(),
        open_cases=RecoveryCase.objects.exclude(status="recovered").count(),
        today=today,
    )


# ---------------------------------------------------------------------------------------------
# Who sees what
# ---------------------------------------------------------------------------------------------


def is_manager_org(user, fund: Fund | None = None) -> bool:
    fund = fund or get_fund()
    return bool(fund and user.organisation_id == fund.manager_id and user.organisation.has_role(Role.FUND_MANAGER))


def is_bureau(user, fund: Fund | None = None) -> bool:
    fund = fund or get_fund()
    return bool(fund and user.organisation_id == fund.bureau_id and user.organisation.has_role(Role.BUREAU))


def sees_all(user) -> bool:
    """The fund manager, the finance bureau and the regulator see every bridge record."""
    org = getattr(user, "organisation", None)
    if org is None:
        return False
    if org.has_role(Role.REGULATOR):
        return True
    return is_manager_org(user) or is_bureau(user)


def can_apply(user) -> bool:
    org = getattr(user, "organisation", None)
    return bool(
        org
        and org.status == "active"
        and org.has_role(Role.MEMBER)
        and not org.has_any_role([Role.BANK, Role.FUND_MANAGER, Role.BUREAU, Role.REGULATOR, Role.OPERATOR])
    )
