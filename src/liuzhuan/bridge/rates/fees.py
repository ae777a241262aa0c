"""Rules of the loan-renewal bridge fund (续贷过桥资金). Pure module: no Django import.

Source: 桐城市中小企业续贷过桥资金管理办法（征求意见稿）. Article numbers in the Chinese messages
refer to that text. Design notes (day-count basis, rounding, which cap binds, the 1 January rule)
are in ``docs/design/bridge-rates.md``.

Conventions:

* money is integer fen; rates are ``Decimal`` fractions (``Decimal("0.00033")`` is 3.3‱);
  LPR values are ``Decimal`` *percent* as published (``Decimal("3.00")``);
* a fee is ``principal × daily rate × days`` rounded half-up to the fen **once**;
* a daily rate derived from an annual one (4 × LPR ÷ basis, Jan-1 LPR ÷ basis) has no finite
  decimal form: it is *shown* truncated at ``RATE_PLACES`` decimals (never rounded up), but the
  fee is computed as ``principal × annual × days ÷ basis`` with the division last, so the fee is
  the exact half-up rounding of the true amount.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from pathlib import Path

from liuzhuan.core.dates import days_inclusive
from liuzhuan.core.errors import DomainError
from liuzhuan.core.money import apply_rate, format_plain, format_yuan, round_half_up_fen

# --------------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------------

#: Article 10(二): at most 10 days, draw day and repayment day both counted.
MAX_USAGE_DAYS = 10
#: Article 7, condition 1: daily rate at most 3.3‱ (0.033 %).
FIXED_DAILY_CAP = Decimal("0.00033")
#: Article 7, condition 2 (self-operated) and Article 17 (penalty): at most 4 × the 1-year LPR.
LPR_CAP_MULTIPLE = 4
#: Article 22: suspend at 30 % (inclusive) of the fund principal; resume only below it.
SUSPEND_THRESHOLD_PERCENT = 30

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

RATE_SOURCE_CAP = "cap"
RATE_SOURCE_CONFIGURED = "configured"
RATE_SOURCE_ENTRUSTED = "entrusted_jan1_lpr"

#: Decimals shown for a derived daily rate (truncated, so a shown cap never exceeds the legal one).
#: Fees do not use the truncated figure (see ``fee_fen_from_annual``).
RATE_PLACES = 30
_RATE_QUANTUM = Decimal(1).scaleb(-RATE_PLACES)
#: Working precision for rate arithmetic (the default context keeps only 28 digits).
_CTX = Context(prec=60)

_HUNDRED = Decimal(100)
_PER_10K = Decimal(10000)
_DISPLAY_4 = Decimal("0.0001")


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class BridgeError(DomainError):
    """Input the rules cannot work with (not a refusal: refusals are listed in ``Quote.reasons``)."""


class LprUnavailable(BridgeError):
    """No 1-year LPR is known for the date (before the first row of the table)."""

    def __init__(self, day: dt.date, first: dt.date | None):
        if first is None:
            message = "LPR 数据为空，无法确定一年期 LPR"
        else:
            message = (
                f"{day.isoformat()} 早于 LPR 数据起始日 {first.isoformat()}"
                "（贷款市场报价利率自 2019 年 8 月 20 日起按新机制报价），无法确定一年期 LPR"
            )
        super().__init__("lpr_unavailable", message, "date")
        self.day = day
        self.first = first


# --------------------------------------------------------------------------------------------
# Formatting helpers (used by the CLI and by the Chinese messages)
# --------------------------------------------------------------------------------------------


def rate_str(rate: Decimal) -> str:
    """Plain decimal string without exponent or trailing zeros: ``0.00033``."""
    text = format(rate.normalize(), "f")
    return text


def per_10k_str(rate: Decimal) -> str:
    """A daily rate in per ten-thousand, 4 decimals: ``3.3000‱``."""
    return f"{(rate * _PER_10K).quantize(_DISPLAY_4, rounding=ROUND_HALF_UP)}‱"


def percent_str(fraction: Decimal, places: int = 4) -> str:
    """A fraction as percent: ``0.12`` → ``12.0000%``."""
    with localcontext(_CTX):
        value = (fraction * _HUNDRED).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{value}%"


def _lpr_str(lpr_percent: Decimal) -> str:
    return f"{lpr_percent.quantize(Decimal('0.01'))}%"


# --------------------------------------------------------------------------------------------
# LPR table
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LprRow:
    """One LPR change: values in percent, in force from ``effective_date`` until the next row."""

    effective_date: dt.date
    lpr_1y: Decimal
    lpr_5y: Decimal


@dataclass(frozen=True)
class LprTable:
    rows: tuple[LprRow, ...]
    source: str = "memory"
    _dates: tuple[dt.date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        rows = tuple(sorted(self.rows, key=lambda r: r.effective_date))
        if not rows:
            raise BridgeError("lpr_empty", "LPR 数据为空")
        dates = tuple(r.effective_date for r in rows)
        if len(set(dates)) != len(dates):
            dup = next(d for d in dates if dates.count(d) > 1)
            raise BridgeError("lpr_duplicate", f"LPR 数据中生效日 {dup.isoformat()} 重复")
        for r in rows:
            for value in (r.lpr_1y, r.lpr_5y):
                if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
                    raise BridgeError(
                        "lpr_invalid", f"LPR 数据 {r.effective_date.isoformat()} 的利率“{value}”无效"
                    )
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "_dates", dates)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[dt.date, Decimal | str, Decimal | str]], source: str) -> LprTable:
        out = []
        for day, one, five in rows:
            try:
                out.append(LprRow(day, Decimal(str(one)), Decimal(str(five))))
            except InvalidOperation as exc:
                raise BridgeError("lpr_invalid", f"LPR 数据 {day} 的利率无效") from exc
        return cls(tuple(out), source)

    @property
    def first_date(self) -> dt.date:
        return self.rows[0].effective_date

    @property
    def latest(self) -> LprRow:
        return self.rows[-1]

    def on(self, day: dt.date) -> LprRow:
        """The row in force on ``day``: the latest ``effective_date`` ≤ ``day``."""
        i = bisect.bisect_right(self._dates, day)
        if i == 0:
            raise LprUnavailable(day, self.first_date)
        return self.rows[i - 1]

    def changes_between(self, after: dt.date, upto: dt.date) -> tuple[LprRow, ...]:
        """Rows taking effect strictly after ``after`` and on or before ``upto``."""
        lo = bisect.bisect_right(self._dates, after)
        hi = bisect.bisect_right(self._dates, upto)
        return self.rows[lo:hi]


def parse_lpr_csv(text: str, source: str = "csv") -> LprTable:
    """Parse ``effective_date,lpr_1y_percent,lpr_5y_percent`` (header required)."""
    reader = csv.DictReader(io.StringIO(text))
    need = {"effective_date", "lpr_1y_percent", "lpr_5y_percent"}
    if reader.fieldnames is None or not need <= {f.strip() for f in reader.fieldnames}:
        raise BridgeError(
            "lpr_header", f"LPR 文件 {source} 缺少表头 effective_date,lpr_1y_percent,lpr_5y_percent"
        )
    rows = []
    for n, raw in enumerate(reader, start=2):
        rec = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        if not any(rec.values()):
            continue
        try:
            day = dt.date.fromisoformat(rec["effective_date"])
            rows.append(LprRow(day, Decimal(rec["lpr_1y_percent"]), Decimal(rec["lpr_5y_percent"])))
        except (ValueError, InvalidOperation) as exc:
            raise BridgeError("lpr_invalid", f"LPR 文件 {source} 第 {n} 行格式不正确") from exc
    return LprTable(tuple(rows), source)


def load_lpr_csv(path: str | Path | None = None) -> LprTable:
    """Load a CSV file; ``None`` loads the history shipped with the package."""
    if path is None:
        return shipped_table()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise BridgeError("lpr_file", f"无法读取 LPR 文件 {p}") from exc
    return parse_lpr_csv(text, str(p))


@lru_cache(maxsize=1)
def shipped_table() -> LprTable:
    """The LPR history shipped as ``liuzhuan/bridge/data/lpr.csv``."""
    text = resources.files("liuzhuan.bridge").joinpath("data/lpr.csv").read_text(encoding="utf-8-sig")
    return parse_lpr_csv(text, "shipped:liuzhuan/bridge/data/lpr.csv")


def default_table() -> LprTable:
    return shipped_table()


def lpr_on(day: dt.date, table: LprTable | None = None) -> LprRow:
    """The LPR row in force on ``day`` (latest ``effective_date`` ≤ ``day``)."""
    return (table or default_table()).on(day)


def jan1_lpr(year: int, table: LprTable | None = None) -> LprRow:
    """The row in force on 1 January of ``year`` (Article 7, entrusted business)."""
    return lpr_on(dt.date(year, 1, 1), table)


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
    with localcontext(_CTX):
        return daily_rate * basis


def annual_to_daily(annual_rate: Decimal, basis: int = DEFAULT_BASIS) -> Decimal:
    """Daily rate of an annual rate: ``annual ÷ basis``, truncated at ``RATE_PLACES`` decimals."""
    check_basis(basis)
    with localcontext(_CTX):
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
    with localcontext(_CTX):
        return apply_rate(principal_fen, daily_rate * days)


def fee_fen_from_annual(principal_fen: int, annual_rate: Decimal, basis: int, days: int) -> int:
    """``principal × annual rate × days ÷ basis`` rounded half-up to the fen, once.

    The same amount as ``fee_fen`` at the daily rate ``annual ÷ basis``, but exact: the division
    comes last, so a true half fen (e.g. 83 333.5) is rounded up, not lost to a truncated rate.
    """
    check_basis(basis)
    if principal_fen < 0 or days < 0 or annual_rate < 0:
        raise BridgeError("invalid_fee_input", "本金、利率和天数不能为负")
    with localcontext(_CTX):
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
    with localcontext(_CTX):
        return lpr_1y_percent * LPR_CAP_MULTIPLE / _HUNDRED


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
            f"年化不超过一年期 LPR {_lpr_str(self.lpr.lpr_1y)} 的四倍即 {percent_str(self.lpr_cap_annual, 2)}"
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
    with localcontext(_CTX):
        return row.lpr_1y * multiplier / _HUNDRED


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


# --------------------------------------------------------------------------------------------
# Quote
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    mode: str
    basis: int
    principal_fen: int
    draw: dt.date
    repay: dt.date
    days: int
    daily_rate: Decimal
    #: the exact annual rate when ``daily_rate`` is derived from one (truncated), else ``None``
    annual_rate: Decimal | None
    rate_source: str
    configured_daily_rate: Decimal | None
    clamped: bool
    fee_fen: int
    cap: RateCap
    #: the 1-year LPR the rate and the contract execute (self: on the draw date; entrusted: 1 Jan)
    contract_lpr: LprRow
    multiplier: Decimal
    max_amount_fen: int | None
    allowed: bool
    reasons: tuple[str, ...]
    alerts: tuple[str, ...]

    @property
    def cap_daily_rate(self) -> Decimal:
        return self.cap.daily_rate

    @property
    def binding_cap(self) -> str:
        return self.cap.binding

    @property
    def annual_rate_equivalent(self) -> Decimal:
        if self.annual_rate is not None:
            return self.annual_rate
        return daily_to_annual(self.daily_rate, self.basis)

    @property
    def exact_daily_rate(self) -> Fraction:
        return exact_daily_rate(self.daily_rate, self.annual_rate, self.basis)

    def fee_for_days(self, days: int) -> int:
        """The fee at this quote's rate for ``days`` days (rounded once)."""
        if self.annual_rate is not None:
            return fee_fen_from_annual(self.principal_fen, self.annual_rate, self.basis, days)
        return fee_fen(self.principal_fen, self.daily_rate, days)

    @property
    def penalty_annual_rate_cap(self) -> Decimal:
        return penalty_rate_cap(self.contract_lpr.lpr_1y)

    def to_dict(self) -> dict:
        """JSON-friendly: rates as strings, money as integer fen, dates ISO."""
        return {
            "allowed": self.allowed,
            "days": self.days,
            "daily_rate": rate_str(self.daily_rate),
            "daily_rate_per_10k": per_10k_str(self.daily_rate),
            "annual_rate_equivalent": percent_str(self.annual_rate_equivalent),
            "annual_rate": None if self.annual_rate is None else rate_str(self.annual_rate),
            "fee_fen": self.fee_fen,
            "fee_yuan": format_plain(self.fee_fen),
            "cap_daily_rate": rate_str(self.cap.daily_rate),
            "cap_daily_rate_per_10k": per_10k_str(self.cap.daily_rate),
            "binding_cap": self.cap.binding,
            "lpr_1y": str(self.cap.lpr.lpr_1y),
            "lpr_effective_date": self.cap.lpr.effective_date.isoformat(),
            "contract_lpr_1y": str(self.contract_lpr.lpr_1y),
            "contract_lpr_effective_date": self.contract_lpr.effective_date.isoformat(),
            "penalty_annual_rate_cap": rate_str(self.penalty_annual_rate_cap),
            "mode": self.mode,
            "basis": self.basis,
            "principal_fen": self.principal_fen,
            "draw": self.draw.isoformat(),
            "repay": self.repay.isoformat(),
            "rate_source": self.rate_source,
            "configured_daily_rate": (
                None if self.configured_daily_rate is None else rate_str(self.configured_daily_rate)
            ),
            "multiplier": rate_str(self.multiplier),
            "clamped": self.clamped,
            "max_amount_fen": self.max_amount_fen,
            "reasons": list(self.reasons),
            "alerts": list(self.alerts),
        }


