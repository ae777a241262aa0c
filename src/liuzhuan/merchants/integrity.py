"""Merchant invariants for ``liuzhuan verify``: an order's lines add up to its total, and its
payment stands where the order says — reserved while pending, passed or cancelled once settled,
released once cancelled or refused."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Sum

from liuzhuan.certificates.ledger.models import OfferStatus
from liuzhuan.certificates.offset.models import OffsetStatus
from liuzhuan.core.integrity import invariant

from .models import Order, OrderLine, OrderStatus

#: order status → the transfer / offset statuses its payment may be in
TRANSFER_STATES = {
    OrderStatus.PENDING: {OfferStatus.OFFERED, OfferStatus.CANCELLED, OfferStatus.DECLINED, OfferStatus.LAPSED},
    OrderStatus.SETTLED: {OfferStatus.ACCEPTED},
    OrderStatus.CANCELLED: {OfferStatus.CANCELLED, OfferStatus.DECLINED, OfferStatus.LAPSED},
    OrderStatus.REFUSED: {OfferStatus.CANCELLED, OfferStatus.DECLINED, OfferStatus.LAPSED},
}
OFFSET_STATES = {
    OrderStatus.PENDING: {OffsetStatus.AGREED, OffsetStatus.WITHDRAWN, OffsetStatus.REFUSED},
    OrderStatus.SETTLED: {OffsetStatus.RECEIVED, OffsetStatus.COMPLETED},  # settled, then the operator's 注销登记
    OrderStatus.CANCELLED: {OffsetStatus.WITHDRAWN, OffsetStatus.REFUSED},
    OrderStatus.REFUSED: {OffsetStatus.WITHDRAWN, OffsetStatus.REFUSED},
}


@invariant("特约商户订单：明细合计、支付状态与结算单一致")
def orders_match_payments() -> Iterator[str]:
    sums = dict(OrderLine.objects.values("order_id").annotate(s=Sum("amount_fen")).values_list("order_id", "s"))
    rows = Order.objects.values_list("pk", "number", "status", "mode", "total_fen", "transfer__status", "transfer__amount_fen",
                                     "offset__status", "offset__amount_fen", "settlement__amount_fen").iterator()
    for pk, number, status, mode, total, t_status, t_amount, o_status, o_amount, settled in rows:
        if sums.get(pk) != total:
            yield f"订单 {number}：明细合计 {sums.get(pk)} 分与订单金额 {total} 分不符"
        pay_status, pay_amount = (t_status, t_amount) if mode == "transfer" else (o_status, o_amount)
        allowed = (TRANSFER_STATES if mode == "transfer" else OFFSET_STATES)[status]
        if pay_status not in allowed:
            yield f"订单 {number}（{status}）：支付记录状态为 {pay_status}"
        if pay_amount != total:
            yield f"订单 {number}：支付锁定金额 {pay_amount} 分与订单金额 {total} 分不符"
        if (status == OrderStatus.SETTLED) != (settled is not None) or (settled is not None and settled != total):
            yield f"订单 {number}：结算单与订单状态或金额不符"
