"""Fund pages (Chinese): 资金与风险 (principal, target, warning line, 叫停, resumption) and 利率与LPR
(LPR table, fee settings). Thin: decide which forms a user sees, parse, call an action, render.
Pages 404 for anyone who may not see them; the actions still check every permission.

``Who`` and the small helpers above the pages are used by every stage's pages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from liuzhuan.core.dates import today_china
from liuzhuan.core.forms import run_action
from liuzhuan.core.roles import Role

from ..models.fund import FundStatusChange, LprRate, PrincipalChange, RateSetting, ResumeRequest
from ..rates.common import BridgeError, per_10k_str, rate_str
from ..rates.fees import cap_daily_rate, entrusted_daily_rate
from ..rates.lpr import jan1_lpr
from . import actions, forms, queries

# ---------------------------------------------------------------------------------------------
# What every stage's pages use
# ---------------------------------------------------------------------------------------------


class Who:
    """What the signed-in user is in the bridge business (for templates and dispatch)."""

    def __init__(self, user):
        self.user = user
        self.fund = queries.get_fund()
        org = user.organisation
        self.manager_org = queries.is_manager_org(user, self.fund)
        self.head = self.manager_org and user.position == "manager"
        self.bureau = queries.is_bureau(user, self.fund)
        self.sees_all = queries.sees_all(user)
        self.bank = bool(org and org.has_role(Role.BANK))
        self.can_apply = queries.can_apply(user)
        self.org_id = user.organisation_id


def who_is(request) -> Who:
    return Who(request.user)


def oversight(request) -> Who:
    """The manager, the bureau or the regulator once the fund exists; 404 for anyone else."""
    who = who_is(request)
    if not who.sees_all or who.fund is None:
        raise Http404("页面不存在")
    return who


def ok(request, text: str, to: str, *args):
    messages.success(request, text)
    return redirect(to, *args)


def posted(request, kind: str) -> bool:
    return request.method == "POST" and request.POST.get("form") == kind


# ---------------------------------------------------------------------------------------------
# Rates and LPR
# ---------------------------------------------------------------------------------------------


@login_required
def rates_page(request):
    who = oversight(request)
    today = today_china()
    fund = who.fund
    lpr_form = forms.LprForm(prefix="lpr", initial={"effective_date": today})
    rates_form = forms.RatesForm(prefix="rates", initial={
        "day_basis": fund.day_basis, "self_daily_rate": "" if fund.self_daily_rate is None else rate_str(fund.self_daily_rate),
        "entrusted_multiplier": rate_str(fund.entrusted_multiplier), "penalty_annual_rate": rate_str(fund.penalty_annual_rate)})
    if posted(request, "lpr") and who.bureau:
        lpr_form = forms.LprForm(request.POST, prefix="lpr")
        if lpr_form.is_valid():
            d = lpr_form.cleaned_data
            if run_action(lpr_form, lambda: actions.set_lpr(request.user, **d)):
                return ok(request, "LPR 已保存。", "bridge:rates")
    elif posted(request, "rates") and who.head:
        rates_form = forms.RatesForm(request.POST, prefix="rates")
        if rates_form.is_valid():
            d = rates_form.cleaned_data
            if run_action(rates_form, lambda: actions.set_rates(request.user, **d)):
                return ok(request, "费率设定已保存。", "bridge:rates")
    table = queries.lpr_table()
    caps = []
    for basis in (360, 365):
        try:
            caps.append(cap_daily_rate(today, basis, table))
        except BridgeError:
            pass
    try:
        jan1 = jan1_lpr(today.year, table)
        entrusted = entrusted_daily_rate(today.year, fund.day_basis, fund.entrusted_multiplier, table)
    except BridgeError:
        jan1 = entrusted = None
    return render(request, "bridge/rates.html", {
        "who": who, "fund": fund, "today": today, "caps": caps, "jan1": jan1,
        "entrusted_per_10k": per_10k_str(entrusted) if entrusted is not None else "—",
        "self_per_10k": per_10k_str(fund.self_daily_rate) if fund.self_daily_rate is not None else "按法定上限",
        "lprs": LprRate.objects.select_related("updated_by").order_by("-effective_date"),
        "settings": RateSetting.objects.select_related("set_by")[:10], "lpr_form": lpr_form, "rates_form": rates_form,
    })


# ---------------------------------------------------------------------------------------------
# Fund: principal, target, suspension and resumption
# ---------------------------------------------------------------------------------------------


@login_required
def fund_page(request):
    who = oversight(request)
    principal_form = forms.PrincipalForm(prefix="p", initial={"effective_on": today_china()})
    target_form = forms.TargetForm(prefix="t", initial={"annual_turnover_target": who.fund.annual_turnover_target})
    suspend_form = forms.ReasonForm(prefix="s")
    warn_form = forms.WarnLevelForm(prefix="w", initial={"warn_percent": who.fund.warn_percent})
    region_form = forms.RegionForm(prefix="g", initial={"region_code": who.fund.region_code})
    resume_form = forms.NoteForm(prefix="r")
    decide_form = forms.ResumeDecideForm(prefix="d")
    pending = queries.pending_resume_request()
    u = request.user
    if posted(request, "principal") and who.bureau:
        principal_form = forms.PrincipalForm(request.POST, prefix="p")
        if principal_form.is_valid() and run_action(principal_form, lambda: actions.change_principal(u, **principal_form.cleaned_data)):
            return ok(request, "本金变动已登记。", "bridge:fund")
    elif posted(request, "target") and who.bureau:
        target_form = forms.TargetForm(request.POST, prefix="t")
        if target_form.is_valid() and run_action(target_form, lambda: actions.set_turnover_target(
                u, target_form.cleaned_data["annual_turnover_target"], target_form.cleaned_data["note"])):
            return ok(request, "年度目标已保存。", "bridge:fund")
    elif posted(request, "warning") and who.bureau:
        warn_form = forms.WarnLevelForm(request.POST, prefix="w")
        if warn_form.is_valid() and run_action(warn_form, lambda: actions.set_warning_level(
                u, warn_form.cleaned_data["warn_percent"], warn_form.cleaned_data["note"])):
            return ok(request, "风险预警线已保存。", "bridge:fund")
    elif posted(request, "region") and who.bureau:
        region_form = forms.RegionForm(request.POST, prefix="g")
        if region_form.is_valid() and run_action(region_form, lambda: actions.set_region(
                u, region_form.cleaned_data["region_code"], region_form.cleaned_data["note"])):
            return ok(request, "本市行政区划代码已保存。", "bridge:fund")
    elif posted(request, "suspend") and who.bureau:
        suspend_form = forms.ReasonForm(request.POST, prefix="s")
        if suspend_form.is_valid() and run_action(suspend_form, lambda: actions.bureau_suspend(u, suspend_form.cleaned_data["reason"])):
            return ok(request, "已叫停续贷过桥资金业务。", "bridge:fund")
    elif posted(request, "resume") and who.head:
        resume_form = forms.NoteForm(request.POST, prefix="r")
        if resume_form.is_valid() and run_action(resume_form, lambda: actions.request_resume(u, resume_form.cleaned_data["note"])):
            return ok(request, "恢复业务申请已报市财政局。", "bridge:fund")
    elif posted(request, "decide") and who.bureau and pending:
        decide_form = forms.ResumeDecideForm(request.POST, prefix="d")
        if decide_form.is_valid() and run_action(decide_form, lambda: actions.decide_resume(
                u, pending.pk, approve=decide_form.cleaned_data["approve"], note=decide_form.cleaned_data["note"])):
            return ok(request, "已批复恢复业务申请。", "bridge:fund")
    ov = queries.overview(today_china())
    return render(request, "bridge/fund.html", {
        "who": who, "ov": ov, "pending": pending,
        "changes": PrincipalChange.objects.select_related("recorded_by").order_by("-effective_on", "-id"),
        "status_changes": FundStatusChange.objects.select_related("decided_by")[:20],
        "requests": ResumeRequest.objects.select_related("requested_by", "decided_by")[:10],
        "principal_form": principal_form, "target_form": target_form, "suspend_form": suspend_form, "warn_form": warn_form,
        "region_form": region_form,
        "resume_form": resume_form, "decide_form": decide_form,
    })