def quote(
    *,
    principal_fen: int,
    draw: dt.date,
    repay: dt.date,
    mode: str = MODE_SELF,
    daily_rate: Decimal | None = None,
    basis: int = DEFAULT_BASIS,
    due_fen: int | None = None,
    approved_fen: int | None = None,
    multiplier: Decimal | None = None,
    table: LprTable | None = None,
) -> Quote:
    """Price a bridge loan and check it against the rules.

    Raises ``BridgeError`` for input the rules cannot work with (bad basis/mode/rate, a date
    before the LPR history). Rule refusals (too many days, repayment before draw, amount over
    the limit) do not raise: they make ``allowed`` false and are listed in ``reasons``. A rate
    above the cap is not refused: the statutory cap prevails and ``alerts`` says so.
    """
    table = table or default_table()
    check_basis(basis)
    check_mode(mode)
    if isinstance(principal_fen, bool) or not isinstance(principal_fen, int) or principal_fen <= 0:
        raise BridgeError("invalid_principal", "过桥资金金额必须大于零", "principal")
    if mode == MODE_SELF and multiplier is not None and multiplier != 1:
        raise BridgeError("multiplier_self", "LPR 倍数只适用于委托银行模式（entrusted）", "multiplier")
    if mode == MODE_ENTRUSTED and daily_rate is not None:
        raise BridgeError(
            "rate_entrusted",
            "委托银行模式的费率以当年 1 月 1 日执行的一年期 LPR 为基准（第七条），不能另行指定日利率",
            "daily_rate",
        )
    mult = Decimal(1) if multiplier is None else check_multiplier(multiplier)

    cap = cap_daily_rate(draw, basis, table)
    reasons: list[str] = []
    alerts: list[str] = []

    if repay < draw:
        days = 0
        reasons.append(
            f"还款日 {repay.isoformat()} 早于提款日 {draw.isoformat()}，无法计算使用天数（第十条（二））"
        )
    else:
        days = usage_days(draw, repay)
        refusal = check_days(days)
        if refusal:
            reasons.append(refusal)

    reasons.extend(amount_reasons(principal_fen, due_fen, approved_fen))

    annual: Decimal | None = None
    if mode == MODE_SELF:
        contract = cap.lpr
        if daily_rate is None:
            rate, annual, source = cap.daily_rate, cap.annual_rate, RATE_SOURCE_CAP
        else:
            rate, source = check_daily_rate(daily_rate), RATE_SOURCE_CONFIGURED
    else:
        try:
            contract = jan1_lpr(draw.year, table)
        except LprUnavailable as exc:
            raise BridgeError(
                "lpr_unavailable",
                f"委托银行模式以 {draw.year} 年 1 月 1 日执行的一年期 LPR 为基准（第七条），"
                f"但该日早于 LPR 数据起始日 {table.first_date.isoformat()}，无法确定费率",
                "date",
            ) from exc
        annual = entrusted_annual_rate(draw.year, mult, table)
        rate, source = annual_to_daily(annual, basis), RATE_SOURCE_ENTRUSTED

    clamped = exact_daily_rate(rate, annual, basis) > cap.exact_daily_rate
    if clamped:
        what = "设定日利率" if source == RATE_SOURCE_CONFIGURED else "按 LPR 倍数折算的日利率"
        alerts.append(
            f"{what} {rate_str(rate)}（{per_10k_str(rate)}）超过法定上限 {per_10k_str(cap.daily_rate)}"
            f"（{cap.describe()}），以法定利率上限优先执行（第七条）"
        )
        rate, annual = cap.daily_rate, cap.annual_rate

    if days > 0:
        for change in table.changes_between(draw, repay):
            alerts.append(
                f"使用期内一年期 LPR 于 {change.effective_date.isoformat()} 调整为 {_lpr_str(change.lpr_1y)}，"
                "本笔按提款日（合同签订日）执行的利率计费"
            )

    return Quote(
        mode=mode,
        basis=basis,
        principal_fen=principal_fen,
        draw=draw,
        repay=repay,
        days=days,
        daily_rate=rate,
        annual_rate=annual,
        rate_source=source,
        configured_daily_rate=daily_rate,
        clamped=clamped,
        fee_fen=(
            fee_fen(principal_fen, rate, days)
            if annual is None
            else fee_fen_from_annual(principal_fen, annual, basis, days)
        ),
        cap=cap,
        contract_lpr=contract,
        multiplier=mult,
        max_amount_fen=max_amount_fen(due_fen, approved_fen),
        allowed=not reasons,
        reasons=tuple(reasons),
        alerts=tuple(alerts),
    )


