"""Pledge pages: the pledges list (and the bank's book), a pledge, decisions on a pledged transfer."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from liuzhuan.core.dates import today_china
from liuzhuan.core.money import format_yuan
from liuzhuan.core.roles import Role
from liuzhuan.core.views import paged
from liuzhuan.members.queries import sees_all

from ..ledger.forms import ReasonForm
from ..ledger.views import get_or_404, perform
from . import actions, queries
from . import forms as f
from .models import PledgedTransferStatus

PLEDGES_PER_PAGE = 50


@login_required
def pledges(request):
    user = request.user
    org = user.organisation
    ctx = {"is_bank": org.has_role(Role.BANK), "oversight": sees_all(user)}
    # a bank's book runs to thousands of pledges: each list pages on its own
    if ctx["oversight"]:
        ctx["all_pledges"] = paged(request, queries.visible_pledges(user), "apage", PLEDGES_PER_PAGE)
    ctx["given"] = paged(request, queries.visible_pledges(user).filter(pledgor=org), "gpage", PLEDGES_PER_PAGE)
    ctx["taken"] = paged(request, queries.pledges_to(org.pk), "tpage", PLEDGES_PER_PAGE)
    ctx["totals"] = queries.pledge_book_totals(org.pk)
    ctx["incoming"] = queries.visible_pledged_transfers_in(org.pk)
    return render(request, "certificates/pledge/pledges.html", ctx)


@login_required
def pledge_detail(request, pledge_id: int):
    user = request.user
    p = get_or_404(lambda: queries.get_pledge(user, pledge_id))
    org = user.organisation
    side = "pledgor" if p.pledgor_id == org.pk else "pledgee" if p.pledgee_id == org.pk else None
    register_form, reason_form = f.RegisterPledgeForm(initial={"registration_date": today_china()}), ReasonForm()
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
                done = perform(request, lambda: actions.register_pledge(user, p.pk, d["registration_no"], d["registration_date"]),
                               lambda p: f"质押 {p.number} 已登记生效：{format_yuan(p.amount_fen)} 质押至 {p.end_date:%Y-%m-%d}，期间该分段不能转让。",
                               register_form)
        elif kind in ("cancel", "release"):
            reason_form = ReasonForm(request.POST)
            if reason_form.is_valid():
                fn = actions.cancel_pledge if kind == "cancel" else actions.release_pledge
                done = perform(request, lambda: fn(user, p.pk, reason_form.cleaned_data["reason"]), lambda p: f"质押 {p.number} 已{'撤销' if kind == 'cancel' else '解除'}，分段恢复为持有中，可以转让。", reason_form)
        elif kind == "enforce":
            enforce_form = f.EnforceForm(request.POST, org=org, debtor_id=debtor_id)
            if enforce_form.is_valid():
                d = enforce_form.cleaned_data
                done = perform(request, lambda: actions.enforce_pledge(
                    user, p.pk, default_date=d["default_date"], reason=d["reason"], agreement_ref=d["agreement_ref"],
                    buyer_org_id=d["buyer"].pk if d["buyer"] else None),
                    lambda p: f"质押 {p.number} 的质权已实现，{format_yuan(p.amount_fen)} 债权已登记转让。", enforce_form)
        elif kind == "transfer":
            transfer_form = f.PledgedTransferForm(request.POST, org=org, debtor_id=debtor_id)
            if transfer_form.is_valid():
                d = transfer_form.cleaned_data
                done = perform(request, lambda: actions.request_pledged_transfer(user, p.pk, d["to_org"].pk, d["agreement_ref"]),
                               "已提交转让申请，等待质权人同意。", transfer_form)
        else:
            raise Http404("页面不存在")
        if done is not None:
            return redirect("certificates:lc_pledge", pledge_id=p.pk)
        p = queries.get_pledge(user, pledge_id)
    return render(request, "certificates/pledge/pledge.html", {
        "p": p, "side": side, "requests": queries.pledged_transfers(p), "register_form": register_form, "reason_form": reason_form,
        "enforce_form": enforce_form, "transfer_form": transfer_form, "decision_form": f.DecisionForm(),
    })


@login_required
@require_POST
def pledged_transfer_action(request, req_id: int, verb: str):
    user = request.user
    form = f.DecisionForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "") if hasattr(form, "cleaned_data") else ""
    verbs = {
        "consent": (lambda: actions.consent_pledged_transfer(user, req_id, form.cleaned_data.get("agree") == "yes", note),
                    lambda r: "已同意转让，等待受让方接收。" if r.status == PledgedTransferStatus.CONSENTED
                    else "已不同意转让，质押继续有效，已通知出质人。"),
        "accept": (lambda: actions.accept_pledged_transfer(user, req_id, True), "已接收，债权已登记至本机构，质押解除。"),
        "decline": (lambda: actions.accept_pledged_transfer(user, req_id, False, note), "已拒收，质押继续有效，已通知出质人。"),
        "withdraw": (lambda: actions.withdraw_pledged_transfer(user, req_id), "已撤回转让申请。"),
    }
    if verb not in verbs:
        raise Http404("页面不存在")
    fn, ok = verbs[verb]
    req = perform(request, fn, ok)
    if req is not None and verb in ("consent", "withdraw"):
        return redirect("certificates:lc_pledge", pledge_id=req.pledge_id)
    return redirect("certificates:lc_pledges")
