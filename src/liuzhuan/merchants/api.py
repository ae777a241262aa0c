"""Merchant API (/api/v1/merchants): browse, profile, catalogue, orders, settlement, oversight.
Errors are ``{code, message, field}`` in Chinese, naming the request field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import Strict

from liuzhuan.core.api_pages import paged, rows
from liuzhuan.core.api_types import Date, Fen, Id, IdIn
from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.core.roles import OVERSIGHT_ROLES, Role
from liuzhuan.members.api_auth import acting_user

from . import actions, queries
from .filters import ItemFilter
from .models import CatalogueItem, MerchantProfile, Order
from .rules import Line

router = Router()
#: stock: a JSON integer, 0..10,000,000 (null: unlimited, for services)
Stock = Annotated[int, Strict(), Field(ge=0, le=10_000_000, description="库存（JSON 整数，0–10,000,000）；服务可为空表示不限")]
#: a line's quantity: a JSON integer, 1..9999
Quantity = Annotated[int, Strict(), Field(ge=1, le=9999, description="数量（JSON 整数，1–9999）")]
#: who may browse the market: members (buyers), merchants and the oversight roles, as on the pages
BROWSERS = (Role.MEMBER, Role.MERCHANT, *OVERSIGHT_ROLES)


def _browser(request: HttpRequest):
    user = acting_user(request)
    if not user.organisation.has_any_role(BROWSERS):
        raise PermissionDenied("特约商户信息仅限会员、特约商户及监管查看", code="role_required")
    return user


class ProfileIn(Schema):
    shop_name: str
    category: str = Field(..., description="retail / food / building / auto / appliance / equipment / service / other")
    address: str
    contact_name: str
    contact_phone: str
    service_area: str = ""
    accepts_transfer: bool = True
    accepts_offset: bool = True


class ProfileOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    shop_name: str
    category: str
    address: str
    contact_name: str
    contact_phone: str
    service_area: str
    modes: list[str]

    @staticmethod
    def of(p: MerchantProfile) -> ProfileOut:
        return ProfileOut(id=p.pk, organisation_id=p.organisation_id, organisation=p.organisation.name, shop_name=p.shop_name,
                          category=p.category, address=p.address, contact_name=p.contact_name, contact_phone=p.contact_phone,
                          service_area=p.service_area, modes=p.modes)


class ItemIn(Schema):
    name: str
    kind: str = Field("goods", description="goods（商品）或 service（服务）")
    category: str
    price_fen: Fen
    stock: Stock | None = None
    valid_from: Date | None = None
    valid_until: Date | None = None
    description: str = ""


class ItemOut(Schema):
    id: int
    merchant_id: int
    merchant: str
    kind: str
    name: str
    category: str
    price_fen: int
    stock: int | None
    valid_from: dt.date | None
    valid_until: dt.date | None
    description: str
    on_shelf: bool

    @staticmethod
    def of(i: CatalogueItem) -> ItemOut:
        return ItemOut(id=i.pk, merchant_id=i.merchant_id, merchant=i.merchant.shop_name, kind=i.kind, name=i.name, category=i.category,
                       price_fen=i.price_fen, stock=i.stock, valid_from=i.valid_from, valid_until=i.valid_until,
                       description=i.description, on_shelf=i.on_shelf)


class ShelfIn(Schema):
    on_shelf: bool


class LineIn(Schema):
    item_id: IdIn
    quantity: Quantity


class OrderIn(Schema):
    merchant_id: IdIn
    lines: list[LineIn] = Field(..., max_length=100)
    mode: str = Field(..., description="transfer（凭证债权转让给商户）或 offset（商户为凭证债务人时消费抵付）")
    piece_id: IdIn
    note: str = ""


class ReasonIn(Schema):
    reason: str = ""


class LineOut(Schema):
    item_id: int
    name: str
    unit_price_fen: int
    quantity: int
    amount_fen: int


class OrderOut(Schema):
    id: int
    number: str
    buyer_id: int
    merchant_id: int
    mode: str
    piece_id: int
    total_fen: int
    status: str
    status_label: str
    transfer_id: int | None
    offset_id: int | None
    lines: list[LineOut]
    settlement_no: str | None
    registration_no: str | None
    placed_at: dt.datetime
    closed_reason: str

    @staticmethod
    def of(o: Order) -> OrderOut:
        s = getattr(o, "settlement", None) if o.status == "settled" else None
        return OrderOut(id=o.pk, number=o.number, buyer_id=o.buyer_id, merchant_id=o.merchant_id, mode=o.mode, piece_id=o.piece_id,
                        total_fen=o.total_fen, status=o.status, status_label=o.get_status_display(), transfer_id=o.transfer_id,
                        offset_id=o.offset_id, lines=[LineOut(item_id=x.item_id, name=x.name, unit_price_fen=x.unit_price_fen,
                                                              quantity=x.quantity, amount_fen=x.amount_fen) for x in o.lines.all()],
                        settlement_no=s.number if s else None, registration_no=s.registration_no if s else None,
                        placed_at=o.placed_at, closed_reason=o.closed_reason)


class SalesOut(Schema):
    months: list[str]
    series: list[dict]


@router.get("/items", response=list[ItemOut], summary="浏览在售商品及服务（搜索、类别、商户、类型、最高单价、有货）")
@paged(200, 50)
def list_items(request: HttpRequest, q: str = "", category: str = "", merchant: Id | None = None, kind: str = "",
               max_price: float | None = None, in_stock: bool | None = None):
    _browser(request)
    fs = ItemFilter(request.GET, queryset=queries.on_sale())
    if not fs.is_valid():
        field, errors = next(iter(fs.errors.items()))
        raise DomainError("filter_invalid", f"筛选条件 {field} 有误：{'；'.join(errors)}", field=field)
    return rows(fs.qs, ItemOut.of)


@router.get("/items/{item_id}", response=ItemOut, summary="在售商品或服务详情")
def get_item(request: HttpRequest, item_id: Id):
    _browser(request)
    return ItemOut.of(queries.get_on_sale(item_id))


@router.get("/profiles", response=list[ProfileOut], summary="特约商户（已通过会员审核）")
@paged(1000)
def list_profiles(request: HttpRequest):
    _browser(request)
    return rows(queries.approved_profiles().order_by("shop_name", "pk"), ProfileOut.of)


@router.post("/profile", response=ProfileOut, summary="保存本机构的特约商户档案")
def save_profile(request: HttpRequest, payload: ProfileIn):
    return ProfileOut.of(actions.save_profile(acting_user(request, write=True), **payload.dict()))


@router.get("/catalogue", response=list[ItemOut], summary="本商户的商品及服务（含已下架）")
@paged(1000)
def own_catalogue(request: HttpRequest):
    return rows(queries.own_items(acting_user(request)).select_related("merchant"), ItemOut.of)


@router.post("/catalogue", response={201: ItemOut}, summary="发布商品或服务")
def add_item(request: HttpRequest, payload: ItemIn):
    return Status(201, ItemOut.of(actions.add_item(acting_user(request, write=True), **payload.dict())))


@router.post("/catalogue/{item_id}", response=ItemOut, summary="修改商品或服务")
def edit_item(request: HttpRequest, item_id: Id, payload: ItemIn):
    return ItemOut.of(actions.edit_item(acting_user(request, write=True), item_id, **payload.dict()))


@router.post("/catalogue/{item_id}/shelf", response=ItemOut, summary="上架或下架")
def set_shelf(request: HttpRequest, item_id: Id, payload: ShelfIn):
    return ItemOut.of(actions.set_shelf(acting_user(request, write=True), item_id, payload.on_shelf))


@router.post("/orders", response={201: OrderOut}, summary="下单并以凭证债权支付（锁定债权、扣减库存）")
def place_order(request: HttpRequest, payload: OrderIn):
    order = actions.place_order(acting_user(request, write=True), payload.merchant_id,
                                [Line(x.item_id, x.quantity) for x in payload.lines], mode=payload.mode, piece_id=payload.piece_id,
                                note=payload.note)
    return Status(201, OrderOut.of(order))


@router.get("/orders", response=list[OrderOut], summary="我的订单（买方）")
@paged(1000)
def my_orders(request: HttpRequest):
    return rows(queries.bought(acting_user(request)).prefetch_related("lines"), OrderOut.of)


@router.get("/sales", response=list[OrderOut], summary="收到的订单（商户）")
@paged(1000)
def my_sales(request: HttpRequest):
    return rows(queries.received(acting_user(request)).prefetch_related("lines"), OrderOut.of)


@router.get("/orders/{order_id}", response=OrderOut, summary="订单详情（买方、商户或监管）")
def get_order(request: HttpRequest, order_id: Id):
    return OrderOut.of(queries.get_order(acting_user(request), order_id))


@router.post("/orders/{order_id}/settle", response=OrderOut, summary="商户结算（签收转让或注销抵付债权），生成结算单")
def settle_order(request: HttpRequest, order_id: Id):
    user = acting_user(request, write=True)
    actions.settle_order(user, order_id)
    return OrderOut.of(queries.get_order(user, order_id))


@router.post("/orders/{order_id}/cancel", response=OrderOut, summary="结算前撤销（买方）或拒绝（商户，须说明理由）")
def cancel_order(request: HttpRequest, order_id: Id, payload: ReasonIn):
    return OrderOut.of(actions.cancel_order(acting_user(request, write=True), order_id, payload.reason))


@router.get("/oversight/sales", response=SalesOut, summary="特约商户按类别、按月的结算金额（监管只读）")
def oversight_sales(request: HttpRequest):
    user = acting_user(request)
    if not user.organisation.has_any_role(OVERSIGHT_ROLES):
        raise PermissionDenied("此查询仅限运营机构、监管部门和财政局", code="role_required")
    return SalesOut(**queries.sales_by_category_month())
