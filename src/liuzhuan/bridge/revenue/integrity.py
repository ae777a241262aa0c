"""Revenue invariant re-checked by ``liuzhuan verify``: never more remitted than collected."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Sum

from liuzhuan.core.integrity import invariant
from liuzhuan.core.money import format_yuan

from ..models.loan import Repayment
from ..models.revenue import DepositInterest, Remittance


@invariant("非税收入上缴不超过已收")
def remitted_within_collected() -> Iterator[str]:
    r = Repayment.objects.aggregate(f=Sum("fee_fen"), n=Sum("penalty_fen"))
    i = DepositInterest.objects.aggregate(s=Sum("amount_fen"))["s"] or 0
    m = Remittance.objects.aggregate(f=Sum("fee_fen"), i=Sum("interest_fen"), n=Sum("penalty_fen"))
    for label, collected, remitted in (("占用费", r["f"] or 0, m["f"] or 0), ("存款利息", i, m["i"] or 0), ("违约金", r["n"] or 0, m["n"] or 0)):
        if remitted > collected:
            yield f"{label}上缴 {format_yuan(remitted)} 超过已收 {format_yuan(collected)}"
