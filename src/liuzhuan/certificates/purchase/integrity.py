"""Purchase invariants for ``liuzhuan verify``: pieces reserved for a sale match open applications,
commitments' used amounts match completed sales, active commitments have an approved provider."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Sum

from liuzhuan.core.integrity import invariant

from ..ledger.integrity import frozen_matches
from ..ledger.models import PieceStatus
from .models import CommitmentStatus, PurchaseCommitment, PurchaseProvider, PurchaseSale, SaleStatus


@invariant("收购锁定与申请一致")
def sales_match_pieces() -> Iterator[str]:
    yield from frozen_matches(PieceStatus.SELLING, PurchaseSale.objects.filter(status=SaleStatus.APPLIED).values_list(
        "piece_id", "holder_id", "amount_fen"), "收购")
    used = dict(PurchaseSale.objects.filter(status=SaleStatus.COMPLETED).values("commitment_id").annotate(
        t=Sum("price_fen")).values_list("commitment_id", "t"))
    for pk, number, used_fen in PurchaseCommitment.objects.values_list("pk", "number", "used_fen"):
        if used.get(pk, 0) != used_fen:
            yield f"收购承诺 {number}：已用额度 {used_fen} 分不等于已完成收购价款合计 {used.get(pk, 0)} 分"


@invariant("收购承诺不超过认可额度")
def provider_capacity() -> Iterator[str]:
    """Checked at acceptance against the capacity then in force; a later cut only blocks new ones."""
    for org_id, name in PurchaseCommitment.objects.filter(status=CommitmentStatus.ACTIVE).values_list(
            "provider_id", "provider__name").distinct():
        provider = PurchaseProvider.objects.filter(org_id=org_id).first()
        if provider is None or provider.approved_at is None:
            yield f"“{name}”有生效的收购承诺，但不是经认可的收购服务提供方"
