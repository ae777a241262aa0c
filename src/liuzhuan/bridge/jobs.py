"""``liuzhuan daily`` job for the bridge fund. Idempotent: a second run the same day changes nothing.

Each step decides from state, not from the clock alone: a loan is marked overdue once (its
status changes), the penalty is recomputed from the repayment history and written only when the
amount changes, a report draft exists once per quarter, each reminder has a unique row, the
exposure switch only fires on an open fund, and the rate alert carries a dedupe key.
"""

from __future__ import annotations

import datetime as dt

from liuzhuan.core import audit
from liuzhuan.core.daily import daily_job
from liuzhuan.core.money import format_yuan
from liuzhuan.members.actions import notify

from . import actions, reports
from .actions import SYSTEM
from .models import (
    AT_RISK_STATUSES,
    Application,
    AppStatus,
    CaseKind,
    Fund,
    Mode,
    QuarterlyReport,
    ReportReminder,
    ReportStatus,
)


def mark_overdue(fund: Fund, today: dt.date) -> int:
    """Loans still open after their last allowed day become overdue; a recovery case opens (第十三条)."""
    n = 0
    overdue = Application.objects.select_for_update(of=("self",)).select_related("applicant", "bank").filter(
        status=AppStatus.DISBURSED, due_date__lt=today).order_by("pk")
    for app in overdue:
        app.status, app.overdue_since = AppStatus.OVERDUE, app.due_date + dt.timedelta(days=1)
        app.save(update_fields=["status", "overdue_since"])
        audit.record(SYSTEM, "bridge.loan.overdue", app, summary={
            "before": {"status": AppStatus.DISBURSED}, "after": {"status": app.status},
            "due_date": app.due_date, "outstanding_fen": app.outstanding_fen})
        actions.open_recovery_case(app, CaseKind.OVERDUE, today, SYSTEM)
        body = (f"业务 {app.number} 约定还款日 {app.due_date.isoformat()} 已过，未还本金 {format_yuan(app.outstanding_fen)}。"
                f"自 {app.overdue_since.isoformat()} 起按年利率 {app.penalty_annual_rate} 计收违约金（第十七条）。")
        notify(app.applicant, f"过桥资金 {app.number} 已逾期", body + "请立即归还。", obj=app, kind="bridge.overdue")
        bank_body = body
        if app.mode == Mode.ENTRUSTED:
            bank_body += "贵行对本金及占用费承担连带赔偿责任（第六条）。"
        if not app.renewed_on:
            bank_body += "贵行尚未登记续贷发放，未履行续贷承诺的，管理机构可暂停合作（第二十条）。"
        notify(app.bank, f"过桥资金 {app.number} 已逾期", bank_body, obj=app, kind="bridge.overdue")
        manager_body = body + "已自动立案，请提出追偿方案（第十三条）。"
        if not app.renewed_on:
            manager_body += f"{app.bank.name}尚未登记续贷，可依第二十条暂停与该行合作。"
        notify(fund.manager, f"过桥资金 {app.number} 逾期", manager_body, obj=app, kind="bridge.overdue")
        n += 1
    return n


def accrue_penalties(today: dt.date) -> int:
    """Recompute the penalty accrued through today from the repayment history; write on change only."""
    n = 0
    at_risk = Application.objects.select_for_update().filter(status__in=AT_RISK_STATUSES).prefetch_related("repayments").order_by("pk")
    for app in at_risk:  # repayments loaded once for all loans, not once per loan
        amount = actions.penalty_accrued(app, today, list(app.repayments.all()))
        if amount == app.penalty_accrued_fen:
            continue
        before = app.penalty_accrued_fen
        app.penalty_accrued_fen, app.penalty_accrued_through = amount, today
        app.save(update_fields=["penalty_accrued_fen", "penalty_accrued_through"])
        audit.record(SYSTEM, "bridge.loan.penalty_accrue", app, summary={
            "before": before, "after": amount, "through": today, "rate": str(app.penalty_annual_rate)})
        n += 1
    return n


def quarterly_reports(fund: Fund, today: dt.date) -> dict:
    """Draft on day one after the quarter, reminders 3 days before and on the due day, late flag after."""
    created = reminded = late = 0
    year, quarter = reports.previous_quarter(today)
    _, end = reports.quarter_bounds(year, quarter)
    if end >= fund.established_on and not QuarterlyReport.objects.filter(year=year, quarter=quarter).exists():
        actions.generate_report(SYSTEM, year=year, quarter=quarter, on=today)
        created += 1
    for report in QuarterlyReport.objects.select_for_update().filter(status=ReportStatus.DRAFT).order_by("pk"):
        left = (report.due_date - today).days
        kind = "late" if left < 0 else "due" if left == 0 else "d3" if left <= 3 else None
        if kind is None or ReportReminder.objects.filter(report=report, kind=kind).exists():
            continue
        ReportReminder.objects.create(report=report, kind=kind, sent_on=today)
        if kind == "late":
            report.late = True
            report.save(update_fields=["late"])
            audit.record(SYSTEM, "bridge.report.late", report, summary={"due_date": report.due_date, "on": today})
            text = f"{report.title}应于 {report.due_date.isoformat()} 前报送，至今未报送（第二十四条）。"
            notify(fund.manager, f"{report}报告已逾期", text, obj=report, kind="bridge.report")
            notify(fund.bureau, f"{fund.manager.name}{report}报告逾期未报", text, obj=report, kind="bridge.report")
            late += 1
        else:
            when = "今天" if kind == "due" else f"{left} 天后（{report.due_date.isoformat()}）"
            notify(fund.manager, f"{report}报告将于{when}截止", "请尽快补充使用管理情况并报送市财政局（第二十四条）。",
                   obj=report, kind="bridge.report")
            audit.record(SYSTEM, "bridge.report.remind", report, summary={"kind": kind, "on": today})
            reminded += 1
    return {"报告草稿": created, "报送提醒": reminded, "逾期未报": late}


@daily_job("bridge")
def bridge_daily(today: dt.date) -> dict:
    fund = Fund.objects.select_for_update().select_related("manager", "bureau").filter(pk=1).first()
    if fund is None:
        return {}
    counts = {
        "逾期": mark_overdue(fund, today),
        "违约金计提": accrue_penalties(today),
        "自动暂停": int(actions.reevaluate_exposure(fund, SYSTEM, f"{today.isoformat()} 日终风险监测")),
        "利率上限提醒": int(actions.check_rates_against_cap(fund, SYSTEM, today)),
    }
    counts.update(quarterly_reports(fund, today))
    return {k: v for k, v in counts.items() if v}
