"""Loan invariant re-checked by ``liuzhuan verify``: each loan's totals equal its repayment records."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Sum

from liuzhuan.core.integrity import invariant

from ..models.application import Application
from ..models.loan import Repayment


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
