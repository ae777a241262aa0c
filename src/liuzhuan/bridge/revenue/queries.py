"""Non-tax revenue (第十五条) collected and remitted: occupation fees and penalties from the
repayments, deposit interest, and what has been remitted to the finance bureau."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum

from ..models.loan import Repayment
from ..models.revenue import DepositInterest, Remittance


@dataclass(frozen=True)
class RevenueBalance:
    fee_collected_fen: int
    interest_collected_fen: int
    penalty_collected_fen: int
    fee_remitted_fen: int
    interest_remitted_fen: int
    penalty_remitted_fen: int

    @property
    def fee_unremitted_fen(self) -> int:
        return self.fee_collected_fen - self.fee_remitted_fen

    @property
    def interest_unremitted_fen(self) -> int:
        return self.interest_collected_fen - self.interest_remitted_fen

    @property
    def penalty_unremitted_fen(self) -> int:
        return self.penalty_collected_fen - self.penalty_remitted_fen


def revenue_balance(upto: dt.date | None = None, *, all_remittances: bool = False) -> RevenueBalance:
    """Collected and remitted non-tax revenue as of ``upto``.

    ``all_remittances`` counts every remittance whatever its date: the check before a new
    (possibly back-dated) remittance uses it, so the same money can never be remitted twice.
    """
    reps = Repayment.objects.all()
    ints = DepositInterest.objects.all()
    rems = Remittance.objects.all()
    if upto:
        reps, ints = reps.filter(paid_on__lte=upto), ints.filter(received_on__lte=upto)
        if not all_remittances:
            rems = rems.filter(remitted_on__lte=upto)
    r = reps.aggregate(f=Sum("fee_fen"), p=Sum("penalty_fen"))
    m = rems.aggregate(f=Sum("fee_fen"), i=Sum("interest_fen"), p=Sum("penalty_fen"))
    return RevenueBalance(
        fee_collected_fen=int(r["f"] or 0), interest_collected_fen=int(ints.aggregate(s=Sum("amount_fen"))["s"] or 0),
        penalty_collected_fen=int(r["p"] or 0), fee_remitted_fen=int(m["f"] or 0), interest_remitted_fen=int(m["i"] or 0),
        penalty_remitted_fen=int(m["p"] or 0))
