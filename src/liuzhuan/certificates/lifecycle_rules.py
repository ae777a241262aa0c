"""Certificate lifecycle rules that need no database (pure: no Django import).

Prices for purchases under a commitment, how an offset price cancels a piece, the lock-up date
rule and the maturity/extension plan. ``lifecycle.py`` applies them under row locks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
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


def first_sale_day(lockup_end: dt.date) -> dt.date:
    """The lock-up end date is the last locked day; the holder may apply from the next day."""
    return lockup_end + dt.timedelta(days=1)


@dataclass(frozen=True)
class MaturityPlan:
    extensions: tuple[tuple[dt.date, dt.date], ...]  # (from, to) for each new extension
    maturity: dt.date  # maturity after the extensions
    overdue_since: dt.date | None  # set when matured and no extension is left


def maturity_plan(maturity: dt.date, today: dt.date, *, outstanding_fen: int, extension_days: int | None,
                  extension_max: int | None, extensions_used: int) -> MaturityPlan:
    """What the daily batch does on ``today`` for a certificate maturing on ``maturity``.

    A certificate is due at the end of its maturity day; from the next day, if any amount is
    still outstanding, it is extended by the clause period (as often as needed to pass today, up
    to the maximum count) or, with no extension left, it is overdue from the day after maturity.
    Running the plan again on the result changes nothing (idempotent).
    """
    if outstanding_fen <= 0 or maturity >= today:
        return MaturityPlan((), maturity, None)
    steps = []
    allowed = (extension_max or 0) if extension_days else 0
    used = extensions_used
    current = maturity
    while current < today and used < allowed:
        new = current + dt.timedelta(days=extension_days)
        steps.append((current, new))
        current = new
        used += 1
    overdue = current + dt.timedelta(days=1) if current < today else None
    return MaturityPlan(tuple(steps), current, overdue)


def reminder_due(maturity: dt.date, today: dt.date, days_before: int = 7) -> bool:
    """Remind holders and the debtor in the ``days_before`` days up to maturity (once per maturity)."""
    return today <= maturity <= today + dt.timedelta(days=days_before)
