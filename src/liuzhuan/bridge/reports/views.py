"""Overview and report pages (Chinese): the landing page (概况) and the home-page section, the
ledger (台账) with its Excel export, and the quarterly reports (季度报告) with Excel and PDF.
Thin: decide which forms a user sees, parse, call an action, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError
from liuzhuan.core.forms import run_action

from ..application.queries import visible_applications
from ..fund.queries import current_cap, get_fund, pending_resume_request
from ..fund.queries import overview as overview_figures
from ..fund.views import Who, ok, oversight, posted, who_is
from ..models.application import Application, AppStatus
from ..models.fund import FundStatusChange
from ..models.reports import QuarterlyReport
from ..rates.common import BridgeError
from . import actions, export, forms
from .export import XLSX, download, ledger_xlsx, summary_rows
from .queries import ledger_queryset
from .rules import previous_quarter

# ---------------------------------------------------------------------------------------------
# Overview (manager, bureau, regulator)
# ---------------------------------------------------------------------------------------------


@login_required
def index(request):
    who = who_is(request)
    if who.sees_all and who.fund:
        return redirect("bridge:overview")
    return redirect("bridge:applications")


@login_required
def overview(request):
    who = oversight(request)
    today = today_china()
    ov = overview_figures(today)
    try:
        cap = current_cap(today, who.fund.day_basis)
    except BridgeError:
        cap = None
    queue = visible_applications(request.user).filter(
        status__in=[AppStatus.SUBMITTED, AppStatus.PREPARED, AppStatus.APPROVED, AppStatus.CONFIRMED])[:10]
    at_risk = Application.objects.select_related("applicant", "bank").filter(status__in=[AppStatus.OVERDUE, AppStatus.RECOVERY])
    return render(request, "bridge/overview.html", {
        "who": who, "ov": ov, "cap": cap, "queue": queue, "at_risk": at_risk,
        "changes": FundStatusChange.objects.select_related("decided_by")[:5],
        "pending_resume": pending_resume_request(),
    })


# ---------------------------------------------------------------------------------------------
# Ledger (台账)
# ---------------------------------------------------------------------------------------------


@login_required
def ledger(request):
    who = oversight(request)
    today = today_china()
    form = forms.LedgerFilterForm(request.GET or None, initial={"start": dt.date(today.year, 1, 1), "end": today})
    start, end = dt.date(today.year, 1, 1), today
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    if request.GET.get("format") == "xlsx":
        if end < start:
            raise Http404("结束日期早于开始日期")
        return download(ledger_xlsx(start, end), XLSX, f"续贷过桥资金台账{start}至{end}.xlsx")
    rows = ledger_queryset(start, end)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "bridge/ledger.html", {"who": who, "form": form, "page": page, "start": start, "end": end})


# ---------------------------------------------------------------------------------------------
# Quarterly reports (第十二条、第二十四条)
# ---------------------------------------------------------------------------------------------


@login_required
def reports_page(request):
    who = oversight(request)
    today = today_china()
    y, q = previous_quarter(today)
    form = forms.ReportGenerateForm(prefix="g", initial={"year": y, "quarter": q})
    if posted(request, "generate") and who.manager_org:
        form = forms.ReportGenerateForm(request.POST, prefix="g")
        if form.is_valid():
            r = run_action(form, lambda: actions.generate_report(request.user, **form.cleaned_data))
            if r:
                return ok(request, f"已生成 {r} 报告草稿。", "bridge:report", r.pk)
    return render(request, "bridge/reports.html", {"who": who, "reports": QuarterlyReport.objects.all(), "form": form, "today": today})


def _report(who: Who, report_id: int) -> QuarterlyReport:
    r = QuarterlyReport.objects.filter(pk=report_id).first()
    if r is None:
        raise Http404("报告不存在")
    return r


@login_required
def report_detail(request, report_id: int):
    who = oversight(request)
    report = _report(who, report_id)
    form = forms.ReportSubmitForm(prefix="s", initial={"narrative": report.narrative})
    review_form = forms.ReportReviewForm(prefix="r")
    if posted(request, "review") and who.bureau:
        review_form = forms.ReportReviewForm(request.POST, prefix="r")
        if review_form.is_valid() and run_action(review_form, lambda: actions.review_report(request.user, report.pk, **review_form.cleaned_data)):
            return ok(request, "已处理该季度报告。", "bridge:report", report.pk)
    elif posted(request, "submit") and who.head:
        form = forms.ReportSubmitForm(request.POST, prefix="s")
        if form.is_valid() and run_action(form, lambda: actions.submit_report(request.user, report.pk, narrative=form.cleaned_data["narrative"])):
            return ok(request, "报告已报送市财政局。", "bridge:report", report.pk)
    elif posted(request, "refresh") and who.manager_org:
        try:
            actions.generate_report(request.user, year=report.year, quarter=report.quarter)
            return ok(request, "报告数据已刷新。", "bridge:report", report.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(request, "bridge/report_detail.html", {
        "who": who, "report": report, "rows": summary_rows(report.figures), "ledger": report.figures.get("ledger", []),
        "form": form, "review_form": review_form,
    })


@login_required
@require_GET
def report_xlsx(request, report_id: int):
    report = _report(oversight(request), report_id)
    return download(export.report_xlsx(report), XLSX, f"续贷过桥资金{report.year}年第{report.quarter}季度报告.xlsx")


@login_required
@require_GET
def report_pdf(request, report_id: int):
    report = _report(oversight(request), report_id)
    return download(export.report_pdf(report), "application/pdf", f"续贷过桥资金{report.year}年第{report.quarter}季度报告.pdf")


# ---------------------------------------------------------------------------------------------
# Dashboard section (home page)
# ---------------------------------------------------------------------------------------------


def dashboard_section(request):
    user = request.user
    if not user.is_authenticated or not user.organisation_id:
        return None
    fund = get_fund()
    if fund is None:
        return None
    who = Who(user)
    if who.sees_all:
        ov = overview_figures(today_china())
        return {"title": "续贷过桥资金", "template": "bridge/_dashboard.html", "context": {"who": who, "ov": ov}}
    mine = visible_applications(user)
    if not (who.bank or who.can_apply) or (not mine.exists() and not who.can_apply):
        return None
    return {"title": "续贷过桥资金", "template": "bridge/_dashboard.html", "context": {
        "who": who, "mine": mine[:5],
        "todo": mine.filter(status=AppStatus.APPROVED, bank_id=user.organisation_id).count() if who.bank else 0}}
