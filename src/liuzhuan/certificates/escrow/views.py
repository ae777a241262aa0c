"""资金监管 page: the operator records and ends agreements; the bank confirms its own; oversight reads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from liuzhuan.core.roles import Role
from liuzhuan.core.views import post_id, require_page_role

from ..ledger.forms import ReasonForm
from ..ledger.views import perform
from . import actions, queries
from . import forms as f


@login_required
def agreements(request):
    require_page_role(request, Role.OPERATOR, Role.BANK, Role.REGULATOR, Role.BUREAU)
    user = request.user
    org = user.organisation
    form = f.AgreementForm()
    reason_form = ReasonForm()
    if request.method == "POST":
        verb = request.POST.get("form")
        done = None
        if verb == "record":
            form = f.AgreementForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                done = perform(request, lambda: actions.record_agreement(
                    user, bank_id=d["bank"].pk, account_name=d["account_name"], account_no=d["account_no"], scopes=d["scopes"],
                    start_date=d["start_date"], end_date=d["end_date"]), "资金监管协议已登记，待合作银行确认。",
                    form if org.has_role(Role.OPERATOR) else None)  # others see no form: the refusal goes on the page
        elif verb in ("confirm", "decline", "end"):
            pk = post_id(request, "agreement")
            reason_form = ReasonForm(request.POST)
            reason = reason_form.cleaned_data["reason"] if reason_form.is_valid() else ""
            if verb == "end":
                done = perform(request, lambda: actions.end_agreement(user, pk, reason), "协议已终止。", reason_form)
            else:
                done = perform(request, lambda: actions.decide_agreement(user, pk, verb == "confirm", reason),
                               "已确认。" if verb == "confirm" else "已不予确认。", reason_form)
        else:
            raise Http404("页面不存在")
        if done is not None:
            return redirect("certificates:escrow_accounts")
    return render(request, "certificates/escrow/agreements.html", {
        "rows": queries.visible_agreements(user)[:500], "form": form, "reason_form": reason_form,
        "is_operator": org.has_role(Role.OPERATOR), "is_bank": org.has_role(Role.BANK),
    })
