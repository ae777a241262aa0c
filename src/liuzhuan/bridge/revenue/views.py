"""Non-tax revenue page (非税收入, 第十五条): deposit interest and remittances, with the balance
collected, remitted and still to remit."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from liuzhuan.core.dates import today_china
from liuzhuan.core.forms import run_action

from ..fund.views import ok, oversight, posted
from ..models.revenue import DepositInterest, Remittance
from . import actions, forms
from .queries import revenue_balance


@login_required
def revenue(request):
    who = oversight(request)
    today = today_china()
    interest_form = forms.InterestForm(prefix="i", initial={"received_on": today})
    remit_form = forms.RemittanceForm(prefix="r", initial={"remitted_on": today})
    if posted(request, "interest") and who.manager_org:
        interest_form = forms.InterestForm(request.POST, prefix="i")
        if interest_form.is_valid() and run_action(interest_form, lambda: actions.record_deposit_interest(request.user, **interest_form.cleaned_data)):
            return ok(request, "存款利息已登记。", "bridge:revenue")
    elif posted(request, "remit") and who.manager_org:
        remit_form = forms.RemittanceForm(request.POST, prefix="r")
        if remit_form.is_valid():
            d = {k: (v or 0) if k.endswith("_fen") else v for k, v in remit_form.cleaned_data.items()}
            if run_action(remit_form, lambda: actions.record_remittance(request.user, **d)):
                return ok(request, "上缴已登记。", "bridge:revenue")
    return render(request, "bridge/revenue.html", {
        "who": who, "bal": revenue_balance(), "interests": DepositInterest.objects.order_by("-received_on", "-id")[:50],
        "remittances": Remittance.objects.order_by("-remitted_on", "-id")[:50], "interest_form": interest_form, "remit_form": remit_form,
    })
