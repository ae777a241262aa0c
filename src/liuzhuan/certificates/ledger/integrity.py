"""Ledger invariants for ``liuzhuan verify``: conservation of every certificate's face amount, and
the check the sub-packages use to tie each frozen piece to exactly one open record."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

from django.db.models import Sum

from liuzhuan.core.integrity import invariant

from .models import HOLDING_STATUSES, PASSED_ON_STATUSES, Certificate, Piece, PieceStatus


def ended_value_statuses() -> frozenset[str]:
    """Statuses whose amount left circulation for good (offset, set-off, cancelled ...).

    Every piece status that neither holds value nor passed it on to child pieces; the conservation
    check counts them with the pieces still held.
    """
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


def frozen_matches(status: str, records, label: str) -> Iterator[str]:
    """Each piece in ``status`` has exactly one open record on it, with the same holder and amount."""
    pieces = {pk: (number, holder, amount) for pk, number, holder, amount in
              Piece.objects.filter(status=status).values_list("pk", "number", "holder_id", "amount_fen")}
    counts = Counter()
    for piece_id, holder_id, amount in records:
        counts[piece_id] += 1
        got = pieces.get(piece_id)
        if got is None:
            yield f"{label}：办理中的记录所指分段 #{piece_id} 不处于“{PieceStatus(status).label}”状态"
        elif got[1] != holder_id or got[2] != amount:
            yield f"{label}：分段 {got[0]} 的持有人或金额与办理中的记录不一致"
    for pk, (number, _h, _a) in pieces.items():
        if counts[pk] != 1:
            yield f"{label}：分段 {number} 处于“{PieceStatus(status).label}”状态，但有 {counts[pk]} 条办理中的记录"
