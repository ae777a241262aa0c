"""Offset invariant for ``liuzhuan verify``: reserved pieces match open applications, completed
offsets match their price and their cancelled piece."""

from __future__ import annotations

from collections.abc import Iterator

from liuzhuan.core.integrity import invariant

from ..ledger.integrity import frozen_matches
from ..ledger.models import PieceStatus
from .models import OPEN_OFFSET_STATUSES, OffsetApplication, OffsetStatus


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
