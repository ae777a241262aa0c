from liuzhuan.core.daily import daily_job

from .agreements import actions as agreements
from .runs import actions as runs


@daily_job("抵销协议逾期失效")
def lapse_agreements(today):
    return {"失效协议": agreements.lapse_overdue(today)}


@daily_job("每周一自动发起抵销测算")
def weekly_run(today):
    run = runs.schedule_weekly(today)
    return {"发起测算": 1 if run else 0}
