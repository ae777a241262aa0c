"""Quarterly report operations (第十二条、第二十四条): generating or refreshing the draft for a
finished quarter, submitting it to the finance bureau (figures frozen), the bureau acknowledging
or returning it with a reason, and the daily job's step: a draft for every finished quarter since
the fund was set up that has none (so quarters missed before the first run are drafted too),
reminders 3 days before and on the due day, the late flag.

Every action checks who is asking, validates (Chinese message naming the field), locks what it
changes (the fund row first, then applications by pk), writes, appends an audit event and
notifies — all in one ``transaction.atomic()``; a ``DomainError`` means nothing was changed.
``quarterly_reports`` is a step of the daily job and runs in that job's transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.errors import DomainError, NotFound
from liuzhuan.members.actions import notify

from .. import inputs
from ..fund.actions import SYSTEM, notify_bureau, notify_manager, require_bureau, require_manager_org
from ..fund.queries import require_fund
from ..models.fund import Fund
from ..models.reports import EDITABLE_REPORT_STATUSES, QuarterlyReport, ReportReminder, ReportStatus
from .queries import compute_figures
from .rules import due_date, finished_quarters, quarter_bounds


def generate_report(actor, *, year: int, quarter: int, on: dt.date | None = None) -> QuarterlyReport:
    """Create or refresh the draft for a finished quarter (the daily job does it on day one)."""
    today = inputs.today(on)
    fund = require_fund()
    if actor != SYSTEM:  # the quarterly job; anyone else must be the fund manager (None is refused)
        require_manager_org(actor, fund)
    if quarter not in (1, 2, 3, 4) or not isinstance(year, int) or year < 2000:
        raise DomainError("invalid_quarter", "年度或季度不正确", "quarter")
    _start, end = quarter_bounds(year, quarter)
    if end >= today:
        raise DomainError("quarter_not_over", f"{year} 年第 {quarter} 季度尚未结束", "quarter")
    if end < fund.established_on:
        raise DomainError("before_fund", "该季度早于资金设立日期", "quarter")
    with transaction.atomic():
        report = QuarterlyReport.objects.select_for_update().filter(year=year, quarter=quarter).first()
        if report and report.status not in EDITABLE_REPORT_STATUSES:
            raise DomainError("already_submitted", f"该季度报告{report.get_status_display()}，不能重新生成")
        figures = compute_figures(year, quarter, today)
        created = report is None
        if created:
            report = QuarterlyReport(year=year, quarter=quarter, due_date=due_date(year, quarter))
        report.figures, report.generated_at = figures, timezone.now()
        report.save()
        audit.record(actor or SYSTEM, "bridge.report.generate", report, summary={"year": year, "quarter": quarter, "created": created,
                                                                                  "volume_fen": figures["quarter"]["volume_fen"]})
        if created:
            notify_manager(fund, f"{report} 续贷过桥资金报告草稿已生成",
                           f"请补充使用管理情况，并于 {report.due_date.isoformat()} 前报送市财政局（第二十四条）。", obj=report, kind="bridge.report")
        return report


def submit_report(actor, report_id: int, *, narrative: str, on: dt.date | None = None) -> QuarterlyReport:
    today = inputs.today(on)
    fund = require_fund()
    require_manager_org(actor, fund, head=True)
    narrative = inputs.text(narrative, "narrative", "使用管理情况及其他需要报告的情况", max_length=10000)
    with transaction.atomic():
        report = QuarterlyReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None:
            raise NotFound("季度报告不存在")
        if report.status not in EDITABLE_REPORT_STATUSES:
            raise DomainError("already_submitted", f"该季度报告{report.get_status_display()}，不能再次报送")
        resubmitted = report.status == ReportStatus.RETURNED
        report.figures = compute_figures(report.year, report.quarter, today)
        report.generated_at = timezone.now()
        report.narrative, report.status = narrative, ReportStatus.SUBMITTED
        report.submitted_by, report.submitted_at, report.submitted_on = actor, timezone.now(), today
        # a report returned by the bureau and corrected keeps the punctuality of its first submission
        report.late = report.late or (not resubmitted and today > report.due_date)
        report.save()
        audit.record(actor, "bridge.report.submit", report, summary={"year": report.year, "quarter": report.quarter, "late": report.late,
                                                                      "resubmitted": resubmitted})
        notify_bureau(fund, f"{report} 续贷过桥资金报告已{'重新' if resubmitted else ''}报送",
                      f"{fund.manager.name}报送了 {report.title}{'（逾期报送）' if report.late else ''}。", obj=report, kind="bridge.report")
        return report


REVIEW_DECISIONS = {"acknowledge": ReportStatus.ACKNOWLEDGED, "return": ReportStatus.RETURNED}


def review_report(actor, report_id: int, *, decision: str, note: str = "") -> QuarterlyReport:
    """The finance bureau acknowledges a submitted report, or returns it with the reason; a returned
    report goes back to the manager, who corrects and submits it again (第十二条、第二十四条)."""
    fund = require_fund()
    require_bureau(actor, fund)
    if decision not in REVIEW_DECISIONS:
        raise DomainError("invalid_decision", "处理结果只能是确认或退回", "decision")
    note = inputs.text(note, "note", "退回原因" if decision == "return" else "意见", max_length=500, required=decision == "return")
    with transaction.atomic():
        report = QuarterlyReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None:
            raise NotFound("季度报告不存在")
        if report.status != ReportStatus.SUBMITTED:
            raise DomainError("wrong_status", f"该季度报告当前为“{report.get_status_display()}”，只能处理已报送的报告", "decision")
        before = report.status
        report.status, report.reviewed_by, report.reviewed_at, report.review_note = REVIEW_DECISIONS[decision], actor, timezone.now(), note
        report.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        audit.record(actor, f"bridge.report.{decision}", report, summary={"before": {"status": before}, "after": {"status": report.status},
                                                                         "note": note})
        if decision == "return":
            notify_manager(fund, f"{report} 续贷过桥资金报告被市财政局退回",
                           f"退回原因：{note}。请修改后重新报送（第二十四条）。", obj=report, kind="bridge.report")
        else:
            notify_manager(fund, f"{report} 续贷过桥资金报告市财政局已确认", note or "市财政局已确认收到报告。", obj=report, kind="bridge.report")
        return report


def quarterly_reports(fund: Fund, today: dt.date) -> dict:
    """A draft for every finished quarter since the fund was set up that has none (day one after a
    quarter, and any quarter missed before the job first ran), reminders 3 days before and on the
    due day, the late flag the day after (also at once for a draft created after its due day)."""
    created = reminded = late = 0
    have = set(QuarterlyReport.objects.values_list("year", "quarter"))
    for year, quarter in finished_quarters(fund.established_on, today):
        if (year, quarter) not in have:
            generate_report(SYSTEM, year=year, quarter=quarter, on=today)
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
