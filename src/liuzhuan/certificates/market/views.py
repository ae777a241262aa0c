"""Market purchase pages: the purchaser's book (收购台账) and one purchase."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from liuzhuan.core.roles import Role
from liuzhuan.members.queries import sees_all

from ..ledger.views import get_or_404, perform
from . import actions, queries
from . import forms as f


@login_required
def purchases(request):
    user = request.user
    org = user.organisation
    is_purchaser = org.has_role(Role.PURCHASER)
    form = f.ReceivablePurchaseForm(request.POST or None, org=org)
    if request.method == "POST":
        if not is_purchaser:
            raise Http404("页面不存在")
        if form.is_valid():
            d = form.cleaned_data
            rp = perform(request, lambda: actions.record_receivable_purchase(
                user, seller_id=d["seller"].pk, original_debtor_name=d["original_debtor_name"], receivable_fen=d["receivable"],
                price_fen=d["price"], agreement_ref=d["agreement_ref"], agreement_date=d["agreement_date"], description=d["description"]),
                lambda rp: f"已登记收购 {rp.number}，下一步可与出让企业联合申请开具凭证。", form)
            if rp:
                return redirect("certificates:lc_purchase", rp_id=rp.pk)
    return render(request, "certificates/market/purchases.html", {
        "is_purchaser": is_purchaser, "book": queries.purchaser_book(org.pk) if is_purchaser else None, "form": form,
        "sold": queries.visible_purchases(user).filter(seller=org) if not sees_all(user) else queries.visible_purchases(user)[:500],
    })


@login_required
def purchase_detail(request, rp_id: int):
    user = request.user
    rp = get_or_404(lambda: queries.get_purchase(user, rp_id))
    is_purchaser = rp.purchaser_id == user.organisation_id
    form = f.PurchaseApplyForm()
    if request.method == "POST":
        if not is_purchaser:
            raise Http404("收购记录不存在")
        verb = request.POST.get("form")
        if verb == "apply":
            form = f.PurchaseApplyForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                if perform(request, lambda: actions.apply_for_purchase_certificate(user, rp.pk, **d), "已提交凭证联合申请，等待出让企业确认。", form):
                    return redirect("certificates:lc_purchase", rp_id=rp.pk)
        elif verb == "cancel":
            perform(request, lambda: actions.cancel_receivable_purchase(user, rp.pk, request.POST.get("reason", "")),
                    lambda rp: f"已撤销收购登记 {rp.number}。")
            return redirect("certificates:lc_purchase", rp_id=rp.pk)
        else:
            raise Http404("页面不存在")
    return render(request, "certificates/market/purchase.html", {
        "rp": rp, "is_purchaser": is_purchaser, "form": form, "cert": queries.purchase_certificate(rp)})