def early_repayment_fee(q: Quote, actual_repay: dt.date) -> int:
    """Fee when the borrower repays early (encouraged, Article 10(二)): days actually used only."""
    if actual_repay > q.repay:
        raise BridgeError(
            "not_early",
            f"实际还款日 {actual_repay.isoformat()} 晚于约定还款日 {q.repay.isoformat()}，应按逾期处理",
            "repay",
        )
    return q.fee_for_days(usage_days(q.draw, actual_repay))


# --------------------------------------------------------------------------------------------
# Overdue penalty (Article 17)
# --------------------------------------------------------------------------------------------


def penalty_rate_cap(contract_lpr_1y: Decimal) -> Decimal:
    """Highest annual penalty rate: 4 × the 1-year LPR the contract executes."""
    return lpr_cap_annual(contract_lpr_1y)


def check_penalty_rate(annual_rate: Decimal, contract_lpr_1y: Decimal) -> str | None:
    """A Chinese refusal when the annual penalty rate exceeds the cap, else ``None``."""
    if not isinstance(annual_rate, Decimal) or not annual_rate.is_finite() or annual_rate < 0:
        return f"违约金年利率“{annual_rate}”无效"
    cap = penalty_rate_cap(contract_lpr_1y)
    if annual_rate > cap:
        return (
            f"违约金年利率 {percent_str(annual_rate, 2)} 超过原合同执行的一年期 LPR "
            f"{_lpr_str(contract_lpr_1y)} 的四倍即 {percent_str(cap, 2)}（第十七条）"
        )
    return None


