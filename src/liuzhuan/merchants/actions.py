"""The only code that changes the merchant market: profiles, catalogue, orders, settlement.

Each action checks who is asking, validates, locks (catalogue items by pk, then — through the
certificate actions it calls — certificate and pieces, then the order), writes, notifies and
audits, all in one transaction; a ``DomainError`` means nothing changed. Credit never moves here:
paying calls certificates' circulation (transfer offer, acceptance) or its offset counter hook.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.certificates.ledger.checks import MAX_TEXT, ceiling, member_actor, required_text
from liuzhuan.certificates.ledger.models import OfferStatus
from liuzhuan.certificates.offset import actions as offsetting
from liuzhuan.certificates.offset import counter
from liuzhuan.certificates.offset.models import CLOSABLE_OFFSET_STATUSES
from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from liuzhuan.core.money import format_yuan
from liuzhuan.core.numbers import next_number
from liuzhuan.core.permissions import require_role, require_write_access
from liuzhuan.core.roles import Role
from liuzhuan.members.actions import notify
from liuzhuan.members.models import OrgStatus, User

from . import rules
from .models import (
    CatalogueItem,
    ItemKind,
    MerchantProfile,
    Order,
    OrderLine,
    OrderStatus,
    PayMode,
    Settlement,
    ShopCategory,
)
from .receipt import render_receipt


def is_approved(profile: MerchantProfile) -> bool:
    """特约商户 in standing: its organisation passed member review (active), holds the merchant role,
    and is a member (certificate credit is held and cancelled between members)."""
    org = profile.organisation
    return org.status == OrgStatus.ACTIVE and org.has_role(Role.MERCHANT) and org.has_role(Role.MEMBER)


def require_approved(profile: MerchantProfile, what: str, field: str | None = None) -> None:
    if not is_approved(profile):
        raise DomainError("merchant_not_approved", f"商户“{profile.shop_name}”尚未通过会员审核成为特约商户（或已暂停），不能{what}",
                          field=field)


def _merchant_actor(actor: User) -> MerchantProfile:
    """A user of an organisation holding the merchant role, with its profile saved."""
    require_write_access(actor)
    require_role(actor, Role.MERCHANT, active_org=False)
    profile = MerchantProfile.objects.select_related("organisation").filter(organisation_id=actor.organisation_id).first()
    if profile is None:
        raise DomainError("profile_required", "请先填写特约商户档案")
    return profile


# ---- profile -----------------------------------------------------------------------------------

def save_profile(actor: User, *, shop_name: str, category: str, address: str, contact_name: str, contact_phone: str,
                 service_area: str = "", accepts_transfer: bool = True, accepts_offset: bool = True) -> MerchantProfile:
    """The merchant's shop details; may be prepared while its member review is pending."""
    require_write_access(actor)
    require_role(actor, Role.MERCHANT, active_org=False)
    fields = {
        "shop_name": required_text(shop_name, "shop_name_required", "请填写商户名称", "shop_name"),
        "address": required_text(address, "address_required", "请填写经营地址", "address", 200),
        "contact_name": required_text(contact_name, "contact_name_required", "请填写联系人", "contact_name", 50),
        "contact_phone": required_text(contact_phone, "contact_phone_required", "请填写联系电话", "contact_phone", 30),
        "service_area": (service_area or "").strip()[:200],
        "accepts_transfer": bool(accepts_transfer), "accepts_offset": bool(accepts_offset),
    }
    if category not in ShopCategory.values:
        raise DomainError("category_invalid", "请选择经营类别", field="category")
    if not (accepts_transfer or accepts_offset):
        raise DomainError("modes_required", "请至少选择一种接受的支付方式", field="accepts_transfer")
    with transaction.atomic():
        profile = MerchantProfile.objects.select_for_update().filter(organisation_id=actor.organisation_id).first()
        before = {k: getattr(profile, k) for k in fields} if profile else None
        if profile is None:
            profile = MerchantProfile(organisation_id=actor.organisation_id)
        for k, v in fields.items():
            setattr(profile, k, v)
        profile.category = category
        profile.updated_by = actor
        profile.updated_at = timezone.now()
        profile.save()
        audit.record(actor, "merchant.profile_save", profile, summary={"before": before, "after": {**fields, "category": category}})
        return profile


# ---- catalogue ---------------------------------------------------------------------------------

