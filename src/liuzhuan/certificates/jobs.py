from liuzhuan.core.daily import daily_job

from . import actions


@daily_job("凭证转让逾期失效")
def lapse_offers(today):
    return {"失效转让": actions.lapse_expired_offers(today)}


@daily_job("凭证到期展期、逾期与到期提醒")
def maturities(today):
    from . import lifecycle

    return lifecycle.process_maturities(today)


@daily_job("收购承诺到期")
def expire_commitments(today):
    from . import lifecycle

    return {"到期承诺": lifecycle.expire_commitments(today)}
