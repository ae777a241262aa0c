"""Service-fee arithmetic (pure: no Django import): the fee on an amount, and who pays which share."""

from __future__ import annotations

from decimal import Decimal

from liuzhuan.core.money import apply_rate

PER_10K = Decimal(10000)


def compute_fee(base_fen: int, rate_per_10k: Decimal, min_fen: int = 0, max_fen: int | None = None) -> int:
    """``base × rate‱`` rounded half-up to the fen once, then clamped to [min, max]."""
    fee = apply_rate(base_fen, Decimal(rate_per_10k) / PER_10K)
    fee = max(fee, min_fen)
    if max_fen is not None:
        fee = min(fee, max_fen)
    return fee


def split_fee(fee_fen: int, payer: str) -> tuple[int, int]:
    """(transferor's share, transferee's share). 'split' halves it; an odd fen goes to the transferor."""
    if payer == "transferor":
        return fee_fen, 0
    if payer == "transferee":
        return 0, fee_fen
    if payer == "split":
        second = fee_fen // 2
        return fee_fen - second, second
    raise ValueError(f"unknown payer {payer!r}")
