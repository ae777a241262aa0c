"""Service-fee arithmetic (pure: no Django import): the fee on an amount, who pays which share
under the agreed term, and when a charge is due and in arrears."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from liuzhuan.core.errors import DomainError
from liuzhuan.core.money import apply_rate

PER_10K = Decimal(10000)
HUNDRED = Decimal(100)

PAYERS = ("transferor", "transferee", "split")
#: side A's share in per cent when the term names one side
WHOLE_SHARE = {"transferor": HUNDRED, "transferee": Decimal(0)}
#: a fee is due this many days after it is charged (charged on day D: due by D + 30, in arrears from D + 31)
DUE_DAYS = 30


def compute_fee(base_fen: int, rate_per_10k: Decimal, min_fen: int = 0, max_fen: int | None = None) -> int:
    """``base × rate‱`` rounded half-up to the fen once, then clamped to [min, max]."""
    fee = apply_rate(base_fen, Decimal(rate_per_10k) / PER_10K)
    fee = max(fee, min_fen)
    if max_fen is not None:
        fee = min(fee, max_fen)
    return fee


def fee_term(payer: str, share_pct=None) -> tuple[str, Decimal]:
    """The agreed term as stored: (payer, side A's share in per cent). A split without a share is
    half each; a share is given in per cent with at most two decimals, strictly between 0 and 100."""
    if payer not in PAYERS:
        raise DomainError("fee_payer_invalid", "服务费付费方应为转让方/出质人、受让方/质权人或双方分担", field="fee_payer")
    if payer != "split":
        if share_pct not in (None, "") and Decimal(str(share_pct)) != WHOLE_SHARE[payer]:
            raise DomainError("fee_share_not_split", "仅“双方分担”需填写承担比例", field="fee_share_pct")
        return payer, WHOLE_SHARE[payer]
    if share_pct in (None, ""):
        return payer, Decimal(50)
    try:
        share = Decimal(str(share_pct))
    except InvalidOperation as exc:
        raise DomainError("fee_share_invalid", "承担比例格式不正确", field="fee_share_pct") from exc
    if not share.is_finite() or not Decimal(0) < share < HUNDRED:
        raise DomainError("fee_share_range", "双方分担时，转让方/出质人承担比例应大于 0% 且小于 100%", field="fee_share_pct")
    if share != share.quantize(Decimal("0.01")):
        raise DomainError("fee_share_precision", "承担比例最多保留两位小数", field="fee_share_pct")
    return payer, share.quantize(Decimal("0.01"))


def split_fee(fee_fen: int, payer: str, share_pct: Decimal | None = None) -> tuple[int, int]:
    """(side A's share, side B's share), adding up to the fee exactly. Side A's part is
    ``fee × share%`` rounded half-up to the fen; side B pays the rest. 'split' without a share
    halves it (an odd fen goes to side A)."""
    if payer not in PAYERS:
        raise ValueError(f"unknown payer {payer!r}")
    _payer, share = fee_term(payer, share_pct)
    first = apply_rate(fee_fen, share / HUNDRED)
    return first, fee_fen - first


def due_date(charged_on: dt.date) -> dt.date:
    """The last day to pay a charge."""
    return charged_on + dt.timedelta(days=DUE_DAYS)


def settlement_status(*, paid: bool, reversed_: bool, is_reversal: bool, charged_on: dt.date,
                      today: dt.date) -> str:
    """paid / reversed (a reversal row, or a charge reversed while unpaid) / arrears (unpaid after
    its due date) / unpaid. A charge paid and then reversed stays paid: its reversal row is the credit."""
    if paid:
        return "paid"
    if is_reversal or reversed_:
        return "reversed"
    return "arrears" if today > due_date(charged_on) else "unpaid"


STATUS_LABELS = {"paid": "已缴", "unpaid": "未缴", "arrears": "欠费（逾期未缴）", "reversed": "已冲销"}
