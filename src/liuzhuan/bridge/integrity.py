"""Bridge-fund invariants re-checked by ``liuzhuan verify`` (found by the core's registry)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Sum

from liuzhuan.core.integrity import invariant
from liuzhuan.core.money import format_yuan

from .models import Application, DepositInterest, PrincipalChange, Remittance, Repayment
from .queries import get_fund


@invariant("过桥资金本金与出资记录一致")
def principal_matches_history() -> Iterator[str]:
    fund = get_fund()
    if fund is None:
        return
    total = sum(c.signed_fen for c in PrincipalChange.objects.all())
    if total != fund.principal_fen:
        yield f"本金总额 {format_yuan(fund.principal_fen)} 与出资/调回记录合计 {format_yuan(total)} 不一致"
    last = PrincipalChange.objects.order_by("-effective_on", "-id").first()
    if last and last.principal_after_fen != fund.principal_fen:
        yield f"最近一次本金变动后余额 {format_yuan(last.principal_after_fen)} 与本金总额不一致"


@invariant("过桥资金还款记录与台账一致")
def repayments_match_loans() -> Iterator[str]:
    sums = {
        row["application_id"]: row
        for row in Repayment.objects.values("application_id").annotate(p=Sum("principal_fen"), f=Sum("fee_fen"), n=Sum("penalty_fen"))
    }
    for app in Application.objects.only("pk", "submitted_on", "status", "amount_fen", "principal_repaid_fen", "fee_paid_fen",
                                        "penalty_paid_fen").iterator():
        s = sums.get(app.pk, {"p": 0, "f": 0, "n": 0})
        if (app.principal_repaid_fen, app.fee_paid_fen, app.penalty_paid_fen) != (s["p"] or 0, s["f"] or 0, s["n"] or 0):
            yield f"业务 {app.number} 的已收本金/占用费/违约金与还款记录合计不一致"
        if app.status == "repaid" and app.principal_repaid_fen != app.amount_fen:
            yield f"业务 {app.number} 已结清但本金未全部收回"


@invariant("非税收入上缴不超过已收")
def remitted_within_collected() -> Iterator[str]:
    r = Repayment.objects.aggregate(f=Sum("fee_fen"), n=Sum("penalty_fen"))
    i = DepositInterest.objects.aggregate(s=Sum("amount_fen"))["s"] or 0
    m = Remittance.objects.aggregate(f=Sum("fee_fen"), i=Sum("interest_fen"), n=Sum("penalty_fen"))
    for label, collected, remitted in (("占用费", r["f"] or 0, m["f"] or 0), ("存款利息", i, m["i"] or 0), ("违约金", r["n"] or 0, m["n"] or 0)):
        if remitted > collected:
            yield f"{label}上缴 {format_yuan(remitted)} 超过已收 {format_yuan(collected)}"