def overdue_days(due_repay: dt.date, actual_repay: dt.date) -> int:
    """Days after the agreed repayment day up to and including the actual one (0 if on time).

    The agreed repayment day is already counted in the usage days, so it is not overdue.
    """
    return max(0, (actual_repay - due_repay).days)


def penalty_fen(
    principal_fen: int,
    annual_rate: Decimal,
    days_overdue: int,
    *,
    contract_lpr_1y: Decimal,
    basis: int = DEFAULT_BASIS,
) -> int:
    """``principal × annual rate ÷ basis × overdue days``, half-up to the fen once.

    Raises ``BridgeError`` when the rate exceeds 4 × the contract's 1-year LPR.
    """
    check_basis(basis)
    refusal = check_penalty_rate(annual_rate, contract_lpr_1y)
    if refusal:
        raise BridgeError("penalty_rate_over_cap", refusal, "penalty_rate")
    if principal_fen < 0 or days_overdue < 0:
        raise BridgeError("invalid_penalty_input", "本金和逾期天数不能为负")
    with localcontext(_CTX):
        return round_half_up_fen(Decimal(principal_fen) * annual_rate * days_overdue / basis)


# --------------------------------------------------------------------------------------------
# Risk exposure (Article 22) and turnover (Article 25)
# --------------------------------------------------------------------------------------------


