"""Recovery pages (追偿, 第十三条、第十七条): the cases with their plan and measures, and the recovery
part of the application page (``application/views.py``): the fraud declaration and the case."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from liuzhuan.core.dates import today_china
from liuzhuan.core.forms import run_action
from liuzhuan.core.views import post_id

from ..application.views import PageSection
from ..fund.views import Who, ok, oversight
from ..models.application import Application, AppStatus
from ..models.recovery import RecoveryCase
from . import actions, forms


@login_required
def recovery(request):
    who = oversight(request)
    bound = {}
    if request.method == "POST" and who.manager_org:
        case_id = post_id(request, "case_id")
        kind = request.POST.get("form")
        if kind == "plan":
            form = forms.PlanForm(request.POST, prefix=f"p{case_id}")
            if form.is_valid() and run_action(form, lambda: actions.set_recovery_plan(request.user, case_id, plan=form.cleaned_data["plan"])):
                return ok(request, "追偿方案已保存。", "bridge:recovery")
            bound[("plan", case_id)] = form
        elif kind == "action":
            form = forms.CaseActionForm(request.POST, prefix=f"a{case_id}")
            if form.is_valid() and run_action(form, lambda: actions.add_recovery_action(request.user, case_id, **form.cleaned_data)):
                return ok(request, "追偿措施已登记。", "bridge:recovery")
            bound[("action", case_id)] = form
    items = []
    for case in RecoveryCase.objects.select_related("application", "application__applicant", "application__bank").prefetch_related("actions"):
        items.append((case,
                      bound.get(("plan", case.pk)) or forms.PlanForm(prefix=f"p{case.pk}", initial={"plan": case.plan}),
                      bound.get(("action", case.pk)) or forms.CaseActionForm(prefix=f"a{case.pk}", initial={"taken_on": today_china()})))
    return render(request, "bridge/recovery.html", {"who": who, "items": items})


# ---------------------------------------------------------------------------------------------
# On the application page
# ---------------------------------------------------------------------------------------------


def _forms(app: Application, who: Who, today: dt.date) -> dict:
    if who.manager_org and who.head and app.status != AppStatus.WITHDRAWN and not app.fraud_findings.exists():
        return {"fraud": forms.FraudForm(prefix="fraud")}
    return {}


def _context(app: Application, today: dt.date) -> dict:
    return {"case": RecoveryCase.objects.filter(application=app).prefetch_related("actions").first(),
            "findings": app.fraud_findings.all()}


PAGE = PageSection(forms=_forms, context=_context, actions={
    "fraud": (forms.FraudForm, lambda u, a, d: actions.declare_fraud(u, a.pk, findings=d["findings"], legal_referral=d["legal_referral"]),
              "已作出骗取认定，已报市财政局，5 年内不再受理该企业申请。"),
})
