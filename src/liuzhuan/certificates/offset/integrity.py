"""Offset invariant for ``liuzhuan verify``: reserved pieces match open applications, completed
offsets match their price, their cancelled piece, the holder's receipt and the documents."""

from __future__ import annotations

from collections.abc import Iterator

from liuzhuan.core.integrity import invariant

from ..ledger.integrity import frozen_matches
from ..ledger.models import PieceStatus
from .models import (
    LEGACY_PREFIX,
    OPEN_OFFSET_STATUSES,
    EvidenceKind,
    OffsetApplication,
    OffsetEvidence,
    OffsetStatus,
    missing_evidence,
)


@invariant("抵付锁定与申请一致")
def offsets_match_pieces() -> Iterator[str]:
    yield from frozen_matches(PieceStatus.OFFSETTING, OffsetApplication.objects.filter(status__in=OPEN_OFFSET_STATUSES).values_list(
        "piece_id", "holder_id", "amount_fen"), "抵付")
    for number, offset, amount, price, top_up in OffsetApplication.objects.filter(status=OffsetStatus.COMPLETED).values_list(
            "number", "offset_fen", "amount_fen", "price_fen", "cash_top_up_fen"):
        if offset != min(amount, price) or offset + top_up != price:
            yield f"抵付 {number}：注销金额 {offset} 分与价款 {price} 分、债权 {amount} 分、补足 {top_up} 分不符"
    for number, offset, piece_amount, piece_status in OffsetApplication.objects.filter(status=OffsetStatus.COMPLETED).values_list(
            "number", "offset_fen", "offset_piece__amount_fen", "offset_piece__status"):
        if piece_amount != offset or piece_status != PieceStatus.OFFSET:
            yield f"抵付 {number}：注销分段金额或状态与抵付记录不符"
    # cancelled through the three steps (not the LEGACY- rows of migration 0011): holder's receipt and the documents on file
    completed = OffsetApplication.objects.filter(status=OffsetStatus.COMPLETED).exclude(cancellation_no__startswith=LEGACY_PREFIX)
    kinds: dict[int, set[str]] = {}
    for offset_id, kind in OffsetEvidence.objects.filter(offset__in=completed).values_list("offset_id", "kind"):
        kinds.setdefault(offset_id, set()).add(kind)
    for pk, number, kind, received_at, top_up in completed.values_list("pk", "number", "kind", "received_at",
                                                                        "cash_top_up_fen"):
        if received_at is None:
            yield f"抵付 {number}：已注销但无持有人确认收到的记录"
        missing = missing_evidence(kind, kinds.get(pk, set()), top_up)
        if missing:
            yield f"抵付 {number}：已注销但缺少证明材料（{'、'.join(EvidenceKind(k).label for k in missing)}）"
