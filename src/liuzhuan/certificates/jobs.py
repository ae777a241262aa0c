from liuzhuan.core.daily import daily_job

from . import actions


@daily_job("凭证转让逾期失效")
def lapse_offers(today):
    return {"失效转让": actions.lapse_expired_offers(today)}
