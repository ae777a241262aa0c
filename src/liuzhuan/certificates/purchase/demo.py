"""Demo purchase commitment: the market purchaser is approved (maker-checker) and commits on the
flour certificate."""

from __future__ import annotations

import datetime as dt

from liuzhuan.core.dates import today_china
from liuzhuan.members.demo import org

from ..ledger.demo import user
from ..ledger.models import Certificate
from . import actions


def load(cert: Certificate) -> None:
    today = today_china()
    clerk, checker = user("op_clerk"), user("op_checker")
    provider = actions.prepare_provider(clerk, org("purchaser").pk, 5_000_000_00, "区属国有市场化收购主体")
    actions.decide_provider(checker, provider.pk, True)
    c = actions.request_commitment(
        user("sme02_boss"), cert.pk, org("purchaser").pk, price_kind="percent", price_bp=9500,
        lockup_end=today + dt.timedelta(days=60), expiry=today + dt.timedelta(days=240),
        conditions="锁定期满后，持有人可申请按债权金额的 95% 一次性转让；收购方于确认后 5 个工作日内付款。", agreement_ref="XT-WT-2025-006")
    actions.accept_commitment(user("xt_zheng"), c.pk)
