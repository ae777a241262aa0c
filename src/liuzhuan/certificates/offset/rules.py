"""Offset rules that need no database (pure: no Django import): how an agreed price cancels a piece."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OffsetOutcome:
    offset_fen: int  # claim cancelled (注销)
    remainder_fen: int  # stays with the holder as a live piece
    top_up_fen: int  # the holder pays this in cash (不足部分以货币资金补足)


def offset_outcome(piece_fen: int, price_fen: int) -> OffsetOutcome:
    """How an agreed offset price uses a reserved piece of ``piece_fen``.

    Price below the piece: the price is cancelled and the rest remains. Price above: the whole
    piece is cancelled and the holder pays the difference in cash. Always
    ``offset + remainder == piece`` and ``offset + top_up == price``.
    """
    if piece_fen <= 0:
        raise ValueError("piece amount must be positive")
    if price_fen <= 0:
        raise ValueError("price must be positive")
    offset = min(piece_fen, price_fen)
    return OffsetOutcome(offset_fen=offset, remainder_fen=piece_fen - offset, top_up_fen=price_fen - offset)
