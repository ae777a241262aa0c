"""Offset pages: offsets as holder or debtor, an offset, the assets a member or housing entity lists."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from liuzhuan.core.dates import today_china
from liuzhuan.core.money import format_yuan
from liuzhuan.core.roles import Role
from liuzhuan.core.uploads import read_limited
from liuzhuan.core.views import post_id, require_page_role
from liuzhuan.members.queries import sees_all

from ..ledger.forms import ReasonForm
from ..ledger.uploads import upload_limit
from ..ledger.views import get_or_404, perform
from . import actions, queries, rules
from . import forms as f
from .models import CLOSABLE_OFFSET_STATUSES, OffsetKind, OffsetStatus


@login_required
def offsets(request):
    user = request.user
    org = user.organisation
    if request.method == "POST":  # the operator's batch 注销登记 (a day's counter settlements)
        require_page_role(request, Role.OPERATOR)
        ids = request.POST.getlist("offset_ids")
        if not all(x.isdigit() for x in ids):
            raise Http404("对象不存在")
        perform(request, lambda: actions.register_offset_cancellations(user, [int(x) for x in ids]),
                lambda rows: f"已办理 {len(rows)} 笔注销登记，共注销债权 {format_yuan(sum(o.offset_fen for o in rows))}，"
                             "已通知持有人和债务人。")
        return redirect("certificates:lc_offsets")
    qs = queries.visible_offsets(user)
    return render(request, "certificates/offset/offsets.html", {
        "as_holder": qs.filter(holder=org), "as_debtor": qs.filter(debtor=org),
        "to_register": qs.filter(status=OffsetStatus.RECEIVED).exclude(holder=org).exclude(debtor=org)
        if org.has_role(Role.OPERATOR) else None,
        "is_member": org.has_any_role([Role.MEMBER, Role.HOUSING]),
        "all": qs[:500] if sees_all(user) else None, "assets_available": queries.available_assets_count(org.pk),
    })


@login_required
def offset_detail(request, offset_id: int):
    user = request.user
    o = get_or_404(lambda: queries.get_offset(user, offset_id))
    org = user.organisation
    side = "holder" if o.holder_id == org.pk else "debtor" if o.debtor_id == org.pk else "operator" if org.has_role(Role.OPERATOR) else None
    eligible = list(queries.eligible_assets(o.debtor_id)) if side == "debtor" and o.kind == OffsetKind.ASSET else []
    offered = list(o.offered_assets.select_related("owner"))
    options_form = f.OptionsForm(assets=eligible, initial={"assets": [a.pk for a in offered], "consumption_scope": o.consumption_scope})
    price_form = f.PriceForm(assets=offered)
    delivery_form = f.DeliveryForm(initial={"cash_top_up_date": today_china()})
    evidence_form = f.EvidenceForm()
    reason_form = ReasonForm()
    return_form = ReasonForm()
    if request.method == "POST":
        if side is None:
            raise Http404("抵付申请不存在")
        verb = request.POST.get("form")
        done = None
        if verb == "options":
            options_form = f.OptionsForm(request.POST, assets=eligible)
            if options_form.is_valid():
                d = options_form.cleaned_data
                done = perform(request, lambda: actions.offer_offset_options(user, o.pk, asset_ids=[int(x) for x in d["assets"]],
                                                                             consumption_scope=d["consumption_scope"]), lambda o: f"已向持有人提供抵付 {o.number} 的可选清单，下一步由双方商定价款。", options_form)
        elif verb == "price":
            price_form = f.PriceForm(request.POST, assets=offered)
            if price_form.is_valid():
                d = price_form.cleaned_data
                done = perform(request, lambda: actions.propose_offset_price(user, o.pk, d["price"], int(d["asset"]) if d["asset"] else None),
                               lambda o: f"已提出价款 {format_yuan(o.price_fen)}，等待对方确认。", price_form)
        elif verb == "agree":
            done = perform(request, lambda: actions.accept_offset_price(user, o.pk),
                           lambda o: f"价款已商定：{format_yuan(o.price_fen)}，等待债务人登记交付。")
        elif verb == "evidence":
            evidence_form = f.EvidenceForm(request.POST, request.FILES)
            if evidence_form.is_valid():
                d = evidence_form.cleaned_data
                done = perform(request, lambda: actions.add_offset_evidence(user, o.pk, d["kind"], d["file"].name, read_limited(d["file"], upload_limit())),
                               "证明材料已上传。", evidence_form)
        elif verb == "deliver":
            delivery_form = f.DeliveryForm(request.POST)
            if delivery_form.is_valid():
                done = perform(request, lambda: actions.record_offset_delivery(user, o.pk, **delivery_form.cleaned_data),
                               "已登记交付，等待持有人确认。", delivery_form)
        elif verb == "debt_confirm":
            done = perform(request, lambda: actions.confirm_debt_setoff(user, o.pk), "已确认抵偿债务，等待运营机构注销登记。")
        elif verb == "receipt":
            done = perform(request, lambda: actions.confirm_offset_receipt(user, o.pk), "已确认收到，等待运营机构注销登记。")
        elif verb == "return":
            return_form = ReasonForm(request.POST)
            if return_form.is_valid():
                done = perform(request, lambda: actions.return_offset_delivery(user, o.pk, return_form.cleaned_data["reason"]),
                               "已退回债务人补正。", return_form)
        elif verb == "register":
            done = perform(request, lambda: actions.register_offset_cancellation(user, o.pk), "注销登记已办理，债权已注销。")
        elif verb == "close":
            reason_form = ReasonForm(request.POST)
            if reason_form.is_valid():
                done = perform(request, lambda: actions.close_offset(user, o.pk, reason_form.cleaned_data["reason"]), lambda o: f"已不予办理抵付申请 {o.number}，分段已解除锁定，已通知持有人。"
                               if o.status == OffsetStatus.REFUSED else f"已撤回抵付申请 {o.number}，分段已解除锁定。", reason_form)
        else:
            raise Http404("页面不存在")
        if done is not None:
            return redirect("certificates:lc_offset", offset_id=o.pk)
        o = queries.get_offset(user, offset_id)
    outcome = rules.offset_outcome(o.amount_fen, o.price_fen) if o.price_fen else None
    return render(request, "certificates/offset/offset.html", {
        "o": o, "side": side, "offered": offered, "outcome": outcome, "options_form": options_form, "price_form": price_form,
        "delivery_form": delivery_form, "evidence_form": evidence_form, "reason_form": reason_form, "return_form": return_form,
        "evidence": list(o.evidence.select_related("uploaded_by__organisation")), "open": o.status in CLOSABLE_OFFSET_STATUSES,
    })


@login_required
def assets(request):
    require_page_role(request, Role.MEMBER, Role.HOUSING)
    user = request.user
    form = f.AssetForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("form") == "withdraw":
            perform(request, lambda: actions.withdraw_asset(user, post_id(request, "asset")), "资产已下架，不再出现在抵付清单中。")
            return redirect("certificates:lc_assets")
        if form.is_valid():
            d = form.cleaned_data
            if perform(request, lambda: actions.add_asset(user, kind=d["kind"], name=d["name"], list_price_fen=d["list_price"],
                                                          location=d["location"], title_no=d["title_no"]), "资产已登记。", form):
                return redirect("certificates:lc_assets")
    return render(request, "certificates/offset/assets.html", {
        "assets": queries.own_assets(user.organisation_id), "form": form, "is_housing": user.organisation.has_role(Role.HOUSING)})
