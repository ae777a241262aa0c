"""The occupation fee (占用费): days of use (第十条（二）), amount limits (第十条（三）), daily and
annual rates, the caps (第七条) and the fee, rounded once. Pure module: no Django import."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, localcontext
from fractions import Fraction

from liuzhuan.core.dates import days_inclusive
from liuzhuan.core.money import apply_rate, format_yuan, round_half_up_fen

from .common import CTX, HUNDRED, BridgeError, lpr_str, percent_str
from .lpr import LprRow, LprTable, jan1_lpr, lpr_on

#: Article 10(二): at most 10 days, draw day and repayment day both counted.
MAX_USAGE_DAYS = 10
#: Article 7, condition 1: daily rate at most 3.3‱ (0.033 %).
FIXED_DAILY_CAP = Decimal("0.00033")
#: Article 7, condition 2 (self-operated) and Article 17 (penalty): at most 4 × the 1-year LPR.
LPR_CAP_MULTIPLE = 4

BASIS_360 = 360
BASIS_365 = 365
ALLOWED_BASES = (BASIS_360, BASIS_365)
DEFAULT_BASIS = BASIS_360

MODE_SELF = "self"  # 自营
MODE_ENTRUSTED = "entrusted"  # 委托银行
MODES = (MODE_SELF, MODE_ENTRUSTED)
MODE_LABELS = {MODE_SELF: "自营", MODE_ENTRUSTED: "委托银行"}

BINDING_DAILY = "daily_3.3_per_10k"
BINDING_LPR = "4x_lpr"
BINDING_BOTH = "both"
BINDING_LABELS = {
    BINDING_DAILY: "日利率万分之三点三",
    BINDING_LPR: "一年期 LPR 的四倍",
    BINDING_BOTH: "两项上限相等",
}

#: Decimals shown for a derived daily rate (truncated, so a shown cap never exceeds the legal one).
#: Fees do not use the truncated figure (see ``fee_fen_from_annual``).
RATE_PLACES = 30
_RATE_QUANTUM = Decimal(1).scaleb(-RATE_PLACES)


# --------------------------------------------------------------------------------------------
# Day count and rates
# --------------------------------------------------------------------------------------------


def check_basis(basis: int) -> int:
    if isinstance(basis, bool) or basis not in ALLOWED_BASES:
        raise BridgeError("invalid_basis", f"计息基准“{basis}”无效，只能是 360 或 365 天", "basis")
    return basis


def daily_to_annual(daily_rate: Decimal, basis: int = DEFAULT_BASIS) -> Decimal:
    """Annual equivalent of a daily rate: ``daily × basis`` (exact)."""
    check_basis(basis)
    with localcontext(CTX):
        return daily_rate * basis


def annual_to_daily(annual_rate: Decimal, basis: int = DEFAULT_BASIS) -> Decimal:
    """Daily rate of an annual rate: ``annual ÷ basis``, truncated at ``RATE_PLACES`` decimals."""
    check_basis(basis)
    with localcontext(CTX):
        return (annual_rate / basis).quantize(_RATE_QUANTUM, rounding=ROUND_DOWN)


def usage_days(draw: dt.date, repay: dt.date) -> int:
    """Days of use, draw day and repayment day both counted (算头又算尾, Article 10(二))."""
    if repay < draw:
        raise BridgeError(
            "repay_before_draw",
            f"还款日 {repay.isoformat()} 早于提款日 {draw.isoformat()}",
            "repay",
        )
    return days_inclusive(draw, repay)


def check_days(days: int) -> str | None:
    """A Chinese refusal when ``days`` exceeds the limit, else ``None``."""
    if days > MAX_USAGE_DAYS:
        return f"使用天数 {days} 天超过 {MAX_USAGE_DAYS} 天上限（含提款日及还款日，第十条（二））"
    return None


def fee_fen(principal_fen: int, daily_rate: Decimal, days: int) -> int:
    """``principal × daily rate × days`` rounded half-up to the fen, once."""
    if principal_fen < 0 or days < 0 or daily_rate < 0:
        raise BridgeError("invalid_fee_input", "本金、日利率和天数不能为负")
    with localcontext(CTX):
        return apply_rate(principal_fen, daily_rate * days)


def fee_fen_from_annual(principal_fen: int, annual_rate: Decimal, basis: int, days: int) -> int:
    """``principal × annual rate × days ÷ basis`` rounded half-up to the fen, once.

    The same amount as ``fee_fen`` at the daily rate ``annual ÷ basis``, but exact: the division
    comes last, so a true half fen (e.g. 83 333.5) is rounded up, not lost to a truncated rate.
    """
    check_basis(basis)
    if principal_fen < 0 or days < 0 or annual_rate < 0:
        raise BridgeError("invalid_fee_input", "本金、利率和天数不能为负")
    with localcontext(CTX):
        return round_half_up_fen(Decimal(principal_fen) * annual_rate * days / basis)


def exact_daily_rate(daily_rate: Decimal, annual_rate: Decimal | None, basis: int) -> Fraction:
    """The exact daily rate: ``annual ÷ basis`` when derived, else the decimal itself."""
    if annual_rate is not None:
        return Fraction(annual_rate) / basis
    return Fraction(daily_rate)


# --------------------------------------------------------------------------------------------
# Caps (Article 7)
# --------------------------------------------------------------------------------------------


def lpr_cap_annual(lpr_1y_percent: Decimal) -> Decimal:
    """4 × the 1-year LPR as an annual fraction: 3.00 → 0.12."""
    with localcontext(CTX):
        return lpr_1y_percent * LPR_CAP_MULTIPLE / HUNDRED


@dataclass(frozen=True)
class RateCap:
    """The self-operated cap in force on a date: the smaller of 3.3‱ and 4 × LPR ÷ basis."""

    on: dt.date
    basis: int
    lpr: LprRow
    fixed_daily_cap: Decimal
    lpr_cap_annual: Decimal
    lpr_cap_daily: Decimal
    daily_rate: Decimal
    binding: str

    @property
    def annual_rate(self) -> Decimal | None:
        """The exact annual rate behind ``daily_rate`` when 4 × LPR binds (``daily`` is truncated)."""
        return self.lpr_cap_annual if self.binding == BINDING_LPR else None

    @property
    def exact_daily_rate(self) -> Fraction:
        return exact_daily_rate(self.daily_rate, self.annual_rate, self.basis)

    def describe(self) -> str:
        """The binding limit in words, for messages."""
        if self.binding == BINDING_DAILY:
            return "日利率不超过万分之三点三"
        lpr_part = (
            f"年化不超过一年期 LPR {lpr_str(self.lpr.lpr_1y)} 的四倍即 {percent_str(self.lpr_cap_annual, 2)}"
        )
        if self.binding == BINDING_LPR:
            return lpr_part
        return f"日利率不超过万分之三点三，且{lpr_part}"


def cap_daily_rate(on: dt.date, basis: int = DEFAULT_BASIS, table: LprTable | None = None) -> RateCap:
    """Cap on the daily rate on ``on``: min(3.3‱, 4 × latest 1-year LPR ÷ basis), and which binds."""
    check_basis(basis)
    row = lpr_on(on, table)
    annual = lpr_cap_annual(row.lpr_1y)
    lpr_daily = annual_to_daily(annual, basis)
    if FIXED_DAILY_CAP < lpr_daily:
        binding, daily = BINDING_DAILY, FIXED_DAILY_CAP
    elif lpr_daily < FIXED_DAILY_CAP:
        binding, daily = BINDING_LPR, lpr_daily
    else:
        binding, daily = BINDING_BOTH, FIXED_DAILY_CAP
    return RateCap(on, basis, row, FIXED_DAILY_CAP, annual, lpr_daily, daily, binding)


def entrusted_annual_rate(
    year: int, multiplier: Decimal = Decimal(1), table: LprTable | None = None
) -> Decimal:
    """Entrusted annual rate: 1-year LPR in force on 1 January of ``year`` × multiplier."""
    check_multiplier(multiplier)
    row = jan1_lpr(year, table)
    with localcontext(CTX):
        return row.lpr_1y * multiplier / HUNDRED


def entrusted_daily_rate(
    year: int,
    basis: int = DEFAULT_BASIS,
    multiplier: Decimal = Decimal(1),
    table: LprTable | None = None,
) -> Decimal:
    """Entrusted daily rate (annual → daily on ``basis``, truncated for display)."""
    return annual_to_daily(entrusted_annual_rate(year, multiplier, table), basis)


def check_multiplier(multiplier: Decimal) -> Decimal:
    if not isinstance(multiplier, Decimal) or not multiplier.is_finite() or multiplier <= 0:
        raise BridgeError("invalid_multiplier", f"LPR 倍数“{multiplier}”无效，必须大于零", "multiplier")
    return multiplier


def check_daily_rate(rate: Decimal) -> Decimal:
    if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0:
        raise BridgeError("invalid_rate", f"日利率“{rate}”无效，必须大于零（有偿使用，第四条）", "daily_rate")
    if rate >= 1:
        raise BridgeError("invalid_rate", f"日利率“{rate}”无效，应小于 1（如 0.0003 或 3‱）", "daily_rate")
    return rate


def contract_lpr(on: dt.date, mode: str = MODE_SELF, table: LprTable | None = None) -> LprRow:
    """The 1-year LPR a bridge contract made on ``on`` executes (执行).

    Self-operated: the LPR in force on the contract date. Entrusted: the LPR in force on
    1 January of that year (Article 7), which is the one the entrusted contract executes.
    """
    check_mode(mode)
    if mode == MODE_ENTRUSTED:
        return jan1_lpr(on.year, table)
    return lpr_on(on, table)


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise BridgeError(
            "invalid_mode", f"业务模式“{mode}”无效，只能是 self（自营）或 entrusted（委托银行）", "mode"
        )
    return mode


# --------------------------------------------------------------------------------------------
# Amount (Article 10(三))
# --------------------------------------------------------------------------------------------


def max_amount_fen(due_fen: int | None, approved_fen: int | None) -> int | None:
    """min(principal due, bank renewal approval); ``None`` when neither is known."""
    known = [v for v in (due_fen, approved_fen) if v is not None]
    return min(known) if known else None


def amount_reasons(principal_fen: int, due_fen: int | None, approved_fen: int | None) -> list[str]:
    reasons = []
    if due_fen is not None and principal_fen > due_fen:
        reasons.append(
            f"申请金额 {format_yuan(principal_fen)} 超过当期应清偿的原贷款额度 {format_yuan(due_fen)}（第十条（三））"
        )
    if approved_fen is not None and principal_fen > approved_fen:
        reasons.append(
            f"申请金额 {format_yuan(principal_fen)} 超过银行续贷批复当期审批额度 {format_yuan(approved_fen)}（第十条（三））"
        )
    return reasons
