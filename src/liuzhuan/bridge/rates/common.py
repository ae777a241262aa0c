"""What every bridge rule shares: the error for input the rules cannot work with, the working
precision, and how rates, percentages and the risk ratio are written. Pure module: no Django import."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from liuzhuan.core.errors import DomainError

#: Working precision for rate arithmetic (the default context keeps only 28 digits).
CTX = Context(prec=60)

HUNDRED = Decimal(100)
PER_10K = Decimal(10000)
#: four decimals: a rate in ‱ and a turnover figure are rounded to this
FOUR_PLACES = Decimal("0.0001")


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class BridgeError(DomainError):
    """Input the rules cannot work with (not a refusal: refusals are listed in ``Quote.reasons``)."""


# --------------------------------------------------------------------------------------------
# Formatting helpers (used by the CLI and by the Chinese messages)
# --------------------------------------------------------------------------------------------


def rate_str(rate: Decimal) -> str:
    """Plain decimal string without exponent or trailing zeros: ``0.00033``."""
    text = format(rate.normalize(), "f")
    return text


def per_10k_str(rate: Decimal) -> str:
    """A daily rate in per ten-thousand, 4 decimals: ``3.3000‱``."""
    return f"{(rate * PER_10K).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)}‱"


def percent_str(fraction: Decimal, places: int = 4) -> str:
    """A fraction as percent: ``0.12`` → ``12.0000%``."""
    with localcontext(CTX):
        value = (fraction * HUNDRED).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{value}%"


def lpr_str(lpr_percent: Decimal) -> str:
    return f"{lpr_percent.quantize(Decimal('0.01'))}%"


# --------------------------------------------------------------------------------------------
# The fund principal as a denominator (Article 22 exposure, Article 25 turnover)
# --------------------------------------------------------------------------------------------


def check_fund_principal(fund_principal_fen: int) -> None:
    if fund_principal_fen <= 0:
        raise BridgeError("invalid_fund_principal", "过桥资金本金总额必须大于零", "fund_principal")


def exposure_ratio(at_risk_fen: int, fund_principal_fen: int) -> Decimal:
    """Principal at risk ÷ fund principal (a fraction; for display — decisions use integers)."""
    check_fund_principal(fund_principal_fen)
    with localcontext(CTX):
        return Decimal(at_risk_fen) / Decimal(fund_principal_fen)
