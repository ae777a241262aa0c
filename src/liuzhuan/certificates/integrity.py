"""Business invariants for ``liuzhuan verify``: conservation of every certificate's face amount."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Sum

from liuzhuan.core.integrity import invariant

from .models import HOLDING_STATUSES, PASSED_ON_STATUSES, Certificate, Piece


def ended_value_statuses() -> frozenset[str]:
    """Statuses whose amount left circulation for good (offset, set-off, cancelled ...).

    Later lifecycle operations extend this set; the conservation check counts them with the
    pieces still held.
    """
    from .models import PieceStatus

    return frozenset(s for s in PieceStatus.values if s not in HOLDING_STATUSES and s not in PASSED_ON_STATUSES)


@invariant("凭证金额守恒")
def conservation() -> Iterator[str]:
    counted = list(HOLDING_STATUSES | ended_value_statuses())
    sums = dict(
        Piece.objects.filter(status__in=counted).values("certificate_id").annotate(t=Sum("amount_fen")).values_list("certificate_id", "t")
    )
    for cert_id, number, face, status in Certificate.objects.values_list("id", "number", "face_fen", "status").order_by("id"):
        total = sums.get(cert_id, 0) or 0
        if status == "voided":
            continue
        if total != face:
            yield f"凭证 {number}：持有中及已核销分段合计 {total} 分，不等于面额 {face} 分"
    child_sums: dict[int, int] = defaultdict(int)
    for parent_id, amount in Piece.objects.filter(parent__isnull=False).values_list("parent_id", "amount_fen"):
        child_sums[parent_id] += amount
    for pk, number, amount in Piece.objects.filter(status__in=list(PASSED_ON_STATUSES)).values_list("id", "number", "amount_fen"):
        if child_sums.get(pk, 0) != amount:
            yield f"分段 {number}：子分段合计 {child_sums.get(pk, 0)} 分，不等于其金额 {amount} 分"
