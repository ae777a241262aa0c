"""Partner bank page (合作银行): register an agreement, suspend, reactivate or terminate cooperation."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import render

from liuzhuan.core.forms import run_action
from liuzhuan.core.roles import Role
from liuzhuan.core.views import post_id
from liuzhuan.members.models import Organisation

from ..fund.views import ok, oversight, posted
from ..models.banks import AgreementStatusChange, BankAgreement
from . import actions, forms


@login_required
def banks(request):
    who = oversight(request)
    bank_orgs = Organisation.objects.filter(roles__role=Role.BANK, status="active").order_by("name").distinct()
    create_form = forms.AgreementForm(prefix="new", banks=bank_orgs,
                                      initial={"joint_liability_principal": True, "joint_liability_fee": True})
    status_forms = {}
    if posted(request, "create") and who.head:
        create_form = forms.AgreementForm(request.POST, prefix="new", banks=bank_orgs)
        if create_form.is_valid():
            d = create_form.cleaned_data
            if run_action(create_form, lambda: actions.create_agreement(request.user, **d)):
                return ok(request, "合作监管协议已登记。", "bridge:banks")
    elif posted(request, "status") and (who.head or who.bureau):
        ag_id = post_id(request, "agreement_id")
        form = forms.AgreementStatusForm(request.POST, prefix=f"a{ag_id}")
        if form.is_valid():
            d = form.cleaned_data
            if run_action(form, lambda: actions.change_agreement_status(request.user, ag_id, action=d["action"], reason=d["reason"],
                                                                         article=d["article"])):
                return ok(request, "合作状态已变更。", "bridge:banks")
        status_forms[ag_id] = form
    items = []
    agreements = BankAgreement.objects.select_related("bank", "status_decided_by").order_by("status", "id").prefetch_related(
        Prefetch("status_changes", queryset=AgreementStatusChange.objects.select_related("decided_by")))
    for ag in agreements:  # history newest first (model ordering), the last five shown
        items.append((ag, status_forms.get(ag.pk) or forms.AgreementStatusForm(prefix=f"a{ag.pk}"), ag.status_changes.all()[:5]))
    return render(request, "bridge/banks.html", {"who": who, "items": items, "create_form": create_form})