def _item_fields(*, name: str, kind: str, category: str, price_fen: int | None, stock: int | None,
                 valid_from: dt.date | None, valid_until: dt.date | None, description: str) -> dict:
    name = required_text(name, "item_name_required", "请填写商品或服务名称", "name")
    if kind not in ItemKind.values:
        raise DomainError("item_kind_invalid", "请选择商品或服务", field="kind")
    if category not in ShopCategory.values:
        raise DomainError("category_invalid", "请选择类别", field="category")
    if price_fen is None or price_fen <= 0:
        raise DomainError("price_not_positive", "单价必须大于零", field="price_fen")
    if price_fen > ceiling():
        raise DomainError("price_too_large", f"单价超过上限 {format_yuan(ceiling())}", field="price_fen")
    if stock is not None and not 0 <= stock <= 10_000_000:
        raise DomainError("stock_invalid", "库存须为 0 至 10,000,000 之间的整数（服务可留空表示不限）", field="stock")
    if kind == ItemKind.GOODS and stock is None:
        raise DomainError("stock_required", "商品须填写库存（服务可留空表示不限）", field="stock")
    if valid_from and valid_until and valid_until < valid_from:
        raise DomainError("validity_invalid", "有效期止不能早于有效期起", field="valid_until")
    return {"name": name, "kind": kind, "category": category, "price_fen": price_fen, "stock": stock,
            "valid_from": valid_from, "valid_until": valid_until, "description": (description or "").strip()[:500]}


def add_item(actor: User, *, name: str, kind: str, category: str, price_fen: int | None, stock: int | None = None,
             valid_from: dt.date | None = None, valid_until: dt.date | None = None, description: str = "",
             on_shelf: bool = True) -> CatalogueItem:
    """发布商品及服务信息 (seed 四(三)): only an approved merchant publishes."""
    profile = _merchant_actor(actor)
    fields = _item_fields(name=name, kind=kind, category=category, price_fen=price_fen, stock=stock, valid_from=valid_from,
                          valid_until=valid_until, description=description)
    require_approved(profile, "发布商品及服务")
    with transaction.atomic():
        item = CatalogueItem.objects.create(merchant=profile, on_shelf=bool(on_shelf), created_by=actor, **fields)
        audit.record(actor, "merchant.item_add", item, summary={**_jsonable(fields), "on_shelf": item.on_shelf})
        return item


def _jsonable(fields: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in fields.items()}


def _lock_own_item(actor: User, item_id: int, what: str) -> tuple[MerchantProfile, CatalogueItem]:
    profile = _merchant_actor(actor)
    item = CatalogueItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None or item.merchant_id != profile.pk:  # another merchant's item: not found
        raise NotFound("商品或服务不存在")
    require_approved(profile, what)
    return profile, item


def edit_item(actor: User, item_id: int, *, name: str, kind: str, category: str, price_fen: int | None, stock: int | None = None,
              valid_from: dt.date | None = None, valid_until: dt.date | None = None, description: str = "") -> CatalogueItem:
    """Change an item; orders already placed keep the price they were placed at (their lines)."""
    _merchant_actor(actor)  # who is asking, before what was typed
    fields = _item_fields(name=name, kind=kind, category=category, price_fen=price_fen, stock=stock, valid_from=valid_from,
                          valid_until=valid_until, description=description)
    with transaction.atomic():
        _profile, item = _lock_own_item(actor, item_id, "修改商品及服务")
        before = _jsonable({k: getattr(item, k) for k in fields})
        for k, v in fields.items():
            setattr(item, k, v)
        item.save()
        audit.record(actor, "merchant.item_edit", item, summary={"before": before, "after": _jsonable(fields)})
        return item


def set_shelf(actor: User, item_id: int, on_shelf: bool) -> CatalogueItem:
    """上架 / 下架."""
    with transaction.atomic():
        _profile, item = _lock_own_item(actor, item_id, "上架或下架")
        item.on_shelf = bool(on_shelf)
        item.save(update_fields=["on_shelf"])
        audit.record(actor, "merchant.item_shelf", item, summary={"name": item.name, "on_shelf": item.on_shelf})
        return item


# ---- orders ------------------------------------------------------------------------------------

_FIELD_OF = {"amount_fen": "piece_id", "to_org_id": "merchant_id", "agreement_ref": None, "reference": None, "kind": "mode"}


@contextmanager
def _paying():
    """A refusal from the certificate action names this API's fields (the piece, the merchant)."""
    try:
        yield
    except DomainError as exc:
        if exc.field in _FIELD_OF:
            exc.field = _FIELD_OF[exc.field]
        raise


