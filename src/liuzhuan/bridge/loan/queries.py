"""What a loan owes on a date (第十条（二）、第十七条): the occupation fee for the principal-days
actually used, the overdue penalty, and what is still due after the repayments recorded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..models.application import Application
from ..rates.fees import fee_fen, fee_fen_from_annual, usage_days
from ..rates.penalty import overdue_days, penalty_fen


@dataclass(frozen=True)
class Dues:
    """What a loan owes as of a date (fee and penalty accrued to that date, minus what was paid)."""

    as_of: dt.date
    principal_fen: int
    fee_accrued_fen: int
    fee_due_fen: int
    penalty_accrued_fen: int
    penalty_due_fen: int
    overdue_days: int

    @property
    def total_fen(self) -> int:
        return self.principal_fen + self.fee_due_fen + self.penalty_due_fen


def _principal_payments(app: Application, repayments=None) -> list[tuple[dt.date, int]]:
    rows = repayments if repayments is not None else app.repayments.all()
    return [(r.paid_on, r.principal_fen) for r in rows if r.principal_fen]


def fee_accrued(app: Application, as_of: dt.date, repayments=None) -> int:
    """Occupation fee for the principal-days actually used up to ``as_of`` (never past the due date).

    Each repaid part of the principal is charged for the days from the draw to its repayment,
    both counted; the rest up to ``as_of``. Σ principal × days is priced once, rounded half-up
    once — for a single full repayment this is exactly ``rates.quote.early_repayment_fee``.
    """
    if not app.disbursed_on:
        return 0
    last = min(as_of, app.due_date)
    principal_days = 0
    repaid = 0
    for paid_on, amount in _principal_payments(app, repayments):
        if paid_on <= as_of:
            principal_days += amount * usage_days(app.disbursed_on, min(paid_on, app.due_date))
            repaid += amount
    if last >= app.disbursed_on:
        principal_days += (app.amount_fen - repaid) * usage_days(app.disbursed_on, last)
    if app.rate_annual is not None:
        return fee_fen_from_annual(principal_days, app.rate_annual, app.basis, 1)
    return fee_fen(principal_days, app.rate_daily, 1)


def penalty_accrued(app: Application, as_of: dt.date, repayments=None) -> int:
    """Overdue penalty up to ``as_of``: Σ (unrepaid principal each overdue day) × rate ÷ basis, once.

    A principal amount repaid on day p still counts on day p (overdue days = actual repayment −
    agreed repayment, 第十七条 via ``rates.penalty.overdue_days``).
    """
    if not app.due_date or as_of <= app.due_date:
        return 0
    n = overdue_days(app.due_date, as_of)
    principal_days = app.amount_fen * n
    for paid_on, amount in _principal_payments(app, repayments):
        principal_days -= amount * max(0, (as_of - max(paid_on, app.due_date)).days)
    return penalty_fen(principal_days, app.penalty_annual_rate, 1, contract_lpr_1y=app.contract_lpr_1y, basis=app.basis)


def dues(app: Application, as_of: dt.date) -> Dues:
    reps = list(app.repayments.all())
    fee = fee_accrued(app, as_of, reps)
    pen = penalty_accrued(app, as_of, reps)
    return Dues(as_of=as_of, principal_fen=app.outstanding_fen, fee_accrued_fen=fee, fee_due_fen=max(0, fee - app.fee_paid_fen),
                penalty_accrued_fen=pen, penalty_due_fen=max(0, pen - app.penalty_paid_fen),
                overdue_days=overdue_days(app.due_date, as_of) if app.due_date else 0)