def _check_fund(fund_principal_fen: int) -> None:
    if fund_principal_fen <= 0:
        raise BridgeError("invalid_fund_principal", "过桥资金本金总额必须大于零", "fund_principal")


def exposure_ratio(at_risk_fen: int, fund_principal_fen: int) -> Decimal:
    """Principal at risk ÷ fund principal (a fraction; for display — decisions use integers)."""
    _check_fund(fund_principal_fen)
    with localcontext(_CTX):
        return Decimal(at_risk_fen) / Decimal(fund_principal_fen)


def reaches(at_risk_fen: int, fund_principal_fen: int, percent: int) -> bool:
    """Exposure at or above ``percent`` of the fund principal (含): the halt line or the warning line."""
    _check_fund(fund_principal_fen)
    return at_risk_fen * 100 >= fund_principal_fen * percent


def should_suspend(at_risk_fen: int, fund_principal_fen: int) -> bool:
    """Article 22: exposure at or above 30 % (含30%) of the fund principal suspends the business."""
    return reaches(at_risk_fen, fund_principal_fen, SUSPEND_THRESHOLD_PERCENT)


def may_resume(at_risk_fen: int, fund_principal_fen: int) -> bool:
    """Exposure strictly below 30 %: the fund may *ask* the finance bureau to resume."""
    return not should_suspend(at_risk_fen, fund_principal_fen)


