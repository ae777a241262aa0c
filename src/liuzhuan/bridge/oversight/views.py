"""Oversight page (监督检查): the bureau records inspections and sanctions on the fund manager; the
manager, the bureau and the regulator read them. Thin: parse, call an action, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from liuzhuan.core.dates import today_china
from liuzhuan.core.forms import run_action
from liuzhuan.members.models import User

from ..fund.views import ok, oversight, posted
from ..models.banks import BankAgreement
from ..models.oversight import Inspection, Sanction
from . import actions, forms


@login_required
def oversight_page(request):
    who = oversight(request)
    banks = [a.bank for a in BankAgreement.objects.select_related("bank").order_by("bank__name")]
    officers = User.objects.filter(organisation_id=who.fund.manager_id).order_by("username")
    inspection_form = forms.InspectionForm(prefix="i", banks=banks, initial={"inspected_on": today_china()})
    sanction_form = forms.SanctionForm(prefix="s", officers=officers)
    if posted(request, "inspection") and who.bureau:
        inspection_form = forms.InspectionForm(request.POST, prefix="i", banks=banks)
        if inspection_form.is_valid() and run_action(inspection_form, lambda: actions.record_inspection(
                request.user, **inspection_form.cleaned_data)):
            return ok(request, "监督检查已登记。", "bridge:oversight")
    elif posted(request, "sanction") and who.bureau:
        sanction_form = forms.SanctionForm(request.POST, prefix="s", officers=officers)
        if sanction_form.is_valid() and run_action(sanction_form, lambda: actions.record_sanction(request.user, **sanction_form.cleaned_data)):
            return ok(request, "违规处理已登记。", "bridge:oversight")
    return render(request, "bridge/oversight.html", {
        "who": who, "inspection_form": inspection_form, "sanction_form": sanction_form,
        "inspections": Inspection.objects.select_related("bank", "recorded_by")[:50],
        "sanctions": Sanction.objects.select_related("organisation", "officer", "decided_by")[:50],
    })
