"""Certificates' daily jobs (``liuzhuan daily``); each calls its sub-package's action."""

from liuzhuan.core.daily import daily_job

from .circulation import actions as circulation
from .maturity import actions as maturity
from .purchase import actions as purchase


@daily_job("凭证转让逾期失效")
def lapse_offers(today):
    return {"失效转让": circulation.lapse_expired_offers(today)}


@daily_job("凭证到期展期、逾期与到期提醒")
def maturities(today):
    return maturity.process_maturities(today)


@daily_job("收购承诺到期")
def expire_commitments(today):
    return {"到期承诺": purchase.expire_commitments(today)}
