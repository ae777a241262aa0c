"""Read-only helpers for the merchant pages, the API and oversight; "not yours" is "not found"."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.timezone import localtime

from liuzhuan.certificates.ledger.models import Piece, PieceStatus
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import NotFound
from liuzhuan.core.roles import Role
from liuzhuan.members.models import OrganisationRole, OrgStatus, User
from liuzhuan.members.queries import sees_all

from .models import CatalogueItem, MerchantProfile, Order, OrderLine, OrderStatus, Settlement, ShopCategory


def approved_profiles() -> QuerySet[MerchantProfile]:
    """Profiles of organisations in standing as 特约商户 (active, merchant and member roles)."""
    roles = OrganisationRole.objects.filter(organisation=OuterRef("organisation_id"))
    return (MerchantProfile.objects.filter(organisation__status=OrgStatus.ACTIVE)
            .filter(Exists(roles.filter(role=Role.MERCHANT)), Exists(roles.filter(role=Role.MEMBER)))
            .select_related("organisation"))


def on_sale(today: dt.date | None = None) -> QuerySet[CatalogueItem]:
    """What members may buy today: on shelf, within validity, from an approved merchant."""
    today = today or today_china()
    return (CatalogueItem.objects.filter(on_shelf=True, merchant__in=approved_profiles())
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today), Q(valid_until__isnull=True) | Q(valid_until__gte=today))
            .select_related("merchant").order_by("merchant__shop_name", "name", "pk"))


def get_on_sale(item_id: int) -> CatalogueItem:
    item = on_sale().filter(pk=item_id).first()
    if item is None:
        raise NotFound("商品或服务不存在或已下架")
    return item


def own_profile(user: User) -> MerchantProfile | None:
    return MerchantProfile.objects.filter(organisation_id=user.organisation_id).select_related("organisation").first()


def own_items(user: User) -> QuerySet[CatalogueItem]:
    return CatalogueItem.objects.filter(merchant__organisation_id=user.organisation_id).order_by("-on_shelf", "name", "pk")


def get_own_item(user: User, item_id: int) -> CatalogueItem:
    item = own_items(user).filter(pk=item_id).first()
    if item is None:
        raise NotFound("商品或服务不存在")
    return item


def bought(user: User) -> QuerySet[Order]:
    return Order.objects.filter(buyer_id=user.organisation_id).select_related("merchant", "settlement")


def received(user: User) -> QuerySet[Order]:
    return Order.objects.filter(merchant__organisation_id=user.organisation_id).select_related("buyer", "settlement")


def get_order(user: User, order_id: int) -> Order:
    """The buyer, the merchant and the oversight roles see an order; anyone else: not found."""
    order = Order.objects.select_related("merchant__organisation", "buyer", "piece", "transfer", "offset").filter(pk=order_id).first()
    if order is None or not (sees_all(user) or user.organisation_id in (order.buyer_id, order.merchant.organisation_id)):
        raise NotFound("订单不存在")
    return order


def get_settlement(user: User, order_id: int) -> Settlement:
    order = get_order(user, order_id)
    settlement = Settlement.objects.filter(order=order).select_related("settled_by").first()
    if settlement is None:
        raise NotFound("该订单尚未结算，没有收据")
    settlement.order = order
    return settlement


def live_pieces(user: User) -> QuerySet[Piece]:
    """The pieces the user's organisation may pay with (live), largest first."""
    return (Piece.objects.filter(holder_id=user.organisation_id, status=PieceStatus.LIVE)
            .select_related("certificate__debtor").order_by("-amount_fen", "pk"))


def held_credit(user: User) -> dict:
    pieces = list(live_pieces(user)[:200])
    return {"pieces": pieces, "total_fen": sum(p.amount_fen for p in pieces)}


def sales_by_category_month(months: int = 12, today: dt.date | None = None) -> dict:
    """Settled sales of the last ``months`` months by item category (integer fen), for the chart."""
    today = today or today_china()
    labels = []
    y, m = today.year, today.month
    for _ in range(months):
        labels.append(f"{y}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    labels.reverse()
    start = dt.date(int(labels[0][:4]), int(labels[0][5:]), 1)
    totals: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(labels, 0))
    rows = OrderLine.objects.filter(order__status=OrderStatus.SETTLED, order__settlement__settled_at__date__gte=start).values_list(
        "item__category", "order__settlement__settled_at", "amount_fen")
    for category, at, amount in rows:
        month = f"{localtime(at):%Y-%m}"
        if month in labels:
            totals[category][month] += amount
    names = dict(ShopCategory.choices)
    return {"months": labels, "series": [{"name": names.get(c, c), "data": [totals[c][mo] for mo in labels]}
                                         for c, _ in ShopCategory.choices if c in totals]}


def merchant_figures() -> list[dict]:
    """Per merchant: items on shelf, orders settled and amounts by mode (oversight)."""
    out = []
    profiles = MerchantProfile.objects.select_related("organisation").order_by("shop_name", "pk")
    settled = defaultdict(lambda: {"count": 0, "transfer_fen": 0, "offset_fen": 0})
    for merchant_id, mode, n, total in (Order.objects.filter(status=OrderStatus.SETTLED).values_list("merchant_id", "mode")
                                        .annotate(n=Count("pk"), t=Sum("total_fen")).order_by()):
        s = settled[merchant_id]
        s["count"] += n
        s[f"{mode}_fen"] += total
    shelf = defaultdict(int, CatalogueItem.objects.filter(on_shelf=True).values_list("merchant_id").annotate(n=Count("pk")).order_by())
    approved = set(approved_profiles().values_list("pk", flat=True))
    for p in profiles:
        out.append({"profile": p, "approved": p.pk in approved, "on_shelf": shelf[p.pk], **settled[p.pk]})
    return out
