"""Input checks shared by every stage's actions. Each refuses with a ``DomainError`` whose Chinese
message names the field (``run_action`` puts it under that field on a page; the API returns it as
``field``), so a refusal always says what to correct."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError
from liuzhuan.core.money import DEFAULT_CEILING_FEN, format_yuan


def today(on: dt.date | None) -> dt.date:
    """The business date: ``on`` when the caller fixes it (tests, the demo), else today in China."""
    return on or today_china()


def text(value, field_name: str, label: str, *, max_length: int, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise DomainError("required", f"请填写{label}", field_name)
    if len(text) > max_length:
        raise DomainError("too_long", f"{label}不能超过 {max_length} 个字", field_name)
    return text


def fen(value, field_name: str, label: str, *, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError("invalid_amount", f"{label}必须是以分为单位的整数", field_name)
    if value < 0 or (value == 0 and not allow_zero):
        raise DomainError("invalid_amount", f"{label}必须大于零" if not allow_zero else f"{label}不能为负数", field_name)
    if value > DEFAULT_CEILING_FEN:
        raise DomainError("amount_too_large", f"{label}超过上限 {format_yuan(DEFAULT_CEILING_FEN)}", field_name)
    return value


def date(value, field_name: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise DomainError("invalid_date", f"{label}格式不正确，应为 YYYY-MM-DD", field_name)
    return value


def decimal(value, field_name: str, label: str, *, places: int) -> Decimal:
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError("invalid_rate", f"{label}“{value}”不是有效的数字", field_name) from None
    if not d.is_finite():
        raise DomainError("invalid_rate", f"{label}“{value}”不是有效的数字", field_name)
    if d.as_tuple().exponent < -places and d != d.quantize(Decimal(1).scaleb(-places)):
        raise DomainError("too_precise", f"{label}最多保留 {places} 位小数", field_name)
    return d
