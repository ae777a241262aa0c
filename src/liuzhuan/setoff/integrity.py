"""Set-off invariants re-checked by ``liuzhuan verify`` (found by the core's registry)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Sum

from liuzhuan.core.integrity import invariant
from liuzhuan.core.money import format_yuan

from .models import AgreementPart, AgreementStatus, Obligation, ObligationStatus


@invariant("债务余额 = 登记金额 − 已执行抵销")
def outstanding_matches_executed_parts() -> Iterator[str]:
    executed = dict(AgreementPart.objects.filter(agreement__status=AgreementStatus.EXECUTED)
                    .values("obligation_id").annotate(s=Sum("amount_fen")).values_list("obligation_id", "s"))
    rows = Obligation.objects.values_list("pk", "number", "amount_fen", "outstanding_fen", "status").iterator()
    for pk, number, amount, outstanding, status in rows:
        if outstanding != amount - executed.get(pk, 0):
            yield (f"债务 {number} 余额 {format_yuan(outstanding)} ≠ 登记金额 {format_yuan(amount)} − "
                   f"已执行抵销 {format_yuan(executed.get(pk, 0))}")
        if (status == ObligationStatus.SETTLED) != (outstanding == 0 and status != ObligationStatus.WITHDRAWN):
            yield f"债务 {number} 状态“{status}”与余额 {format_yuan(outstanding)} 不符"


@invariant("已执行抵销协议不改变任何一方的净头寸")
def executed_agreements_keep_net_positions() -> Iterator[str]:
    net: dict[tuple[int, int], int] = defaultdict(int)
    parts = (AgreementPart.objects.filter(agreement__status=AgreementStatus.EXECUTED)
             .values_list("agreement_id", "agreement__number", "obligation__creditor_id", "obligation__debtor_id",
                          "amount_fen").iterator())
    numbers = {}
    for agreement_id, number, creditor, debtor, amount in parts:
        numbers[agreement_id] = number
        net[(agreement_id, creditor)] += amount
        net[(agreement_id, debtor)] -= amount
    for (agreement_id, org_id), value in sorted(net.items()):
        if value:
            yield f"抵销协议 {numbers[agreement_id]} 使机构 {org_id} 的净头寸变动 {format_yuan(value)}"
