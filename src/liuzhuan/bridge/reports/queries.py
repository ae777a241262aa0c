"""Quarterly figures (第十二条、第二十四条) and the ledger (台账), derived from the data.

``compute_figures`` derives every number from the database (never typed in): enterprises
supported (distinct), loans, cumulative volume (累计发生额) for the quarter, the year to date and
since inception, turnover (simple and day-weighted, see docs/design/bridge-rates.md §11) against
the annual target, risk, income and remittance, and the ledger rows. The result is plain JSON,
stored on the report so a submitted report never changes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q, Sum

from liuzhuan.core.models import AuditEvent

from ..fund.queries import get_fund, principal_on, risk_on, turnover_pair, volume_between
from ..models.application import DISBURSED_STATUSES, Application, AppStatus, Mode
from ..models.fund import FundStatus, FundStatusChange
from ..models.loan import Repayment
from ..models.recovery import FraudFinding
from ..models.revenue import DepositInterest, Remittance
from ..rates.common import percent_str
from ..rates.fees import usage_days
from ..revenue.queries import revenue_balance
from .rules import quarter_bounds


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _period(start: dt.date, end: dt.date, principal_end: int) -> dict:
    volume, loans, enterprises = volume_between(start, end)
    simple, weighted = turnover_pair(volume, start, end, principal_end)
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "volume_fen": volume,
        "loans": loans,
        "enterprises": enterprises,
        "turnover": _dec(simple),
        "turnover_weighted": _dec(weighted),
    }


def _income(start: dt.date, end: dt.date) -> dict:
    r = Repayment.objects.filter(paid_on__gte=start, paid_on__lte=end).aggregate(
        f=Sum("fee_fen"), p=Sum("penalty_fen"), c=Sum("principal_fen")
    )
    interest = DepositInterest.objects.filter(received_on__gte=start, received_on__lte=end).aggregate(s=Sum("amount_fen"))["s"]
    m = Remittance.objects.filter(remitted_on__gte=start, remitted_on__lte=end).aggregate(
        f=Sum("fee_fen"), i=Sum("interest_fen"), p=Sum("penalty_fen")
    )
    remitted = int(m["f"] or 0) + int(m["i"] or 0) + int(m["p"] or 0)
    return {
        "principal_collected_fen": int(r["c"] or 0),
        "fee_fen": int(r["f"] or 0),
        "penalty_fen": int(r["p"] or 0),
        "interest_fen": int(interest or 0),
        "remitted_fen": remitted,
    }


def ledger_queryset(start: dt.date, end: dt.date):
    """Loans live at any moment of [start, end]: drawn by ``end`` and not closed before ``start``."""
    return (
        Application.objects.select_related("applicant", "bank")
        .filter(status__in=DISBURSED_STATUSES, disbursed_on__lte=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        .order_by("disbursed_on", "id")
    )


def ledger_row(app: Application) -> dict:
    end = app.closed_on
    return {
        "number": app.number,
        "applicant": app.applicant.name,
        "bank": app.bank.name,
        "mode": Mode(app.mode).label if app.mode else "",
        "original_contract_no": app.original_contract_no,
        "renewal_approval_no": app.renewal_approval_no,
        "amount_fen": app.amount_fen,
        "disbursed_on": app.disbursed_on.isoformat() if app.disbursed_on else "",
        "due_date": app.due_date.isoformat() if app.due_date else "",
        "closed_on": end.isoformat() if end else "",
        "days_used": usage_days(app.disbursed_on, end) if end else None,
        "daily_rate": app.daily_rate_display,
        "basis": app.basis,
        "planned_fee_fen": app.planned_fee_fen or 0,
        "principal_repaid_fen": app.principal_repaid_fen,
        "fee_paid_fen": app.fee_paid_fen,
        "penalty_paid_fen": app.penalty_paid_fen,
        "penalty_accrued_fen": app.penalty_accrued_fen,
        "renewed_on": app.renewed_on.isoformat() if app.renewed_on else "",
        "status": app.status,
        "status_label": AppStatus(app.status).label,
    }


def compute_figures(year: int, quarter: int, as_of: dt.date) -> dict:
    fund = get_fund()
    start, end = quarter_bounds(year, quarter)
    principal_end = principal_on(end)
    ystart = dt.date(year, 1, 1)
    inception = fund.established_on
    qtr = _period(start, end, principal_end)
    ytd = _period(max(ystart, inception), end, principal_end)
    target = fund.annual_turnover_target
    achieved = Decimal(ytd["turnover_weighted"]) if ytd["turnover_weighted"] is not None else None
    risk = risk_on(end)  # 风险状况 as it stood at quarter end, whatever day the report is generated
    exp = risk.exposure
    ledger = [ledger_row(a) for a in ledger_queryset(start, end)]
    fraud_q = FraudFinding.objects.filter(declared_on__gte=start, declared_on__lte=end)
    bal_end = _unremitted(end)
    return {
        "year": year,
        "quarter_no": quarter,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "generated_on": as_of.isoformat(),
        "fund": {
            "name": fund.name,
            "manager": fund.manager.name,
            "bureau": fund.bureau.name,
            "established_on": inception.isoformat(),
            "principal_end_fen": principal_end,
            "principal_now_fen": fund.principal_fen,
            # the business status at quarter end (第二十二条 叫停/恢复 decided by then)
            "status": risk.fund_status,
            "status_label": FundStatus(risk.fund_status).label,
            "day_basis": fund.day_basis,
            "self_daily_rate": _dec(fund.self_daily_rate),
        },
        "quarter": qtr,
        "year_to_date": ytd,
        "inception": _period(inception, end, principal_end),
        "target": {
            "annual_turnover_target": _dec(target),
            "achieved_weighted": _dec(achieved),
            "completion": percent_str(achieved / target, 1) if achieved is not None and target else None,
        },
        "risk": {
            "as_of": end.isoformat(),
            "at_risk_fen": exp.at_risk_fen,
            "principal_fen": exp.principal_fen,
            "exposure": exp.percent,
            "breached": exp.breached,
            "outstanding_fen": risk.outstanding_fen,
            "overdue_loans": risk.overdue_loans,
            "recovery_loans": risk.recovery_loans,
            "open_cases": risk.open_cases,
            "fraud_findings_in_quarter": fraud_q.count(),
            "suspensions_in_quarter": FundStatusChange.objects.filter(
                to_status="suspended", decided_at__date__gte=start, decided_at__date__lte=end
            ).count(),
            # 预警制度 (第二十二条): the bureau's line, whether quarter-end exposure reached it, warnings raised in the quarter
            "warn_percent": fund.warn_percent,
            "at_warning_end": exp.at_warning(fund.warn_percent),
            "warnings_in_quarter": AuditEvent.objects.filter(
                action="bridge.fund.risk_warning", at__date__gte=start, at__date__lte=end).count(),
        },
        "income": {"quarter": _income(start, end), "year_to_date": _income(max(ystart, inception), end)},
        "unremitted_end_fen": bal_end,
        "ledger": ledger,
    }


def _unremitted(upto: dt.date) -> int:
    b = revenue_balance(upto)
    return b.fee_unremitted_fen + b.interest_unremitted_fen + b.penalty_unremitted_fen
