"""Bridge fund pages (Chinese). Thin: decide which forms a user sees, parse, call an action, render.

Pages 404 for anyone who may not see them; the actions still check every permission.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError
from liuzhuan.core.forms import run_action
from liuzhuan.core.models import AuditEvent
from liuzhuan.core.roles import Role
from liuzhuan.core.views import post_id
from liuzhuan.members.models import Organisation

from . import actions, forms, queries, rates, reports
from .models import (
    AgreementStatusChange,
    Application,
    AppStatus,
    BankAgreement,
    CheckKind,
    ChecklistVersion,
    DepositInterest,
    FundStatusChange,
    LprRate,
    PrincipalChange,
    QuarterlyReport,
    RateSetting,
    RecoveryCase,
    Remittance,
    ResumeRequest,
)


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


def _who(request) -> Who:
    return Who(request.user)


def _oversight(request) -> Who:
    who = _who(request)
    if not who.sees_all or who.fund is None:
        raise Http404("页面不存在")
    return who


def _ok(request, text: str, to: str, *args):
    messages.success(request, text)
    return redirect(to, *args)


def _posted(request, kind: str) -> bool:
    return request.method == "POST" and request.POST.get("form") == kind


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------------------------------------
# Overview (manager, bureau, regulator)
# ---------------------------------------------------------------------------------------------


@login_required
def index(request):
    who = _who(request)
    if who.sees_all and who.fund:
        return redirect("bridge:overview")
    return redirect("bridge:applications")


@login_required
def overview(request):
    who = _oversight(request)
    today = today_china()
    ov = queries.overview(today)
    try:
        cap = queries.current_cap(today, who.fund.day_basis)
    except rates.BridgeError:
        cap = None
    queue = queries.visible_applications(request.user).filter(
        status__in=[AppStatus.SUBMITTED, AppStatus.PREPARED, AppStatus.APPROVED, AppStatus.CONFIRMED])[:10]
    at_risk = Application.objects.select_related("applicant", "bank").filter(status__in=[AppStatus.OVERDUE, AppStatus.RECOVERY])
    return render(request, "bridge/overview.html", {
        "who": who, "ov": ov, "cap": cap, "queue": queue, "at_risk": at_risk,
        "changes": FundStatusChange.objects.select_related("decided_by")[:5],
        "pending_resume": queries.pending_resume_request(),
    })


# ---------------------------------------------------------------------------------------------
# Applications
# ---------------------------------------------------------------------------------------------


@login_required
def applications(request):
    who = _who(request)
    if not (who.sees_all or who.bank or who.can_apply or request.user.organisation.has_role(Role.MEMBER)):
        raise Http404("页面不存在")
    qs = queries.visible_applications(request.user)
    status = request.GET.get("status") or ""
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "bridge/applications.html", {"who": who, "page": page, "status": status, "statuses": AppStatus.choices})


@login_required
def apply(request):
    who = _who(request)
    if not who.can_apply or who.fund is None:
        raise Http404("页面不存在")
    today = today_china()
    checklist = queries.latest_filed_checklist()
    form = forms.ApplyForm(request.POST or None, checklist=checklist, today=today)
    ban = queries.active_ban(request.user.organisation_id, today)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = actions.ApplicationInput(
            bank_id=d["bank_id"], sme_size=d["sme_size"], original_contract_no=d["original_contract_no"],
            original_loan_type=d["original_loan_type"], original_due_fen=d["original_due_fen"],
            original_due_date=d["original_due_date"], classification=d["classification"], loan_account=d["loan_account"],
            renewal_approval_fen=d["renewal_approval_fen"], renewal_approval_no=d["renewal_approval_no"],
            renewal_approval_date=d["renewal_approval_date"], amount_fen=d["amount_fen"], planned_days=d["planned_days"],
            planned_draw_date=d["planned_draw_date"], purpose_confirmed=d["purpose_confirmed"],
            evidence=form.evidence(), materials=form.materials(),
        )
        app = run_action(form, lambda: actions.submit_application(request.user, data))
        if app:
            return _ok(request, f"申请已提交：{app.number}，请等待过桥资金管理机构审核。", "bridge:application", app.pk)
    return render(request, "bridge/apply.html", {"who": who, "form": form, "checklist": checklist, "ban": ban})


def _detail_forms(app: Application, who: Who, today: dt.date) -> dict:
    """Unbound forms for the actions this user may take on this application now."""
    f = {}
    s = app.status
    if who.manager_org:
        if s == AppStatus.SUBMITTED:
            f["prepare"] = forms.PrepareForm(prefix="prepare", initial={"mode": "self"})
        if s in (AppStatus.SUBMITTED, AppStatus.PREPARED, AppStatus.APPROVED, AppStatus.CONFIRMED):
            f["reject"] = forms.ReasonForm(prefix="reject")
        if s == AppStatus.PREPARED and who.head and app.prepared_by_id != who.user.pk:
            f["approve"] = forms.NoteForm(prefix="approve")
        if s == AppStatus.CONFIRMED:
            f["disburse"] = forms.DisburseForm(prefix="disburse", initial={"account": app.loan_account})
        if app.is_live:
            d = actions.dues(app, today)
            f["repay"] = forms.RepaymentForm(prefix="repay", initial={
                "paid_on": today, "principal_fen": _yuan_plain(d.principal_fen), "fee_fen": _yuan_plain(d.fee_due_fen),
                "penalty_fen": _yuan_plain(d.penalty_due_fen), "payer": "borrower"})
        if who.head and s != AppStatus.WITHDRAWN and not app.fraud_findings.exists():
            f["fraud"] = forms.FraudForm(prefix="fraud")
    if who.org_id == app.applicant_id and s in (AppStatus.SUBMITTED, AppStatus.PREPARED, AppStatus.APPROVED, AppStatus.CONFIRMED):
        f["withdraw"] = forms.NoteForm(prefix="withdraw")
    if who.org_id == app.bank_id and who.bank:
        if s == AppStatus.APPROVED:
            f["bank_confirm"] = forms.BankConfirmForm(prefix="bank_confirm", initial={
                "renewal_approval_fen": _yuan_plain(app.renewal_approval_fen), "renewal_approval_no": app.renewal_approval_no,
                "renewal_approval_date": app.renewal_approval_date, "classification": app.classification})
            f["bank_decline"] = forms.ReasonForm(prefix="bank_decline")
        if app.is_live and not app.renewed_on:
            f["renewal"] = forms.RenewalForm(prefix="renewal", initial={"renewed_on": today, "amount_fen": _yuan_plain(app.amount_fen)})
    return f


def _yuan_plain(fen: int) -> str:
    from liuzhuan.core.money import format_plain

    return format_plain(fen)


#: form kind -> (form class, callable(user, app, cleaned_data) -> result, success message)
_DETAIL_ACTIONS = {
    "prepare": (forms.PrepareForm, lambda u, a, d: actions.prepare(u, a.pk, mode=d["mode"], note=d["note"]), "已初审，等待负责人复核。"),
    "approve": (forms.NoteForm, lambda u, a, d: actions.approve(u, a.pk, note=d["note"]), "已复核通过，等待贷款银行确认。"),
    "reject": (forms.ReasonForm, lambda u, a, d: actions.reject_application(u, a.pk, reason=d["reason"]), "已退回申请。"),
    "withdraw": (forms.NoteForm, lambda u, a, d: actions.withdraw_application(u, a.pk, d["note"]), "申请已撤回。"),
    "bank_confirm": (forms.BankConfirmForm, lambda u, a, d: actions.bank_confirm(
        u, a.pk, renewal_approval_fen=d["renewal_approval_fen"], renewal_approval_no=d["renewal_approval_no"],
        renewal_approval_date=d["renewal_approval_date"], renewal_in_progress=d["renewal_in_progress"],
        classification=d["classification"], note=d["note"]), "已确认续贷，等待放款。"),
    "bank_decline": (forms.ReasonForm, lambda u, a, d: actions.bank_decline(u, a.pk, reason=d["reason"]), "已不予确认。"),
    "disburse": (forms.DisburseForm, lambda u, a, d: actions.disburse(u, a.pk, account=d["account"], voucher=d["voucher"]),
                 "已放款，资金划入原贷款还款账户。"),
    "renewal": (forms.RenewalForm, lambda u, a, d: actions.record_renewal(
        u, a.pk, renewed_on=d["renewed_on"], contract_no=d["contract_no"], amount_fen=d["amount_fen"]), "已登记续贷发放。"),
    "repay": (forms.RepaymentForm, lambda u, a, d: actions.record_repayment(
        u, a.pk, paid_on=d["paid_on"], principal_fen=d["principal_fen"] or 0, fee_fen=d["fee_fen"] or 0,
        penalty_fen=d["penalty_fen"] or 0, payer=d["payer"], reference=d["reference"]), "还款已登记。"),
    "fraud": (forms.FraudForm, lambda u, a, d: actions.declare_fraud(u, a.pk, findings=d["findings"], legal_referral=d["legal_referral"]),
              "已作出骗取认定，已报市财政局，5 年内不再受理该企业申请。"),
}


@login_required
def application_detail(request, app_id: int):
    who = _who(request)
    try:
        app = queries.get_visible_application(request.user, app_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    today = today_china()
    detail_forms = _detail_forms(app, who, today)
    checks = list(app.checks.select_related("reviewed_by"))  # once, for the forms and both lists
    check_forms = {}
    if who.manager_org and app.status == AppStatus.SUBMITTED:
        check_forms = {c.pk: forms.CheckForm(prefix=f"c{c.pk}", initial={"passed": "1" if c.passed is not False else "0",
                                                                           "note": c.review_note}) for c in checks}
    if request.method == "POST":
        kind = request.POST.get("form", "")
        if kind == "check" and check_forms:
            check_id = post_id(request, "check_id")
            form = forms.CheckForm(request.POST, prefix=f"c{check_id}")
            if form.is_valid():
                done = run_action(form, lambda: actions.review_check(request.user, app.pk, check_id, passed=form.cleaned_data["passed"],
                                                                      note=form.cleaned_data["note"]))
                if done:
                    return redirect(reverse("bridge:application", args=[app.pk]) + "#checks")
            for errs in form.errors.values():
                messages.error(request, "；".join(errs))
            return redirect(reverse("bridge:application", args=[app.pk]) + "#checks")
        if kind not in detail_forms:
            raise Http404("页面不存在")
        form_cls, call, text = _DETAIL_ACTIONS[kind]
        form = form_cls(request.POST, prefix=kind)
        if form.is_valid():
            done = run_action(form, lambda: call(request.user, app, form.cleaned_data))
            if done is not None:
                return _ok(request, text, "bridge:application", app.pk)
        detail_forms[kind] = form
    quote = None
    if not app.is_disbursed and app.status not in (AppStatus.REJECTED, AppStatus.WITHDRAWN):
        quote = actions.preview_quote(app)
    case = RecoveryCase.objects.filter(application=app).prefetch_related("actions").first()
    events = AuditEvent.objects.filter(object_type="bridge.application", object_id=str(app.pk)).order_by("seq") if who.sees_all else []
    return render(request, "bridge/application_detail.html", {
        "who": who, "app": app, "forms": detail_forms, "check_forms": check_forms,
        "eligibility": [c for c in checks if c.kind == CheckKind.ELIGIBILITY],
        "materials": [c for c in checks if c.kind == CheckKind.MATERIAL],
        "repayments": app.repayments.select_related("recorded_by"), "dues": actions.dues(app, today) if app.is_disbursed else None,
        "quote": quote, "case": case, "findings": app.fraud_findings.all(), "events": events, "today": today,
    })


# ---------------------------------------------------------------------------------------------
# Ledger (台账)
# ---------------------------------------------------------------------------------------------


@login_required
def ledger(request):
    who = _oversight(request)
    today = today_china()
    form = forms.LedgerFilterForm(request.GET or None, initial={"start": dt.date(today.year, 1, 1), "end": today})
    start, end = dt.date(today.year, 1, 1), today
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    if request.GET.get("format") == "xlsx":
        if end < start:
            raise Http404("结束日期早于开始日期")
        return _download(reports.ledger_xlsx(start, end), XLSX, f"续贷过桥资金台账{start}至{end}.xlsx")
    rows = reports.ledger_queryset(start, end)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "bridge/ledger.html", {"who": who, "form": form, "page": page, "start": start, "end": end})


# ---------------------------------------------------------------------------------------------
# Banks
# ---------------------------------------------------------------------------------------------


@login_required
def banks(request):
    who = _oversight(request)
    bank_orgs = Organisation.objects.filter(roles__role=Role.BANK, status="active").order_by("name").distinct()
    create_form = forms.AgreementForm(prefix="new", banks=bank_orgs,
                                      initial={"joint_liability_principal": True, "joint_liability_fee": True})
    status_forms = {}
    if _posted(request, "create") and who.head:
        create_form = forms.AgreementForm(request.POST, prefix="new", banks=bank_orgs)
        if create_form.is_valid():
            d = create_form.cleaned_data
            if run_action(create_form, lambda: actions.create_agreement(request.user, **d)):
                return _ok(request, "合作监管协议已登记。", "bridge:banks")
    elif _posted(request, "status") and (who.head or who.bureau):
        ag_id = post_id(request, "agreement_id")
        form = forms.AgreementStatusForm(request.POST, prefix=f"a{ag_id}")
        if form.is_valid():
            d = form.cleaned_data
            if run_action(form, lambda: actions.change_agreement_status(request.user, ag_id, action=d["action"], reason=d["reason"],
                                                                         article=d["article"])):
                return _ok(request, "合作状态已变更。", "bridge:banks")
        status_forms[ag_id] = form
    items = []
    agreements = BankAgreement.objects.select_related("bank", "status_decided_by").order_by("status", "id").prefetch_related(
        Prefetch("status_changes", queryset=AgreementStatusChange.objects.select_related("decided_by")))
    for ag in agreements:  # history newest first (model ordering), the last five shown
        items.append((ag, status_forms.get(ag.pk) or forms.AgreementStatusForm(prefix=f"a{ag.pk}"), ag.status_changes.all()[:5]))
    return render(request, "bridge/banks.html", {"who": who, "items": items, "create_form": create_form})


# ---------------------------------------------------------------------------------------------
# Rates and LPR
# ---------------------------------------------------------------------------------------------


@login_required
def rates_page(request):
    who = _oversight(request)
    today = today_china()
    fund = who.fund
    lpr_form = forms.LprForm(prefix="lpr", initial={"effective_date": today})
    rates_form = forms.RatesForm(prefix="rates", initial={
        "day_basis": fund.day_basis, "self_daily_rate": "" if fund.self_daily_rate is None else rates.rate_str(fund.self_daily_rate),
        "entrusted_multiplier": rates.rate_str(fund.entrusted_multiplier), "penalty_annual_rate": rates.rate_str(fund.penalty_annual_rate)})
    if _posted(request, "lpr") and who.bureau:
        lpr_form = forms.LprForm(request.POST, prefix="lpr")
        if lpr_form.is_valid():
            d = lpr_form.cleaned_data
            if run_action(lpr_form, lambda: actions.set_lpr(request.user, **d)):
                return _ok(request, "LPR 已保存。", "bridge:rates")
    elif _posted(request, "rates") and who.head:
        rates_form = forms.RatesForm(request.POST, prefix="rates")
        if rates_form.is_valid():
            d = rates_form.cleaned_data
            if run_action(rates_form, lambda: actions.set_rates(request.user, **d)):
                return _ok(request, "费率设定已保存。", "bridge:rates")
    table = queries.lpr_table()
    caps = []
    for basis in (360, 365):
        try:
            caps.append(rates.cap_daily_rate(today, basis, table))
        except rates.BridgeError:
            pass
    try:
        jan1 = rates.jan1_lpr(today.year, table)
        entrusted = rates.entrusted_daily_rate(today.year, fund.day_basis, fund.entrusted_multiplier, table)
    except rates.BridgeError:
        jan1 = entrusted = None
    return render(request, "bridge/rates.html", {
        "who": who, "fund": fund, "today": today, "caps": caps, "jan1": jan1,
        "entrusted_per_10k": rates.per_10k_str(entrusted) if entrusted is not None else "—",
        "self_per_10k": rates.per_10k_str(fund.self_daily_rate) if fund.self_daily_rate is not None else "按法定上限",
        "lprs": LprRate.objects.select_related("updated_by").order_by("-effective_date"),
        "settings": RateSetting.objects.select_related("set_by")[:10], "lpr_form": lpr_form, "rates_form": rates_form,
    })


# ---------------------------------------------------------------------------------------------
# Fund: principal, target, suspension and resumption
# ---------------------------------------------------------------------------------------------


@login_required
def fund_page(request):
    who = _oversight(request)
    principal_form = forms.PrincipalForm(prefix="p", initial={"effective_on": today_china()})
    target_form = forms.TargetForm(prefix="t", initial={"annual_turnover_target": who.fund.annual_turnover_target})
    suspend_form = forms.ReasonForm(prefix="s")
    warn_form = forms.WarnLevelForm(prefix="w", initial={"warn_percent": who.fund.warn_percent})
    resume_form = forms.NoteForm(prefix="r")
    decide_form = forms.ResumeDecideForm(prefix="d")
    pending = queries.pending_resume_request()
    u = request.user
    if _posted(request, "principal") and who.bureau:
        principal_form = forms.PrincipalForm(request.POST, prefix="p")
        if principal_form.is_valid() and run_action(principal_form, lambda: actions.change_principal(u, **principal_form.cleaned_data)):
            return _ok(request, "本金变动已登记。", "bridge:fund")
    elif _posted(request, "target") and who.bureau:
        target_form = forms.TargetForm(request.POST, prefix="t")
        if target_form.is_valid() and run_action(target_form, lambda: actions.set_turnover_target(
                u, target_form.cleaned_data["annual_turnover_target"], target_form.cleaned_data["note"])):
            return _ok(request, "年度目标已保存。", "bridge:fund")
    elif _posted(request, "warning") and who.bureau:
        warn_form = forms.WarnLevelForm(request.POST, prefix="w")
        if warn_form.is_valid() and run_action(warn_form, lambda: actions.set_warning_level(
                u, warn_form.cleaned_data["warn_percent"], warn_form.cleaned_data["note"])):
            return _ok(request, "风险预警线已保存。", "bridge:fund")
    elif _posted(request, "suspend") and who.bureau:
        suspend_form = forms.ReasonForm(request.POST, prefix="s")
        if suspend_form.is_valid() and run_action(suspend_form, lambda: actions.bureau_suspend(u, suspend_form.cleaned_data["reason"])):
            return _ok(request, "已叫停续贷过桥资金业务。", "bridge:fund")
    elif _posted(request, "resume") and who.head:
        resume_form = forms.NoteForm(request.POST, prefix="r")
        if resume_form.is_valid() and run_action(resume_form, lambda: actions.request_resume(u, resume_form.cleaned_data["note"])):
            return _ok(request, "恢复业务申请已报市财政局。", "bridge:fund")
    elif _posted(request, "decide") and who.bureau and pending:
        decide_form = forms.ResumeDecideForm(request.POST, prefix="d")
        if decide_form.is_valid() and run_action(decide_form, lambda: actions.decide_resume(
                u, pending.pk, approve=decide_form.cleaned_data["approve"], note=decide_form.cleaned_data["note"])):
            return _ok(request, "已批复恢复业务申请。", "bridge:fund")
    ov = queries.overview(today_china())
    return render(request, "bridge/fund.html", {
        "who": who, "ov": ov, "pending": pending,
        "changes": PrincipalChange.objects.select_related("recorded_by").order_by("-effective_on", "-id"),
        "status_changes": FundStatusChange.objects.select_related("decided_by")[:20],
        "requests": ResumeRequest.objects.select_related("requested_by", "decided_by")[:10],
        "principal_form": principal_form, "target_form": target_form, "suspend_form": suspend_form, "warn_form": warn_form,
        "resume_form": resume_form, "decide_form": decide_form,
    })


# ---------------------------------------------------------------------------------------------
# Materials checklist (第九条)
# ---------------------------------------------------------------------------------------------


@login_required
def checklist(request):
    who = _oversight(request)
    form = forms.ChecklistForm(prefix="cl", initial={"items": "\n".join(actions.DEFAULT_MATERIALS)})
    if _posted(request, "create") and who.head:
        form = forms.ChecklistForm(request.POST, prefix="cl")
        if form.is_valid() and run_action(form, lambda: actions.create_checklist(request.user, items=form.item_list(),
                                                                                   process=form.cleaned_data["process"])):
            return _ok(request, "已制定新版申请资料清单（尚未报备）。", "bridge:checklist")
    elif _posted(request, "file") and who.head:
        try:
            actions.file_checklist(request.user, post_id(request, "checklist_id"))
            return _ok(request, "已报市财政局备案。", "bridge:checklist")
        except DomainError as exc:
            messages.error(request, exc.message)
    elif _posted(request, "ack") and who.bureau:
        try:
            actions.acknowledge_checklist(request.user, post_id(request, "checklist_id"))
            return _ok(request, "已确认备案。", "bridge:checklist")
        except DomainError as exc:
            messages.error(request, exc.message)
    versions = ChecklistVersion.objects.select_related("created_by", "filed_by", "acknowledged_by")
    return render(request, "bridge/checklist.html", {"who": who, "versions": versions, "form": form})


# ---------------------------------------------------------------------------------------------
# Recovery (第十三条、第十七条)
# ---------------------------------------------------------------------------------------------


@login_required
def recovery(request):
    who = _oversight(request)
    bound = {}
    if request.method == "POST" and who.manager_org:
        case_id = post_id(request, "case_id")
        kind = request.POST.get("form")
        if kind == "plan":
            form = forms.PlanForm(request.POST, prefix=f"p{case_id}")
            if form.is_valid() and run_action(form, lambda: actions.set_recovery_plan(request.user, case_id, plan=form.cleaned_data["plan"])):
                return _ok(request, "追偿方案已保存。", "bridge:recovery")
            bound[("plan", case_id)] = form
        elif kind == "action":
            form = forms.CaseActionForm(request.POST, prefix=f"a{case_id}")
            if form.is_valid() and run_action(form, lambda: actions.add_recovery_action(request.user, case_id, **form.cleaned_data)):
                return _ok(request, "追偿措施已登记。", "bridge:recovery")
            bound[("action", case_id)] = form
    items = []
    for case in RecoveryCase.objects.select_related("application", "application__applicant", "application__bank").prefetch_related("actions"):
        items.append((case,
                      bound.get(("plan", case.pk)) or forms.PlanForm(prefix=f"p{case.pk}", initial={"plan": case.plan}),
                      bound.get(("action", case.pk)) or forms.CaseActionForm(prefix=f"a{case.pk}", initial={"taken_on": today_china()})))
    return render(request, "bridge/recovery.html", {"who": who, "items": items})


# ---------------------------------------------------------------------------------------------
# Non-tax revenue (第十五条)
# ---------------------------------------------------------------------------------------------


@login_required
def revenue(request):
    who = _oversight(request)
    today = today_china()
    interest_form = forms.InterestForm(prefix="i", initial={"received_on": today})
    remit_form = forms.RemittanceForm(prefix="r", initial={"remitted_on": today})
    if _posted(request, "interest") and who.manager_org:
        interest_form = forms.InterestForm(request.POST, prefix="i")
        if interest_form.is_valid() and run_action(interest_form, lambda: actions.record_deposit_interest(request.user, **interest_form.cleaned_data)):
            return _ok(request, "存款利息已登记。", "bridge:revenue")
    elif _posted(request, "remit") and who.manager_org:
        remit_form = forms.RemittanceForm(request.POST, prefix="r")
        if remit_form.is_valid():
            d = {k: (v or 0) if k.endswith("_fen") else v for k, v in remit_form.cleaned_data.items()}
            if run_action(remit_form, lambda: actions.record_remittance(request.user, **d)):
                return _ok(request, "上缴已登记。", "bridge:revenue")
    return render(request, "bridge/revenue.html", {
        "who": who, "bal": actions.revenue_balance(), "interests": DepositInterest.objects.order_by("-received_on", "-id")[:50],
        "remittances": Remittance.objects.order_by("-remitted_on", "-id")[:50], "interest_form": interest_form, "remit_form": remit_form,
    })


# ---------------------------------------------------------------------------------------------
# Quarterly reports (第十二条、第二十四条)
# ---------------------------------------------------------------------------------------------


@login_required
def reports_page(request):
    who = _oversight(request)
    today = today_china()
    y, q = reports.previous_quarter(today)
    form = forms.ReportGenerateForm(prefix="g", initial={"year": y, "quarter": q})
    if _posted(request, "generate") and who.manager_org:
        form = forms.ReportGenerateForm(request.POST, prefix="g")
        if form.is_valid():
            r = run_action(form, lambda: actions.generate_report(request.user, **form.cleaned_data))
            if r:
                return _ok(request, f"已生成 {r} 报告草稿。", "bridge:report", r.pk)
    return render(request, "bridge/reports.html", {"who": who, "reports": QuarterlyReport.objects.all(), "form": form, "today": today})


def _report(who: Who, report_id: int) -> QuarterlyReport:
    r = QuarterlyReport.objects.filter(pk=report_id).first()
    if r is None:
        raise Http404("报告不存在")
    return r


@login_required
def report_detail(request, report_id: int):
    who = _oversight(request)
    report = _report(who, report_id)
    form = forms.ReportSubmitForm(prefix="s", initial={"narrative": report.narrative})
    if _posted(request, "submit") and who.head:
        form = forms.ReportSubmitForm(request.POST, prefix="s")
        if form.is_valid() and run_action(form, lambda: actions.submit_report(request.user, report.pk, narrative=form.cleaned_data["narrative"])):
            return _ok(request, "报告已报送市财政局。", "bridge:report", report.pk)
    elif _posted(request, "refresh") and who.manager_org:
        try:
            actions.generate_report(request.user, year=report.year, quarter=report.quarter)
            return _ok(request, "报告数据已刷新。", "bridge:report", report.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(request, "bridge/report_detail.html", {
        "who": who, "report": report, "rows": reports.summary_rows(report.figures), "ledger": report.figures.get("ledger", []),
        "form": form,
    })


@login_required
@require_GET
def report_xlsx(request, report_id: int):
    report = _report(_oversight(request), report_id)
    return _download(reports.report_xlsx(report), XLSX, f"续贷过桥资金{report.year}年第{report.quarter}季度报告.xlsx")


@login_required
@require_GET
def report_pdf(request, report_id: int):
    report = _report(_oversight(request), report_id)
    return _download(reports.report_pdf(report), "application/pdf", f"续贷过桥资金{report.year}年第{report.quarter}季度报告.pdf")


# ---------------------------------------------------------------------------------------------
# Dashboard section (home page)
# ---------------------------------------------------------------------------------------------


def dashboard_section(request):
    user = request.user
    if not user.is_authenticated or not user.organisation_id:
        return None
    fund = queries.get_fund()
    if fund is None:
        return None
    who = Who(user)
    if who.sees_all:
        ov = queries.overview(today_china())
        return {"title": "续贷过桥资金", "template": "bridge/_dashboard.html", "context": {"who": who, "ov": ov}}
    mine = queries.visible_applications(user)
    if not (who.bank or who.can_apply) or (not mine.exists() and not who.can_apply):
        return None
    return {"title": "续贷过桥资金", "template": "bridge/_dashboard.html", "context": {
        "who": who, "mine": mine[:5],
        "todo": mine.filter(status=AppStatus.APPROVED, bank_id=user.organisation_id).count() if who.bank else 0}}
