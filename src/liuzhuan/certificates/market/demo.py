"""Demo market purchase (化解债务风险): the purchaser buys 宏宇装饰's receivable; the certificate
application waits for the SME."""

from __future__ import annotations

import datetime as dt

from liuzhuan.core.dates import today_china
from liuzhuan.members.demo import org

from ..ledger.demo import user
from . import actions


def load() -> None:
    today = today_china()
    rp = actions.record_receivable_purchase(
        user("xt_zheng"), seller_id=org("sme10").pk, original_debtor_name="临河区某房地产开发有限公司", receivable_fen=380_000_00,
        price_fen=300_000_00, agreement_ref="XT-SG-2025-011", agreement_date=today - dt.timedelta(days=3), description="装饰工程款，逾期 14 个月")
    actions.apply_for_purchase_certificate(user("xt_zheng"), rp.pk, maturity_date=today + dt.timedelta(days=180),
                                           offset_scope=("house", "parking"), extension_days=90, extension_max=1)
