"""Purchase rules that need no database (pure: no Django import): the price of a piece under a
commitment, and the first day a holder may apply after the lock-up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from liuzhuan.core.money import apply_rate, round_half_up_fen

BP_PER_WHOLE = 10000


def purchase_price(amount_fen: int, face_fen: int, *, kind: str, price_bp: int | None = None,
                   fixed_price_fen: int | None = None) -> int:
    """Price of ``amount_fen`` of a certificate's claim under a purchase commitment.

    ``percent``: amount × bp/10000, half-up once. ``fixed``: the fixed price for the whole face is
    shared by amount (amount × fixed / face, half-up), so every piece of the certificate pays the
    same rate.
    """
    if amount_fen <= 0 or face_fen <= 0 or amount_fen > face_fen:
        raise ValueError("amount must be in (0, face]")
    if kind == "percent":
        if price_bp is None or not 1 <= price_bp <= BP_PER_WHOLE:
            raise ValueError("price_bp must be in [1, 10000]")
        return max(1, apply_rate(amount_fen, Decimal(price_bp) / BP_PER_WHOLE))
    if kind == "fixed":
        if fixed_price_fen is None or fixed_price_fen <= 0:
            raise ValueError("fixed price must be positive")
        return max(1, round_half_up_fen(Decimal(fixed_price_fen) * amount_fen / face_fen))
    raise ValueError(f"unknown price kind {kind!r}")


def first_sale_day(lockup_end: dt.date) -> dt.date:
    """The lock-up end date is the last locked day; the holder may apply from the next day."""
    return lockup_end + dt.timedelta(days=1)
