"""Merchant pages: browse and buy (members), my shop and its sales (merchants), receipts, and the
oversight view. Thin: parse, call an action or a query, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from liuzhuan.certificates.ledger.views import get_or_404, perform
from liuzhuan.core.money import format_yuan
from liuzhuan.core.roles import OVERSIGHT_ROLES, Role
from liuzhuan.core.views import require_page_role

from . import actions, queries
from .filters import ItemFilter
from .forms import ItemForm, OrderForm, ProfileForm, ReasonForm
from .models import OrderStatus, ShopCategory
from .receipt import render_receipt
from .rules import Line

BROWSERS = (Role.MEMBER, Role.MERCHANT, *OVERSIGHT_ROLES)


@login_required
def browse(request):
    require_page_role(request, *BROWSERS)
    fs = ItemFilter(request.GET or None, queryset=queries.on_sale())
    qs = fs.qs if fs.is_bound and fs.is_valid() else queries.on_sale()
    return render(request, "merchants/browse.html", {
        "filter": fs, "page": Paginator(qs, 24).get_page(request.GET.get("page")),
        "merchants": queries.approved_profiles().order_by("shop_name", "pk"), "categories": ShopCategory.choices,
    })


@login_required
def item(request, item_id: int):
    require_page_role(request, *BROWSERS)
    it = get_or_404(lambda: queries.get_on_sale(item_id))
    can_buy = request.user.organisation.has_role(Role.MEMBER) and request.user.organisation_id != it.merchant.organisation_id
    pieces = list(queries.live_pieces(request.user)[:100]) if can_buy else []
    form = OrderForm(request.POST or None, pieces=pieces, modes=it.merchant.modes)
    if request.method == "POST":
        require_page_role(request, Role.MEMBER)
        if form.is_valid():
            d = form.cleaned_data
            order = perform(request, lambda: actions.place_order(request.user, it.merchant_id, [Line(it.pk, d["quantity"])], mode=d["mode"],
                                                                 piece_id=d["piece_id"], note=d["note"]),
                            lambda o: f"已下单 {o.number}：{format_yuan(o.total_fen)}，待商户结算。", form)
            if order is not None:
                return redirect("merchants:order", order_id=order.pk)
    return render(request, "merchants/item.html", {"item": it, "form": form, "can_buy": can_buy})


@login_required
def shop(request):
    """我的商户: the profile, the catalogue, the certificate credit held."""
    require_page_role(request, Role.MERCHANT)
    profile = queries.own_profile(request.user)
    initial = {k: getattr(profile, k) for k in ProfileForm.base_fields} if profile else {}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if perform(request, lambda: actions.save_profile(request.user, **form.cleaned_data), "商户档案已保存。", form) is not None:
            return redirect("merchants:shop")
    return render(request, "merchants/shop.html", {
        "profile": profile, "form": form, "approved": profile is not None and actions.is_approved(profile),
        "items": queries.own_items(request.user), "credit": queries.held_credit(request.user),
    })


def _item_kwargs(d: dict) -> dict:
    return {k: d[k] for k in ("name", "kind", "category", "price_fen", "stock", "valid_from", "valid_until", "description")}


@login_required
def item_new(request):
    require_page_role(request, Role.MERCHANT)
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if perform(request, lambda: actions.add_item(request.user, **_item_kwargs(form.cleaned_data)), "已发布。", form) is not None:
            return redirect("merchants:shop")
    return render(request, "merchants/item_form.html", {"form": form, "title": "发布商品或服务"})


@login_required
def item_edit(request, item_id: int):
    require_page_role(request, Role.MERCHANT)
    it = get_or_404(lambda: queries.get_own_item(request.user, item_id))
    initial = {k: getattr(it, k) for k in ItemForm.base_fields}
    initial["price_fen"] = f"{it.price_fen / 100:.2f}"
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if perform(request, lambda: actions.edit_item(request.user, it.pk, **_item_kwargs(form.cleaned_data)), "已保存。", form) is not None:
            return redirect("merchants:shop")
    return render(request, "merchants/item_form.html", {"form": form, "title": f"修改：{it.name}", "item": it})


@login_required
@require_POST
def item_shelf(request, item_id: int):
    require_page_role(request, Role.MERCHANT)
    get_or_404(lambda: queries.get_own_item(request.user, item_id))
    on = request.POST.get("on_shelf") == "1"
    perform(request, lambda: actions.set_shelf(request.user, item_id, on), "已上架。" if on else "已下架。")
    return redirect("merchants:shop")


@login_required
def orders(request):
    """我的订单 (as buyer)."""
    require_page_role(request, Role.MEMBER)
    return render(request, "merchants/orders.html", {
        "page": Paginator(queries.bought(request.user), 50).get_page(request.GET.get("page")), "title": "我的订单", "as_merchant": False})


@login_required
def sales(request):
    """收到的订单及收据 (as merchant)."""
    require_page_role(request, Role.MERCHANT)
    return render(request, "merchants/orders.html", {
        "page": Paginator(queries.received(request.user), 50).get_page(request.GET.get("page")), "title": "收到的订单及收据",
        "as_merchant": True})


@login_required
def order(request, order_id: int):
    require_page_role(request, *BROWSERS)
    o = get_or_404(lambda: queries.get_order(request.user, order_id))
    mine = request.user.organisation_id
    pending = o.status == OrderStatus.PENDING
    return render(request, "merchants/order.html", {
        "order": o, "lines": list(o.lines.all()), "reason_form": ReasonForm(),
        "can_settle": pending and mine == o.merchant.organisation_id, "can_cancel": pending and mine == o.buyer_id,
        "settlement": getattr(o, "settlement", None) if o.status == OrderStatus.SETTLED else None,
    })


@login_required
@require_POST
def order_action(request, order_id: int, verb: str):
    require_page_role(request, Role.MEMBER)
    get_or_404(lambda: queries.get_order(request.user, order_id))
    reason = ReasonForm(request.POST)
    reason.is_valid()
    text = reason.cleaned_data.get("reason", "")
    if verb == "settle":
        perform(request, lambda: actions.settle_order(request.user, order_id), lambda s: f"已结算，结算单 {s.number}。")
    elif verb == "cancel":
        perform(request, lambda: actions.cancel_order(request.user, order_id, text),
                lambda o: f"订单{o.get_status_display()}，库存已恢复，凭证债权已退回买方。")
    else:
        return redirect("merchants:order", order_id=order_id)
    return redirect("merchants:order", order_id=order_id)


@login_required
def receipt(request, order_id: int):
    require_page_role(request, *BROWSERS)
    s = get_or_404(lambda: queries.get_settlement(request.user, order_id))
    return render(request, "merchants/receipt.html", {"s": s, "order": s.order, "lines": list(s.order.lines.all())})


@login_required
def receipt_pdf(request, order_id: int):
    require_page_role(request, *BROWSERS)
    s = get_or_404(lambda: queries.get_settlement(request.user, order_id))
    resp = HttpResponse(render_receipt(s.order, list(s.order.lines.all()), s), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{s.number}.pdf"'
    return resp


@login_required
def oversight(request):
    """特约商户监管: merchants and sales by category and month (read-only)."""
    require_page_role(request, *OVERSIGHT_ROLES)
    return render(request, "merchants/oversight.html", {
        "merchants": queries.merchant_figures(), "sales": queries.sales_by_category_month()})
