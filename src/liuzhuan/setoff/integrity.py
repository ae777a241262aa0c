"""Set-off invariants re-checked by ``liuzhuan verify`` (found by the core's registry)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Q, Sum

from liuzhuan.core.integrity import invariant
from liuzhuan.core.money import format_yuan

from .models import (
    Agreement,
    AgreementPart,
    AgreementParty,
    AgreementStatus,
    LiquidityDeclaration,
    Obligation,
    ObligationStatus,
)


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


@invariant("已执行抵销协议不改变净头寸；债务链只改变付款方与收款方")
def executed_agreements_keep_net_positions() -> Iterator[str]:
    """A loop leaves every party's net position as it was. A chain moves cash: its payer's net
    position rises by the amount, its last creditor's falls by it, everyone between is unchanged."""
    net: dict[tuple[int, int], int] = defaultdict(int)
    parts = (AgreementPart.objects.filter(agreement__status=AgreementStatus.EXECUTED)
             .values_list("agreement_id", "obligation__creditor_id", "obligation__debtor_id",
                          "piece__holder_id", "piece__certificate__debtor_id", "amount_fen").iterator())
    for agreement_id, o_creditor, o_debtor, p_holder, p_debtor, amount in parts:
        creditor, debtor = (o_creditor, o_debtor) if o_creditor else (p_holder, p_debtor)
        net[(agreement_id, creditor)] -= amount  # its receivable fell
        net[(agreement_id, debtor)] += amount    # its payable fell
    expected: dict[tuple[int, int], int] = defaultdict(int)
    numbers = {}
    chains = Agreement.objects.filter(status=AgreementStatus.EXECUTED).values_list("pk", "number", "kind", "amount_fen")
    for pk, number, kind, amount in chains.iterator():
        numbers[pk] = number
        if kind == "chain":
            ends = dict(AgreementParty.objects.filter(agreement_id=pk).order_by("position")
                        .values_list("position", "organisation_id"))
            expected[(pk, ends[0])] += amount
            expected[(pk, ends[max(ends)])] -= amount
    for key in sorted(set(net) | set(expected)):
        if net.get(key, 0) != expected.get(key, 0):
            yield (f"抵销协议 {numbers.get(key[0], key[0])} 使机构 {key[1]} 的净头寸变动 {format_yuan(net.get(key, 0))}，"
                   f"应为 {format_yuan(expected.get(key, 0))}")


@invariant("现金清偿意愿的已用金额 = 已执行债务链付款")
def cash_used_matches_chains() -> Iterator[str]:
    used = dict(LiquidityDeclaration.objects.values("organisation_id").annotate(s=Sum("used_fen"))
                .values_list("organisation_id", "s"))
    paid: dict[int, int] = defaultdict(int)
    for org_id, amount in AgreementParty.objects.filter(agreement__status=AgreementStatus.EXECUTED,
                                                        agreement__kind="chain", position=0).values_list(
            "organisation_id", "agreement__amount_fen"):
        paid[org_id] += amount
    for org_id in sorted(set(used) | set(paid)):
        if (used.get(org_id) or 0) != paid.get(org_id, 0):
            yield (f"机构 {org_id} 现金清偿意愿已用 {format_yuan(used.get(org_id) or 0)}，"
                   f"已执行债务链付款 {format_yuan(paid.get(org_id, 0))}")


@invariant("垫付资金已用金额 = 由此形成的债务")
def funded_cash_matches_debts() -> Iterator[str]:
    """Cash a provider put up for a member's chain debts becomes, to the fen, what the member owes it."""
    formed = dict(Obligation.objects.filter(from_cash__isnull=False).values("from_cash_id")
                  .annotate(s=Sum("amount_fen")).values_list("from_cash_id", "s"))
    # funded declarations, and any own-cash one that formed a debt (none should): not every declaration
    concerned = LiquidityDeclaration.objects.filter(Q(provider__isnull=False) | Q(pk__in=list(formed)))
    for pk, provider, used in concerned.values_list("pk", "provider_id", "used_fen").iterator():
        expected = used if provider else 0
        if formed.get(pk, 0) != expected:
            yield (f"现金清偿意愿 #{pk} 已用 {format_yuan(used)}，由此形成的债务 {format_yuan(formed.get(pk, 0))}"
                   f"{'' if provider else '（自有现金不应形成债务）'}")
