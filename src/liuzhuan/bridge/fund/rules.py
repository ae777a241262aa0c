"""The rules that decide on the fund itself. Pure module: no Django import.

* 第二十二条 — risk exposure (principal of overdue loans and loans under recovery ÷ fund principal):
  at 30 % (含30%) the business halts; it resumes only below 30 % and with the finance bureau's
  approval. The bureau's warning line (below 30 %) uses the same comparison (``reaches``).
  ``fund/actions.py`` (``reevaluate_exposure``) applies these rules to the books.
* 第二十五条 — turnover: cumulative bridge volume ÷ fund principal, simple and day-weighted.
* 第三条、第六条、第八条（一）— 本市: the fund's city is a region code; applicants and partner
  banks' branches are in it when characters 3–8 of their 统一社会信用代码 start with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext

from liuzhuan.core.dates import days_inclusive

from ..rates.common import CTX, FOUR_PLACES, BridgeError, check_fund_principal

#: Article 22: suspend at 30 % (inclusive) of the fund principal; resume only below it.
SUSPEND_THRESHOLD_PERCENT = 30


def reaches(at_risk_fen: int, fund_principal_fen: int, percent: int) -> bool:
    """Exposure at or above ``percent`` of the fund principal (含): the halt line or the warning line."""
    check_fund_principal(fund_principal_fen)
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
    check_fund_principal(fund_principal_fen)
    with localcontext(CTX):
        return (Decimal(cumulative_volume_fen) / Decimal(fund_principal_fen)).quantize(
            FOUR_PLACES, rounding=ROUND_HALF_UP
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
    with localcontext(CTX):
        return (Decimal(total) / days).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def turnover_rate_weighted(
    cumulative_volume_fen: int, changes: Sequence[tuple[dt.date, int]], start: dt.date, end: dt.date
) -> Decimal:
    """Turnover with the day-weighted average principal as denominator (mid-year changes)."""
    total, days = _principal_day_sum(changes, start, end)
    if total <= 0:
        raise BridgeError("invalid_fund_principal", "期间平均本金额度必须大于零", "fund_principal")
    with localcontext(CTX):
        return (Decimal(cumulative_volume_fen) * days / Decimal(total)).quantize(
            FOUR_PLACES, rounding=ROUND_HALF_UP
        )


# ---------------------------------------------------------------------------------------------
# 本市 (第三条、第八条（一）): the region digits of the 统一社会信用代码
# ---------------------------------------------------------------------------------------------

#: characters 3–8 of a 统一社会信用代码 are the administrative division (GB/T 2260) of the
#: registration authority
USCC_REGION = slice(2, 8)


def uscc_region(legal_id: str) -> str:
    """The 6-digit administrative division code of a 统一社会信用代码 ("" when it has none)."""
    code = (legal_id or "").strip().upper()
    region = code[USCC_REGION] if len(code) == 18 else ""
    return region if region.isdigit() else ""


def valid_region_prefix(prefix: str) -> bool:
    """A city's region prefix: 2, 4 or 6 digits (province, prefecture, county-level city or district)."""
    return prefix.isdigit() and len(prefix) in (2, 4, 6)


def in_region(region: str, prefix: str) -> bool:
    return bool(region) and bool(prefix) and region.startswith(prefix)


def locality_refusal(org_type: str, legal_id: str, prefix: str, name: str) -> str | None:
    """Why ``name`` does not count as registered in this city (第三条「在桐城市行政区域内」、第八条（一）
    「在本市工商注册登记」), or None. A natural person's ID number says where they were born, not
    where a business is registered, so only a 统一社会信用代码 can show it."""
    if org_type == "person":
        return (f"{name}以居民身份证号码注册，无法证明在本市工商注册登记；个体工商户、小微企业请以营业执照的"
                "统一社会信用代码注册后申请（第三条、第八条（一））")
    region = uscc_region(legal_id)
    if not in_region(region, prefix):
        return (f"{name}的统一社会信用代码登记地（第 3–8 位“{region or '无'}”）不在本市行政区域（区划代码 {prefix}），"
                "续贷过桥资金仅支持在本市工商注册登记的中小企业（第三条、第八条（一））")
    return None
