"""``liuzhuan daily`` job for the bridge fund. Idempotent: a second run the same day changes nothing.

Each step decides from state, not from the clock alone: a loan is marked overdue once (its
status changes), the penalty is recomputed from the repayment history and written only when the
amount changes, a report draft exists once per quarter, each reminder has a unique row, the
exposure switch only fires on an open fund, and the rate alert carries a dedupe key. The steps
live with their stage; this module runs them in order, in the daily job's transaction.
"""

from __future__ import annotations

import datetime as dt

from liuzhuan.core.daily import daily_job

from .fund.actions import SYSTEM, check_rates_against_cap, reevaluate_exposure
from .loan.actions import accrue_penalties
from .models.fund import Fund
from .recovery.actions import mark_overdue
from .reports.actions import quarterly_reports


@daily_job("bridge")
def bridge_daily(today: dt.date) -> dict:
    fund = Fund.objects.select_for_update().select_related("manager", "bureau").filter(pk=1).first()
    if fund is None:
        return {}
    counts = {
        "逾期": mark_overdue(fund, today),
        "违约金计提": accrue_penalties(today),
        "自动暂停": int(reevaluate_exposure(fund, SYSTEM, f"{today.isoformat()} 日终风险监测", on=today)),
        "利率上限提醒": int(check_rates_against_cap(fund, SYSTEM, today)),
    }
    counts.update(quarterly_reports(fund, today))
    return {k: v for k, v in counts.items() if v}
