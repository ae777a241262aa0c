"""Purchase pages: commitments and sales, a new commitment, a commitment, a sale, provider approval."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from liuzhuan.core.dates import today_china
from liuzhuan.core.money import format_yuan
from liuzhuan.core.roles import Role
from liuzhuan.core.views import post_id, require_page_role
from liuzhuan.members.queries import sees_all

from ..ledger.models import Certificate
from ..ledger.queries import can_see_certificate
from ..ledger.views import get_or_404, perform
from . import actions, queries, rules
from . import forms as f
from .models import CommitmentStatus, PurchaseProvider, SaleStatus


@login_required
def commitments(request):
    user = request.user
    org = user.organisation
    qs = queries.visible_commitments(user)
    return render(request, "certificates/purchase/commitments.html", {
        "to_accept": qs.filter(provider=org, status=CommitmentStatus.REQUESTED), "provided": qs.filter(provider=org),
        "others": qs.exclude(provider=org)[:500], "provider": queries.provider_of(org.pk),
        "outstanding": queries.provider_outstanding_fen(org.pk),
        "sales_to_confirm": queries.visible_sales(user).filter(commitment__provider=org, status=SaleStatus.APPLIED),
        "my_sales": queries.visible_sales(user).filter(holder=org)[:200],
    })


@login_required
def commitment_new(request, cert_id: int):
    user = request.user
    cert = Certificate.objects.select_related("creditor", "debtor").filter(pk=cert_id).first()
    if cert is None or not can_see_certificate(user, cert) or sees_all(user):
        raise Http404("凭证不存在")
    form = f.CommitmentForm(request.POST or None, org=user.organisation, debtor_id=cert.debtor_id)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        c = perform(request, lambda: actions.request_commitment(
            user, cert.pk, d["provider"].pk, price_kind=d["price_kind"], price_bp=form.price_bp(), fixed_price_fen=d["fixed_price"],
            lockup_end=d["lockup_end"], expiry=d["expiry"], conditions=d["conditions"], agreement_ref=d["agreement_ref"]),
            lambda c: f"已委托 {c.provider.name} 作出收购承诺 {c.number}，等待对方接受。", form)
        if c:
            return redirect("certificates:lc_commitment", commitment_id=c.pk)
    return render(request, "certificates/purchase/commitment_new.html", {"cert": cert, "form": form})


@login_required
def commitment_detail(request, commitment_id: int):
    user = request.user
    c = get_or_404(lambda: queries.get_commitment(user, commitment_id))
    org = user.organisation
    if request.method == "POST":
        verb = request.POST.get("form")
        if org.pk not in (c.provider_id, c.entrusted_by_id):
            raise Http404("收购承诺不存在")
        if verb == "accept":
            perform(request, lambda: actions.accept_commitment(user, c.pk),
                    lambda c: f"已接受收购承诺 {c.number}，承诺生效；锁定期满后持有人可申请收购，有效期至 {c.expiry:%Y-%m-%d}。")
        elif verb == "close":
            perform(request, lambda: actions.close_commitment(user, c.pk, request.POST.get("reason", "")),
                    lambda c: f"已拒绝收购承诺 {c.number}，已通知委托方。" if c.status == CommitmentStatus.DECLINED
                    else f"已撤回收购承诺 {c.number}，已通知服务提供方。")
        else:
            raise Http404("页面不存在")
        return redirect("certificates:lc_commitment", commitment_id=c.pk)
    sales = queries.visible_sales(user).filter(commitment=c)
    return render(request, "certificates/purchase/commitment.html", {
        "c": c, "is_provider": org.pk == c.provider_id, "is_entrusting": org.pk == c.entrusted_by_id, "sales": sales,
        "first_sale_day": rules.first_sale_day(c.lockup_end),
    })


@login_required
def sale_detail(request, sale_id: int):
    user = request.user
    s = get_or_404(lambda: queries.get_sale(user, sale_id))
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
                if perform(request, lambda: actions.confirm_sale(user, s.pk, payment_fen=d["payment"], payment_date=d["payment_date"],
                                                                 payment_ref=d["payment_ref"], payment_account_no=d["payment_account_no"]), lambda s: f"已确认付款 {format_yuan(s.payment_fen)}，收购 {s.number} 完成，债权已转至本机构。", confirm_form):
                    return redirect("certificates:lc_sale", sale_id=s.pk)
        elif verb == "close":
            if perform(request, lambda: actions.close_sale(user, s.pk, request.POST.get("reason", "")),
                       lambda s: f"已拒绝收购申请 {s.number}，分段已解除锁定，已通知持有人。" if s.status == SaleStatus.REFUSED
                       else f"已撤回收购申请 {s.number}，分段已解除锁定。") is not None:
                return redirect("certificates:lc_sale", sale_id=s.pk)
        else:
            raise Http404("页面不存在")
        s = queries.get_sale(user, sale_id)
    return render(request, "certificates/purchase/sale.html", {
        "s": s, "is_provider": is_provider, "is_holder": is_holder, "confirm_form": confirm_form})


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
                if perform(request, lambda: actions.prepare_provider(user, d["org"].pk, d["capacity"], d["note"]), lambda p: f"已提交 {p.org.name} 的收购额度 {format_yuan(p.proposed_capacity_fen)}，等待另一名人员复核。", form):
                    return redirect("certificates:lc_providers")
        elif verb == "decide":
            agree = request.POST.get("agree") == "yes"
            perform(request, lambda: actions.decide_provider(user, post_id(request, "provider"), agree, request.POST.get("reason", "")),
                    lambda p: f"复核通过：{p.org.name} 的收购承诺额度为 {format_yuan(p.capacity_fen)}，已通知该机构。" if agree
                    else f"复核不同意：{p.org.name} 的额度调整已退回经办人，额度仍为 {format_yuan(p.capacity_fen)}。")
            return redirect("certificates:lc_providers")
        else:
            raise Http404("页面不存在")
    providers = list(PurchaseProvider.objects.select_related("org", "proposed_by").order_by("id"))
    outstanding = queries.providers_outstanding_fen([p.org_id for p in providers])
    rows = [(p, outstanding[p.org_id]) for p in providers]
    return render(request, "certificates/purchase/providers.html", {"rows": rows, "form": form,
                                                                    "is_operator": user.organisation.has_role(Role.OPERATOR)})
