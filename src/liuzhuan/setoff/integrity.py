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
    executed = dict(AgreementPart.objects.filter(agreement__status=AgreementStatus.EXECUTED, obligation__isnull=False)
                    .values("obligation_id").annotate(s=Sum("amount_fen")).values_list("obligation_id", "s"))
    rows = Obligation.objects.values_list("pk", "number", "amount_fen", "outstanding_fen", "status").iterator()
    for pk, number, amount, outstanding, status in rows:
        if outstanding != amount - executed.get(pk, 0):
            yield (f"债务 {number} 余额 {format_yuan(outstanding)} ≠ 登记金额 {format_yuan(amount)} − "
                   f"已执行抵销 {format_yuan(executed.get(pk, 0))}")
        if (status == ObligationStatus.SETTLED) != (outstanding == 0 and status != ObligationStatus.WITHDRAWN):
            yield f"债务 {number} 状态“{status}”与余额 {format_yuan(outstanding)} 不符"


@invariant("凭证分段的抵销与已执行协议一致")
def set_off_pieces_match_agreements() -> Iterator[str]:
    from liuzhuan.certificates.ledger.models import Piece

    executed = dict(AgreementPart.objects.filter(agreement__status=AgreementStatus.EXECUTED, piece__isnull=False)
                    .values("piece_id").annotate(s=Sum("amount_fen")).values_list("piece_id", "s"))
    set_off = dict(Piece.objects.filter(status="set_off").values("certificate_id").annotate(s=Sum("amount_fen"))
                   .values_list("certificate_id", "s"))
    by_cert: dict[int, int] = defaultdict(int)
    for cert_id, piece_id in Piece.objects.filter(pk__in=list(executed)).values_list("certificate_id", "pk"):
        by_cert[cert_id] += executed[piece_id]
    for cert_id in sorted(set(set_off) | set(by_cert)):
        if set_off.get(cert_id, 0) != by_cert.get(cert_id, 0):
            yield (f"凭证 #{cert_id} 已抵销分段合计 {format_yuan(set_off.get(cert_id, 0))}，"
                   f"已执行抵销协议记载 {format_yuan(by_cert.get(cert_id, 0))}")


@invariant("已执行抵销协议不改变任何一方的净头寸")
def executed_agreements_keep_net_positions() -> Iterator[str]:
    net: dict[tuple[int, int], int] = defaultdict(int)
    parts = (AgreementPart.objects.filter(agreement__status=AgreementStatus.EXECUTED)
             .values_list("agreement_id", "agreement__number", "obligation__creditor_id", "obligation__debtor_id",
                          "piece__holder_id", "piece__certificate__debtor_id", "amount_fen").iterator())
    numbers = {}
    for agreement_id, number, o_creditor, o_debtor, p_holder, p_debtor, amount in parts:
        numbers[agreement_id] = number
        creditor, debtor = (o_creditor, o_debtor) if o_creditor else (p_holder, p_debtor)
        net[(agreement_id, creditor)] += amount
        net[(agreement_id, debtor)] -= amount
    for (agreement_id, org_id), value in sorted(net.items()):
        if value:
            yield f"抵销协议 {numbers[agreement_id]} 使机构 {org_id} 的净头寸变动 {format_yuan(value)}"