def place_order(actor: User, merchant_id: int, lines, *, mode: str, piece_id: int, note: str = "") -> Order:
    """A member buys from a merchant and pays with certificate credit from one piece: by transfer
    offer to the merchant, or by consumption offset when the merchant is the certificate's debtor.
    Stock is taken now under a row lock; the credit is reserved until the merchant settles."""
    org = member_actor(actor)
    lines = rules.clean_lines(lines)
    if mode not in PayMode.values:
        raise DomainError("mode_invalid", "请选择支付方式：凭证债权转让或消费抵付", field="mode")
    note = (note or "").strip()[:MAX_TEXT]
    today = today_china()
    with transaction.atomic():
        profile = MerchantProfile.objects.select_related("organisation").filter(pk=merchant_id).first()
        if profile is None:
            raise DomainError("merchant_unavailable", "商户不存在", field="merchant_id")
        require_approved(profile, "接受付款", "merchant_id")
        if profile.organisation_id == org.pk:
            raise DomainError("own_shop", "不能向本机构的商户下单", field="merchant_id")
        if mode not in profile.modes:
            raise DomainError("mode_not_accepted", f"商户“{profile.shop_name}”不接受{PayMode(mode).label}", field="mode")
        ids = sorted(line.item_id for line in lines)
        items = {i.pk: i for i in CatalogueItem.objects.select_for_update().filter(pk__in=ids, merchant=profile).order_by("pk")}
        for n, line in enumerate(lines):
            item = items.get(line.item_id)
            field = f"lines[{n}].item_id"
            if item is None:
                raise DomainError("item_unavailable", f"第 {n + 1} 项商品或服务不存在或不属于该商户", field=field)
            if not item.on_shelf:
                raise DomainError("item_off_shelf", f"“{item.name}”已下架", field=field)
            if not rules.in_validity(item.valid_from, item.valid_until, today):
                raise DomainError("item_expired", f"“{item.name}”不在有效期内", field=field)
            if item.stock is not None and item.stock < line.quantity:
                raise Conflict("stock_out", f"“{item.name}”库存不足（剩余 {item.stock}，需要 {line.quantity}）")
        total = rules.order_total([(items[line.item_id].price_fen, line.quantity) for line in lines])
        if total > ceiling():
            raise DomainError("amount_too_large", f"订单金额超过上限 {format_yuan(ceiling())}", field="lines")
        for line in lines:
            if items[line.item_id].stock is not None:
                taken = CatalogueItem.objects.filter(pk=line.item_id, stock__gte=line.quantity).update(stock=F("stock") - line.quantity)
                if taken != 1:  # pragma: no cover - the row is locked above
                    raise Conflict("stock_out", f"“{items[line.item_id].name}”库存不足")
        number = next_number("DD", today.year)
        names = "、".join(items[line.item_id].name for line in lines)
        transfer = off = None
        with _paying():
            if mode == PayMode.TRANSFER:
                transfer = circulation.offer_transfer(actor, piece_id, profile.organisation_id, total, number,
                                                      managed_by=f"特约商户订单 {number}")
            else:
                off = counter.open_counter_offset(actor, piece_id, profile.organisation_id, total, reference=number,
                                                  consumption_scope=f"特约商户“{profile.shop_name}”：{names}")
        order = Order.objects.create(number=number, buyer=org, merchant=profile, mode=mode, piece_id=piece_id, total_fen=total,
                                     transfer=transfer, offset=off, note=note, placed_by=actor)
        OrderLine.objects.bulk_create([
            OrderLine(order=order, item_id=line.item_id, name=items[line.item_id].name, unit_price_fen=items[line.item_id].price_fen,
                      quantity=line.quantity, amount_fen=items[line.item_id].price_fen * line.quantity) for line in lines])
        notify(profile.organisation, f"新订单待结算：{number}", (
            f"{org.name} 以{PayMode(mode).label}支付 {format_yuan(total)}（{names}），请核对后结算或说明理由拒绝。"), obj=order)
        audit.record(actor, "merchant.order_place", order, summary={
            "number": number, "merchant": profile.pk, "mode": mode, "piece": piece_id, "total_fen": total,
            "lines": [[line.item_id, line.quantity] for line in lines],
            "transfer": transfer.pk if transfer else None, "offset": off.number if off else None})
        return order


def _lock_order(actor: User, order_id: int, allowed: tuple[str, ...], what: str) -> tuple[Order, str]:
    """Lock the order; outsiders get 404, the other party 403."""
    row = Order.objects.filter(pk=order_id).values_list("buyer_id", "merchant__organisation_id").first()
    if row is None:
        raise NotFound("订单不存在")
    sides = {"buyer": row[0], "merchant": row[1]}
    mine = [s for s, org_id in sides.items() if org_id == actor.organisation_id]
    side = next((s for s in allowed if s in mine), None)
    if side is None:
        if mine:
            raise PermissionDenied(f"只有{'或'.join({'buyer': '买方', 'merchant': '商户'}[s] for s in allowed)}可以{what}",
                                   code="wrong_party")
        raise NotFound("订单不存在")
    order = Order.objects.select_for_update(of=("self",)).select_related("merchant__organisation", "buyer").get(pk=order_id)
    if order.status != OrderStatus.PENDING:
        raise Conflict("order_state", f"订单 {order.number} 当前状态为“{order.get_status_display()}”，不能{what}")
    return order, side


