"""The overdue penalty (违约金, 第十七条): at most 4 × the 1-year LPR the contract executes, charged
per overdue day on the unrepaid principal, rounded once. Pure module: no Django import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, localcontext

from liuzhuan.core.money import round_half_up_fen

from .common import CTX, BridgeError, lpr_str, percent_str
from .fees import DEFAULT_BASIS, check_basis, lpr_cap_annual


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
            f"{lpr_str(contract_lpr_1y)} 的四倍即 {percent_str(cap, 2)}（第十七条）"
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
    with localcontext(CTX):
        return round_half_up_fen(Decimal(principal_fen) * annual_rate * days_overdue / basis)
