"""Lifecycle pages: pledge, purchase commitments and sales, offsets and assets, provider approval,
void, market purchase book. Thin: parse a form, call a lifecycle action, redirect or re-render."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError
from liuzhuan.core.roles import Role
from liuzhuan.core.views import post_id, require_page_role
from liuzhuan.members.queries import sees_all

from . import lifecycle
from . import lifecycle_forms as f
from . import lifecycle_queries as lq
from .models import (
    Certificate,
    CertificateVoid,
    CommitmentStatus,
    OffsetKind,
    OffsetStatus,
    Piece,
    PurchaseProvider,
    SaleStatus,
    VoidStatus,
)

NAV = [
    ("质押", "certificates:lc_pledges", frozenset({Role.MEMBER, Role.BANK, Role.REGULATOR})),
    ("抵付", "certificates:lc_offsets", frozenset({Role.MEMBER, Role.HOUSING, Role.REGULATOR})),
    ("收购承诺", "certificates:lc_commitments", frozenset({Role.MEMBER, Role.PURCHASER, Role.REGULATOR})),
    ("房源与资产", "certificates:lc_assets", frozenset({Role.HOUSING})),
    ("收购台账", "certificates:lc_purchases", frozenset({Role.PURCHASER})),
    ("收购服务认可", "certificates:lc_providers", frozenset({Role.OPERATOR})),
    ("凭证作废", "certificates:lc_voids", frozenset({Role.OPERATOR})),
]


def _do(request, fn: Callable, success: str, form=None):
    """Run an action: 404s become Http404; other refusals go on the form (or the page)."""
    try:
        result = fn()
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        if form is not None:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.error(request, exc.message)
        return None
    messages.success(request, success)
    return result


def _get(fn: Callable):
    try:
        return fn()
    except DomainError as exc:
        raise Http404(exc.message) from exc




# --- piece: pledge / offset / sell -------------------------------------------------------------


@login_required
def piece_actions(request, piece_id: int):
    org = request.user.organisation
    piece = Piece.objects.select_related("certificate", "certificate__application", "certificate__debtor", "holder").filter(
        pk=piece_id, holder=org).first()
    if piece is None:
        raise Http404("凭证分段不存在")
    cert = piece.certificate
    commitments = [c for c in lq.commitments_on(cert) if c.status == CommitmentStatus.ACTIVE and c.provider_id != org.pk]
    pledge_form = f.PledgeForm(org=org, initial={"start_date": today_china(), "registration_required": True})
    offset_form = f.OffsetForm()
    sale_form = f.SaleForm(commitments=commitments)
    if request.method == "POST":
        kind = request.POST.get("form")
        user = request.user
        if kind == "pledge":
            pledge_form = f.PledgeForm(request.POST, org=org)
            if pledge_form.is_valid():
                d = pledge_form.cleaned_data
                p = _do(request, lambda: lifecycle.create_pledge(user, piece.pk, d["pledgee"].pk, d["amount"], d["contract_ref"], d["secured"],
                                                                 d["start_date"], d["end_date"], d["registration_required"]),
                        "已发起质押，等待质权人登记生效。", pledge_form)
                if p:
                    return redirect("certificates:lc_pledge", pledge_id=p.pk)
        elif kind == "offset":
            offset_form = f.OffsetForm(request.POST)
            if offset_form.is_valid():
                d = offset_form.cleaned_data
                o = _do(request, lambda: lifecycle.apply_offset(user, piece.pk, d["kind"], d["amount"], d["note"]),
                        "已向债务人提交抵付申请，申请金额已锁定。", offset_form)
                if o:
                    return redirect("certificates:lc_offset", offset_id=o.pk)
        elif kind == "sell":
            sale_form = f.SaleForm(request.POST, commitments=commitments)
            if sale_form.is_valid():
                d = sale_form.cleaned_data
                s = _do(request, lambda: lifecycle.apply_sale(user, piece.pk, int(d["commitment"]), d["amount"]),
                        "已申请收购，等待服务提供方付款确认。", sale_form)
                if s:
                    return redirect("certificates:lc_sale", sale_id=s.pk)
        else:
            raise Http404("页面不存在")
    return render(request, "certificates/lifecycle/piece_actions.html", {
        "piece": piece, "cert": cert, "app": cert.application, "panel": lq.piece_panel(piece), "commitments": commitments,
        "pledge_form": pledge_form, "offset_form": offset_form, "sale_form": sale_form, "today": today_china(),
    })


# --- pledges -----------------------------------------------------------------------------------


@login_required
def pledges(request):
    user = request.user
    org = user.organisation
    ctx = {"is_bank": org.has_role(Role.BANK), "oversight": sees_all(user)}
    if ctx["oversight"]:
        ctx["all_pledges"] = lq.visible_pledges(user)[:500]
    ctx["given"] = lq.visible_pledges(user).filter(pledgor=org)
    ctx["taken"] = lq.pledges_to(org.pk)
    ctx["totals"] = lq.pledge_book_totals(org.pk)
    ctx["incoming"] = lq.visible_pledged_transfers_in(org.pk)
    return render(request, "certificates/lifecycle/pledges.html", ctx)


@login_required
def pledge_detail(request, pledge_id: int):
    user = request.user
    p = _get(lambda: lq.get_pledge(user, pledge_id))
    org = user.organisation
    side = "pledgor" if p.pledgor_id == org.pk else "pledgee" if p.pledgee_id == org.pk else None
    register_form, reason_form = f.RegisterPledgeForm(initial={"registration_date": today_china()}), f.ReasonForm()
    debtor_id = p.certificate.debtor_id
    enforce_form = f.EnforceForm(org=org, debtor_id=debtor_id, initial={"default_date": today_china()})
    transfer_form = f.PledgedTransferForm(org=org, debtor_id=debtor_id)
    if request.method == "POST":
        kind = request.POST.get("form")
        done = None
        if side is None:
            raise Http404("质押不存在")
        if kind == "register":
            register_form = f.RegisterPledgeForm(request.POST)
            if register_form.is_valid():
                d = register_form.cleaned_data
                done = _do(request, lambda: lifecycle.register_pledge(user, p.pk, d["registration_no"], d["registration_date"]), "质押已生效。", register_form)
        elif kind in ("cancel", "release"):
            reason_form = f.ReasonForm(request.POST)
            if reason_form.is_valid():
                fn = lifecycle.cancel_pledge if kind == "cancel" else lifecycle.release_pledge
                done = _do(request, lambda: fn(user, p.pk, reason_form.cleaned_data["reason"]), "已撤销。" if kind == "cancel" else "已解押。", reason_form)
        elif kind == "enforce":
            enforce_form = f.EnforceForm(request.POST, org=org, debtor_id=debtor_id)
            if enforce_form.is_valid():
                d = enforce_form.cleaned_data
                done = _do(request, lambda: lifecycle.enforce_pledge(
                    user, p.pk, default_date=d["default_date"], reason=d["reason"], agreement_ref=d["agreement_ref"],
                    buyer_org_id=d["buyer"].pk if d["buyer"] else None), "质权已实现，债权已登记转让。", enforce_form)
        elif kind == "transfer":
            transfer_form = f.PledgedTransferForm(request.POST, org=org, debtor_id=debtor_id)
            if transfer_form.is_valid():
                d = transfer_form.cleaned_data
                done = _do(request, lambda: lifecycle.request_pledged_transfer(user, p.pk, d["to_org"].pk, d["agreement_ref"]),
                           "已提交转让申请，等待质权人同意。", transfer_form)
        else:
            raise Http404("页面不存在")
        if done is not None:
            return redirect("certificates:lc_pledge", pledge_id=p.pk)
        p = lq.get_pledge(user, pledge_id)
    return render(request, "certificates/lifecycle/pledge.html", {
        "p": p, "side": side, "requests": lq.pledged_transfers(p), "register_form": register_form, "reason_form": reason_form,
        "enforce_form": enforce_form, "transfer_form": transfer_form, "decision_form": f.DecisionForm(),
    })


@login_required
@require_POST
def pledged_transfer_action(request, req_id: int, verb: str):
    user = request.user
    form = f.DecisionForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "") if hasattr(form, "cleaned_data") else ""
    actions = {
        "consent": (lambda: lifecycle.consent_pledged_transfer(user, req_id, form.cleaned_data.get("agree") == "yes", note), "已提交意见。"),
        "accept": (lambda: lifecycle.accept_pledged_transfer(user, req_id, True), "已接收，债权已登记至本机构，质押解除。"),
        "decline": (lambda: lifecycle.accept_pledged_transfer(user, req_id, False, note), "已拒收。"),
        "withdraw": (lambda: lifecycle.withdraw_pledged_transfer(user, req_id), "已撤回转让申请。"),
    }
    if verb not in actions:
        raise Http404("页面不存在")
    fn, ok = actions[verb]
    req = _do(request, fn, ok)
    if req is not None and verb in ("consent", "withdraw"):
        return redirect("certificates:lc_pledge", pledge_id=req.pledge_id)
    return redirect("certificates:lc_pledges")


# --- purchase commitments and sales ------------------------------------------------------------


@login_required
def commitments(request):
    user = request.user
    org = user.organisation
    qs = lq.visible_commitments(user)
    return render(request, "certificates/lifecycle/commitments.html", {
        "to_accept": qs.filter(provider=org, status=CommitmentStatus.REQUESTED), "provided": qs.filter(provider=org),
        "others": qs.exclude(provider=org)[:500], "provider": lq.provider_of(org.pk),
        "outstanding": lifecycle.provider_outstanding_fen(org.pk),
        "sales_to_confirm": lq.visible_sales(user).filter(commitment__provider=org, status=SaleStatus.APPLIED),
        "my_sales": lq.visible_sales(user).filter(holder=org)[:200],
    })


@login_required
def commitment_new(request, cert_id: int):
    user = request.user
    cert = Certificate.objects.select_related("creditor", "debtor").filter(pk=cert_id).first()
    if cert is None or not lq.can_see_certificate(user, cert) or sees_all(user):
        raise Http404("凭证不存在")
    form = f.CommitmentForm(request.POST or None, org=user.organisation, debtor_id=cert.debtor_id)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        c = _do(request, lambda: lifecycle.request_commitment(
            user, cert.pk, d["provider"].pk, price_kind=d["price_kind"], price_bp=form.price_bp(), fixed_price_fen=d["fixed_price"],
            lockup_end=d["lockup_end"], expiry=d["expiry"], conditions=d["conditions"], agreement_ref=d["agreement_ref"]),
            "已委托，等待服务提供方接受。", form)
        if c:
            return redirect("certificates:lc_commitment", commitment_id=c.pk)
    return render(request, "certificates/lifecycle/commitment_new.html", {"cert": cert, "form": form})


@login_required
def commitment_detail(request, commitment_id: int):
    user = request.user
    c = _get(lambda: lq.get_commitment(user, commitment_id))
    org = user.organisation
    if request.method == "POST":
        verb = request.POST.get("form")
        if org.pk not in (c.provider_id, c.entrusted_by_id):
            raise Http404("收购承诺不存在")
        if verb == "accept":
            _do(request, lambda: lifecycle.accept_commitment(user, c.pk), "已接受，收购承诺生效。")
        elif verb == "close":
            _do(request, lambda: lifecycle.close_commitment(user, c.pk, request.POST.get("reason", "")), "已办理。")
        else:
            raise Http404("页面不存在")
        return redirect("certificates:lc_commitment", commitment_id=c.pk)
    sales = lq.visible_sales(user).filter(commitment=c)
    return render(request, "certificates/lifecycle/commitment.html", {
        "c": c, "is_provider": org.pk == c.provider_id, "is_entrusting": org.pk == c.entrusted_by_id, "sales": sales,
        "first_sale_day": lifecycle.rules.first_sale_day(c.lockup_end),
    })


@login_required
def sale_detail(request, sale_id: int):
    user = request.user
    s = _get(lambda: lq.get_sale(user, sale_id))
    org = user.organisation
    is_provider, is_holder = org.pk == s.commitment.provider_id, org.pk == s.holder_id
    confirm_form = f.SaleConfirmForm(initial={"payment_date": today_china()})
    if request.method == "POST":
        verb = request.POST.get("form")
        if not (is_provider or is_holder):
            raise Http404("收购申请不存在")
        if verb == "confirm":
            confirm_form = f.SaleConfirmForm(request.POST)
            if confirm_form.is_valid():
                d = confirm_form.cleaned_data
                if _do(request, lambda: lifecycle.confirm_sale(user, s.pk, payment_fen=d["payment"], payment_date=d["payment_date"],
                                                               payment_ref=d["payment_ref"]), "已确认付款，债权已转至本机构。", confirm_form):
                    return redirect("certificates:lc_sale", sale_id=s.pk)
        elif verb == "close":
            if _do(request, lambda: lifecycle.close_sale(user, s.pk, request.POST.get("reason", "")), "已办理。") is not None:
                return redirect("certificates:lc_sale", sale_id=s.pk)
        else:
            raise Http404("页面不存在")
        s = lq.get_sale(user, sale_id)
    return render(request, "certificates/lifecycle/sale.html", {
        "s": s, "is_provider": is_provider, "is_holder": is_holder, "confirm_form": confirm_form})


# --- offsets and assets ------------------------------------------------------------------------


@login_required
def offsets(request):
    user = request.user
    org = user.organisation
    qs = lq.visible_offsets(user)
    return render(request, "certificates/lifecycle/offsets.html", {
        "as_holder": qs.filter(holder=org), "as_debtor": qs.filter(debtor=org),
        "all": qs[:500] if sees_all(user) else None, "assets_available": lq.available_assets_count(org.pk),
    })


@login_required
def offset_detail(request, offset_id: int):
    user = request.user
    o = _get(lambda: lq.get_offset(user, offset_id))
    org = user.organisation
    side = "holder" if o.holder_id == org.pk else "debtor" if o.debtor_id == org.pk else None
    eligible = list(lq.eligible_assets(o.debtor_id)) if side == "debtor" and o.kind == OffsetKind.ASSET else []
    offered = list(o.offered_assets.select_related("owner"))
    options_form = f.OptionsForm(assets=eligible, initial={"assets": [a.pk for a in offered], "consumption_scope": o.consumption_scope})
    price_form = f.PriceForm(assets=offered)
    complete_form = f.CompleteForm(initial={"cash_top_up_date": today_china()})
    reason_form = f.ReasonForm()
    if request.method == "POST":
        if side is None:
            raise Http404("抵付申请不存在")
        verb = request.POST.get("form")
        done = None
        if verb == "options":
            options_form = f.OptionsForm(request.POST, assets=eligible)
            if options_form.is_valid():
                d = options_form.cleaned_data
                done = _do(request, lambda: lifecycle.offer_offset_options(user, o.pk, asset_ids=[int(x) for x in d["assets"]],
                                                                           consumption_scope=d["consumption_scope"]), "已提供清单。", options_form)
        elif verb == "price":
            price_form = f.PriceForm(request.POST, assets=offered)
            if price_form.is_valid():
                d = price_form.cleaned_data
                done = _do(request, lambda: lifecycle.propose_offset_price(user, o.pk, d["price"], int(d["asset"]) if d["asset"] else None),
                           "已提出价款，等待对方确认。", price_form)
        elif verb == "agree":
            done = _do(request, lambda: lifecycle.accept_offset_price(user, o.pk), "价款已商定。")
        elif verb == "complete":
            complete_form = f.CompleteForm(request.POST)
            if complete_form.is_valid():
                done = _do(request, lambda: lifecycle.complete_offset(user, o.pk, **complete_form.cleaned_data), "抵付已完成，债权已注销。", complete_form)
        elif verb == "close":
            reason_form = f.ReasonForm(request.POST)
            if reason_form.is_valid():
                done = _do(request, lambda: lifecycle.close_offset(user, o.pk, reason_form.cleaned_data["reason"]), "已办理。", reason_form)
        else:
            raise Http404("页面不存在")
        if done is not None:
            return redirect("certificates:lc_offset", offset_id=o.pk)
        o = lq.get_offset(user, offset_id)
    outcome = lifecycle.rules.offset_outcome(o.amount_fen, o.price_fen) if o.price_fen else None
    return render(request, "certificates/lifecycle/offset.html", {
        "o": o, "side": side, "offered": offered, "outcome": outcome, "options_form": options_form, "price_form": price_form,
        "complete_form": complete_form, "reason_form": reason_form, "open": o.status in (
            OffsetStatus.APPLIED, OffsetStatus.OPTIONS_OFFERED, OffsetStatus.PRICE_PROPOSED, OffsetStatus.AGREED),
    })


@login_required
def assets(request):
    require_page_role(request, Role.MEMBER, Role.HOUSING)
    user = request.user
    form = f.AssetForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("form") == "withdraw":
            _do(request, lambda: lifecycle.withdraw_asset(user, post_id(request, "asset")), "已下架。")
            return redirect("certificates:lc_assets")
        if form.is_valid():
            d = form.cleaned_data
            if _do(request, lambda: lifecycle.add_asset(user, kind=d["kind"], name=d["name"], list_price_fen=d["list_price"],
                                                        location=d["location"], title_no=d["title_no"]), "资产已登记。", form):
                return redirect("certificates:lc_assets")
    return render(request, "certificates/lifecycle/assets.html", {
        "assets": lq.own_assets(user.organisation_id), "form": form, "is_housing": user.organisation.has_role(Role.HOUSING)})


# --- operator: providers and voids -------------------------------------------------------------


@login_required
def providers(request):
    require_page_role(request, Role.OPERATOR, Role.REGULATOR, Role.BUREAU)
    user = request.user
    form = f.ProviderForm(request.POST or None)
    if request.method == "POST":
        require_page_role(request, Role.OPERATOR)
        verb = request.POST.get("form")
        if verb == "prepare":
            if form.is_valid():
                d = form.cleaned_data
                if _do(request, lambda: lifecycle.prepare_provider(user, d["org"].pk, d["capacity"], d["note"]), "已提交，待复核。", form):
                    return redirect("certificates:lc_providers")
        elif verb == "decide":
            _do(request, lambda: lifecycle.decide_provider(user, post_id(request, "provider"), request.POST.get("agree") == "yes",
                                                           request.POST.get("reason", "")), "已复核。")
            return redirect("certificates:lc_providers")
        else:
            raise Http404("页面不存在")
    providers = list(PurchaseProvider.objects.select_related("org", "proposed_by").order_by("id"))
    outstanding = lifecycle.providers_outstanding_fen([p.org_id for p in providers])
    rows = [(p, outstanding[p.org_id]) for p in providers]
    return render(request, "certificates/lifecycle/providers.html", {"rows": rows, "form": form,
                                                                    "is_operator": user.organisation.has_role(Role.OPERATOR)})


@login_required
def void_new(request, cert_id: int):
    require_page_role(request, Role.OPERATOR)
    cert = Certificate.objects.select_related("creditor", "debtor").filter(pk=cert_id).first()
    if cert is None:
        raise Http404("凭证不存在")
    form = f.VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _do(request, lambda: lifecycle.prepare_void(request.user, cert.pk, form.cleaned_data["reason"]), "作废申请已提交，待复核。", form):
            return redirect("certificates:lc_voids")
    return render(request, "certificates/lifecycle/void_new.html", {"cert": cert, "form": form})


@login_required
def voids(request):
    require_page_role(request, Role.OPERATOR)
    user = request.user
    if request.method == "POST":
        form = f.VoidDecideForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            _do(request, lambda: lifecycle.decide_void(user, post_id(request, "void"), d["agree"] == "yes", d["reason"]), "已复核。")
        return redirect("certificates:lc_voids")
    return render(request, "certificates/lifecycle/voids.html", {
        "pending": CertificateVoid.objects.filter(status=VoidStatus.PREPARED).select_related("certificate", "prepared_by"),
        "done": CertificateVoid.objects.exclude(status=VoidStatus.PREPARED).select_related("certificate", "prepared_by", "decided_by")[:100],
        "decide_form": f.VoidDecideForm(),
    })


# --- market purchase ---------------------------------------------------------------------------


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
            rp = _do(request, lambda: lifecycle.record_receivable_purchase(
                user, seller_id=d["seller"].pk, original_debtor_name=d["original_debtor_name"], receivable_fen=d["receivable"],
                price_fen=d["price"], agreement_ref=d["agreement_ref"], agreement_date=d["agreement_date"], description=d["description"]),
                "收购已登记。", form)
            if rp:
                return redirect("certificates:lc_purchase", rp_id=rp.pk)
    return render(request, "certificates/lifecycle/purchases.html", {
        "is_purchaser": is_purchaser, "book": lq.purchaser_book(org.pk) if is_purchaser else None, "form": form,
        "sold": lq.visible_purchases(user).filter(seller=org) if not sees_all(user) else lq.visible_purchases(user)[:500],
    })


@login_required
def purchase_detail(request, rp_id: int):
    user = request.user
    rp = _get(lambda: lq.get_purchase(user, rp_id))
    is_purchaser = rp.purchaser_id == user.organisation_id
    form = f.PurchaseApplyForm(initial={"settle_by_asset": True})
    if request.method == "POST":
        if not is_purchaser:
            raise Http404("收购记录不存在")
        verb = request.POST.get("form")
        if verb == "apply":
            form = f.PurchaseApplyForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                if _do(request, lambda: lifecycle.apply_for_purchase_certificate(user, rp.pk, **d), "已提交凭证联合申请，等待出让企业确认。", form):
                    return redirect("certificates:lc_purchase", rp_id=rp.pk)
        elif verb == "cancel":
            _do(request, lambda: lifecycle.cancel_receivable_purchase(user, rp.pk, request.POST.get("reason", "")), "已撤销。")
            return redirect("certificates:lc_purchase", rp_id=rp.pk)
        else:
            raise Http404("页面不存在")
    return render(request, "certificates/lifecycle/purchase.html", {
        "rp": rp, "is_purchaser": is_purchaser, "form": form, "cert": lq.purchase_certificate(rp)})


urlpatterns = [
    path("lifecycle/pieces/<int:piece_id>/", piece_actions, name="lc_piece"),
    path("lifecycle/pledges/", pledges, name="lc_pledges"),
    path("lifecycle/pledges/<int:pledge_id>/", pledge_detail, name="lc_pledge"),
    path("lifecycle/pledged-transfers/<int:req_id>/<str:verb>/", pledged_transfer_action, name="lc_pledged_transfer"),
    path("lifecycle/commitments/", commitments, name="lc_commitments"),
    path("lifecycle/commitments/<int:commitment_id>/", commitment_detail, name="lc_commitment"),
    path("lifecycle/certs/<int:cert_id>/commitment/", commitment_new, name="lc_commitment_new"),
    path("lifecycle/sales/<int:sale_id>/", sale_detail, name="lc_sale"),
    path("lifecycle/offsets/", offsets, name="lc_offsets"),
    path("lifecycle/offsets/<int:offset_id>/", offset_detail, name="lc_offset"),
    path("lifecycle/assets/", assets, name="lc_assets"),
    path("lifecycle/providers/", providers, name="lc_providers"),
    path("lifecycle/certs/<int:cert_id>/void/", void_new, name="lc_void"),
    path("lifecycle/voids/", voids, name="lc_voids"),
    path("lifecycle/purchases/", purchases, name="lc_purchases"),
    path("lifecycle/purchases/<int:rp_id>/", purchase_detail, name="lc_purchase"),
]
