"""Money as integer fen (分). Pure module: no Django import.

Parsing is exact (``Decimal`` from the text, never ``float``); formatting gives ``¥12,345.67``
and capital Chinese numerals (壹万贰仟叁佰肆拾伍元陆角柒分) through cn2an.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN_PER_YUAN = 100
#: Largest value a signed 64-bit integer column can hold.
INT64_MAX = 2**63 - 1
#: Default ceiling for a single amount: one trillion yuan, far above any real receivable.
DEFAULT_CEILING_FEN = 1_000_000_000_000 * FEN_PER_YUAN

_CURRENCY_PREFIXES = ("￥", "¥", "RMB", "CNY")
_AMOUNT_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


class MoneyError(ValueError):
    """A text that is not an acceptable amount. ``code`` is stable for API clients."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def parse_yuan(
    text: str | int | Decimal,
    *,
    allow_negative: bool = False,
    allow_zero: bool = True,
    ceiling_fen: int | None = DEFAULT_CEILING_FEN,
) -> int:
    """Parse an amount in yuan ("12,345.67", "12345.6", "￥12,345.67") into integer fen.

    More than two decimals is refused rather than rounded: an amount is a fact, not an estimate.
    """
    if isinstance(text, bool):
        raise MoneyError("invalid_amount", "金额格式不正确")
    if isinstance(text, int):
        value = Decimal(text)
    elif isinstance(text, Decimal):
        value = text
    elif isinstance(text, str):
        s = text.strip().replace("\u3000", "").replace(" ", "")
        for prefix in _CURRENCY_PREFIXES:
            if s.upper().startswith(prefix):
                s = s[len(prefix) :]
                break
        if s.endswith("元"):
            s = s[:-1]
        s = s.replace("，", ",")
        if not s:
            raise MoneyError("empty_amount", "金额不能为空")
        if "," in s:
            if not _GROUPED_RE.match(s):
                raise MoneyError("invalid_amount", f"金额“{text}”的千分位格式不正确")
            s = s.replace(",", "")
        if not _AMOUNT_RE.match(s):
            raise MoneyError("invalid_amount", f"金额“{text}”不是有效的数字")
        try:
            value = Decimal(s)
        except InvalidOperation as exc:  # pragma: no cover - regex guards this
            raise MoneyError("invalid_amount", f"金额“{text}”不是有效的数字") from exc
    else:
        raise MoneyError("invalid_amount", "金额格式不正确")
    if not value.is_finite():
        raise MoneyError("invalid_amount", "金额不是有限数值")
    if value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
        raise MoneyError("too_precise", f"金额“{text}”最多保留两位小数（精确到分）")
    fen = int((value * FEN_PER_YUAN).to_integral_exact())
    return check_fen(fen, allow_negative=allow_negative, allow_zero=allow_zero, ceiling_fen=ceiling_fen)


def parse_fen(text: str | int, **kwargs) -> int:
    """Parse an integer number of fen (for files that carry fen, e.g. ``--fen``)."""
    if isinstance(text, bool):
        raise MoneyError("invalid_amount", "金额格式不正确")
    if isinstance(text, str):
        s = text.strip()
        if not s:
            raise MoneyError("empty_amount", "金额不能为空")
        if not re.fullmatch(r"[+-]?\d+", s):
            raise MoneyError("invalid_amount", f"金额“{text}”不是整数分")
        text = int(s)
    return check_fen(int(text), **kwargs)


def check_fen(
    fen: int,
    *,
    allow_negative: bool = False,
    allow_zero: bool = True,
    ceiling_fen: int | None = DEFAULT_CEILING_FEN,
) -> int:
    if fen < 0 and not allow_negative:
        raise MoneyError("negative_amount", "金额不能为负数")
    if fen == 0 and not allow_zero:
        raise MoneyError("zero_amount", "金额必须大于零")
    limit = INT64_MAX if ceiling_fen is None else min(ceiling_fen, INT64_MAX)
    if abs(fen) > limit:
        raise MoneyError("amount_too_large", f"金额超过上限 {format_yuan(limit)}")
    return fen


def format_yuan(fen: int, *, symbol: bool = True) -> str:
    """``123456789`` → ``¥1,234,567.89``; negatives as ``-¥12.00``."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}{'¥' if symbol else ''}{yuan:,}.{cents:02d}"


def format_plain(fen: int) -> str:
    """``123456789`` → ``1234567.89`` (for CSV and JSON round trips)."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}{yuan}.{cents:02d}"


def capital(fen: int) -> str:
    """Capital Chinese amount as printed on certificates: 壹万贰仟叁佰肆拾伍元陆角柒分."""
    import cn2an

    if fen < 0:
        return "负" + capital(-fen)
    if fen == 0:
        return "零元整"
    text = cn2an.an2cn(format_plain(fen), "rmb")
    return text


def round_half_up_fen(value: Decimal) -> int:
    """Round a Decimal number of fen to whole fen, half away from zero (ROUND_HALF_UP)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def apply_rate(fen: int, rate: Decimal) -> int:
    """``fen × rate`` rounded half-up to the fen, once."""
    return round_half_up_fen(Decimal(fen) * rate)


def largest_remainder_split(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` fen in proportion to ``weights`` so the parts add up exactly.

    Hamilton's method: floor each share, hand the leftover fen to the largest remainders
    (ties to the earliest position), so the result is deterministic.
    """
    if total < 0:
        raise ValueError("total must be non-negative")
    wsum = sum(weights)
    if wsum <= 0:
        raise ValueError("weights must have a positive sum")
    if any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative")
    base = [total * w // wsum for w in weights]
    rema = [total * w % wsum for w in weights]
    left = total - sum(base)
    order = sorted(range(len(weights)), key=lambda i: (-rema[i], i))
    for i in order[:left]:
        base[i] += 1
    return base
