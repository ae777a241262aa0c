"""Demo purchase commitments: the market purchaser is approved (maker-checker) and commits on the
flour certificate; 金穗农业 (sme01, the first demo login) takes part of that certificate and holds it
under a second commitment whose lock-up has already ended, so the sale after lock-up can be tried."""

from __future__ import annotations

import datetime as dt

from liuzhuan.core.dates import today_china
from liuzhuan.members.demo import org

from ..circulation import actions as circulation
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

    piece = cert.pieces.get()
    offer = circulation.offer_transfer(user("sme02_boss"), piece.pk, org("sme01").pk, 30_000_00, "ZR-2025-0520")
    circulation.accept_offer(user("sme01_boss"), offer.pk)
    made = today - dt.timedelta(days=90)  # entrusted three months ago, locked up to yesterday
    c = actions.request_commitment(
        user("sme01_boss"), cert.pk, org("purchaser").pk, price_kind="percent", price_bp=9600,
        lockup_end=today - dt.timedelta(days=1), expiry=today + dt.timedelta(days=150),
        conditions="锁定期满后，持有人可申请按债权金额的 96% 转让；收购方于确认后 5 个工作日内付款。",
        agreement_ref="XT-WT-2025-004", on=made)
    actions.accept_commitment(user("xt_zheng"), c.pk)
