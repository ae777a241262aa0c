"""One bridge loan priced and checked (试算): days, amount, rate, cap and fee, with the refusals
and the notes a clerk needs. Pure module: no Django import."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from liuzhuan.core.money import format_plain

from .common import BridgeError, lpr_str, per_10k_str, percent_str, rate_str
from .fees import (
    DEFAULT_BASIS,
    MODE_ENTRUSTED,
    MODE_SELF,
    RateCap,
    amount_reasons,
    annual_to_daily,
    cap_daily_rate,
    check_basis,
    check_daily_rate,
    check_days,
    check_mode,
    check_multiplier,
    daily_to_annual,
    entrusted_annual_rate,
    exact_daily_rate,
    fee_fen,
    fee_fen_from_annual,
    max_amount_fen,
    usage_days,
)
from .lpr import LprRow, LprTable, LprUnavailable, default_table, jan1_lpr
from .penalty import penalty_rate_cap

RATE_SOURCE_CAP = "cap"
RATE_SOURCE_CONFIGURED = "configured"
RATE_SOURCE_ENTRUSTED = "entrusted_jan1_lpr"


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
                f"使用期内一年期 LPR 于 {change.effective_date.isoformat()} 调整为 {lpr_str(change.lpr_1y)}，"
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