def settle_order(actor: User, order_id: int) -> Settlement:
    """The merchant settles: a transfer is accepted (title passes, debtor notified, fee charged) or
    the consumption offset is cancelled; a settlement record is kept and the receipt drawn from it."""
    member_actor(actor)
    today = today_china()
    with transaction.atomic():
        order, _ = _lock_order(actor, order_id, ("merchant",), "结算")
        require_approved(order.merchant, "结算")
        number = next_number("JS", today.year)
        now = timezone.now()
        if order.mode == PayMode.TRANSFER:
            if order.transfer.status != OfferStatus.OFFERED:
                raise Conflict("payment_closed", f"订单 {order.number} 的凭证转让已{order.transfer.get_status_display()}，请撤销订单")
            registration = circulation.accept_offer(actor, order.transfer_id, managed=True).registration_no
        else:
            if order.offset.status not in CLOSABLE_OFFSET_STATUSES:
                raise Conflict("payment_closed", f"订单 {order.number} 的消费抵付已{order.offset.get_status_display()}，请撤销订单")
            slip = render_receipt(order, list(order.lines.all()), Settlement(number=number, order=order, amount_fen=order.total_fen,
                                                                              registration_no="", settled_by=actor, settled_at=now))
            # the offset's number: the 注销登记 itself is the operator's (seed 二(一)1), made afterwards
            registration = counter.settle_counter_offset(actor, order.offset_id, settlement_ref=number, slip_name=f"{number}.pdf",
                                                         slip=slip).number
        settlement = Settlement.objects.create(number=number, order=order, amount_fen=order.total_fen, registration_no=registration,
                                               settled_by=actor, settled_at=now)
        order.status = OrderStatus.SETTLED
        order.closed_by, order.closed_at = actor, now
        order.save(update_fields=["status", "closed_by", "closed_at"])
        notify(order.buyer, f"订单已结算：{order.number}", (
            f"{order.merchant.shop_name} 已结算 {format_yuan(order.total_fen)}（结算单 {number}，"
            + (f"凭证登记 {registration}" if order.mode == PayMode.TRANSFER else f"消费抵付 {registration}，待运营机构注销登记")
            + "），可在“我的订单”查看并下载收据。"), obj=order)
        audit.record(actor, "merchant.order_settle", order, summary={
            "number": order.number, "settlement": number, "mode": order.mode, "amount_fen": order.total_fen,
            "registration_no": registration})
        return settlement


def cancel_order(actor: User, order_id: int, reason: str = "") -> Order:
    """Before settlement the buyer cancels, or the merchant refuses (reason required): the reserved
    credit goes back to the buyer's piece and the stock back on the shelf, in one transaction."""
    require_write_access(actor)
    reason = (reason or "").strip()[:MAX_TEXT]
    with transaction.atomic():
        order, side = _lock_order(actor, order_id, ("buyer", "merchant"), "撤销或拒绝")
        if side == "merchant" and not reason:
            raise DomainError("reason_required", "拒绝订单须说明理由", field="reason")
        # order, then its items, then (in the certificate action) certificate and piece: place_order
        # takes items before certificates too, so the two never wait on each other in a circle
        lines = list(order.lines.order_by("item_id"))
        for item in CatalogueItem.objects.select_for_update().filter(pk__in=[x.item_id for x in lines]).order_by("pk"):
            if item.stock is not None:
                qty = sum(x.quantity for x in lines if x.item_id == item.pk)
                CatalogueItem.objects.filter(pk=item.pk).update(stock=F("stock") + qty)
        if order.mode == PayMode.TRANSFER:
            if order.transfer.status == OfferStatus.OFFERED:  # closed already (lapsed): nothing is reserved
                if side == "buyer":
                    circulation.cancel_offer(actor, order.transfer_id, managed=True)
                else:
                    circulation.decline_offer(actor, order.transfer_id, reason, managed=True)
        elif order.offset.status in CLOSABLE_OFFSET_STATUSES:
            offsetting.close_offset(actor, order.offset_id, reason or "买方撤销订单", managed=True)
        order.status = OrderStatus.CANCELLED if side == "buyer" else OrderStatus.REFUSED
        order.closed_by, order.closed_at, order.closed_reason = actor, timezone.now(), reason
        order.save(update_fields=["status", "closed_by", "closed_at", "closed_reason"])
        other = order.merchant.organisation if side == "buyer" else order.buyer
        notify(other, f"订单{order.get_status_display()}：{order.number}", reason or "买方已撤销订单，库存已恢复，凭证债权已退回。",
               obj=order)
        audit.record(actor, "merchant.order_cancel" if side == "buyer" else "merchant.order_refuse", order, summary={
            "number": order.number, "reason": reason, "restored": [[x.item_id, x.quantity] for x in lines]})
        return order