def next_suspended(
    currently_suspended: bool, at_risk_fen: int, fund_principal_fen: int, *, bureau_approved: bool = False
) -> bool:
    """Suspension state after a new exposure figure.

    ≥ 30 % always suspends; a suspended business resumes only below 30 % *and* with the
    bureau's approval (经市财政局批准方可恢复业务).
    """
    if should_suspend(at_risk_fen, fund_principal_fen):
        return True
    if currently_suspended:
        return not bureau_approved
    return False


def turnover_rate(cumulative_volume_fen: int, fund_principal_fen: int) -> Decimal:
    """Article 25: cumulative bridge volume ÷ fund principal, 4 decimals half-up (e.g. 12.3457)."""
    _check_fund(fund_principal_fen)
    with localcontext(_CTX):
        return (Decimal(cumulative_volume_fen) / Decimal(fund_principal_fen)).quantize(
            _DISPLAY_4, rounding=ROUND_HALF_UP
        )


def _principal_day_sum(
    changes: Sequence[tuple[dt.date, int]], start: dt.date, end: dt.date
) -> tuple[int, int]:
    """(Σ principal × days, days) over [start, end] for a step function of principal changes."""
    if end < start:
        raise BridgeError("invalid_period", f"期间结束日 {end.isoformat()} 早于开始日 {start.isoformat()}")
    steps = sorted(changes)
    if len({since for since, _ in steps}) != len(steps):
        raise BridgeError("principal_duplicate", "资金本金额度记录的生效日重复")
    if not steps or steps[0][0] > start:
        raise BridgeError(
            "principal_unknown", f"{start.isoformat()} 的资金本金额度未知（缺少该日之前的本金记录）"
        )
    total = 0
    for i, (since, amount) in enumerate(steps):
        if amount < 0:
            raise BridgeError("invalid_fund_principal", "资金本金额度不能为负")
        until = steps[i + 1][0] - dt.timedelta(days=1) if i + 1 < len(steps) else end
        lo, hi = max(since, start), min(until, end)
        if lo <= hi:
            total += amount * days_inclusive(lo, hi)
    return total, days_inclusive(start, end)


def time_weighted_principal(changes: Sequence[tuple[dt.date, int]], start: dt.date, end: dt.date) -> Decimal:
    """Day-weighted average fund principal over [start, end] (fen, 2 decimals half-up).

    ``changes`` is ``[(effective_date, principal_fen), ...]``; between changes the earlier
    amount stays in force (like the LPR table).
    """
    total, days = _principal_day_sum(changes, start, end)
    with localcontext(_CTX):
        return (Decimal(total) / days).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def turnover_rate_weighted(
    cumulative_volume_fen: int, changes: Sequence[tuple[dt.date, int]], start: dt.date, end: dt.date
) -> Decimal:
    """Turnover with the day-weighted average principal as denominator (mid-year changes)."""
    total, days = _principal_day_sum(changes, start, end)
    if total <= 0:
        raise BridgeError("invalid_fund_principal", "期间平均本金额度必须大于零", "fund_principal")
    with localcontext(_CTX):
        return (Decimal(cumulative_volume_fen) * days / Decimal(total)).quantize(
            _DISPLAY_4, rounding=ROUND_HALF_UP
        )
