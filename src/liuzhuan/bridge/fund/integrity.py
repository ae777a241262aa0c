"""Fund invariant re-checked by ``liuzhuan verify``: the principal equals its contribution history."""

from __future__ import annotations

from collections.abc import Iterator

from liuzhuan.core.integrity import invariant
from liuzhuan.core.money import format_yuan

from ..models.fund import PrincipalChange
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
