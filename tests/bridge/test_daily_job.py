"""The bridge part of ``liuzhuan daily``: overdue marking, penalty accrual, recovery cases, the
30 % switch, report drafts and reminders — and a second run the same day changes nothing."""

import datetime as dt
import io

from django.core.management import call_command

from liuzhuan.bridge import jobs
from liuzhuan.bridge.loan.actions import record_repayment
from liuzhuan.bridge.models.application import Application
from liuzhuan.bridge.models.recovery import RecoveryCase
from liuzhuan.bridge.models.reports import QuarterlyReport, ReportReminder
from liuzhuan.core.models import AuditEvent
from liuzhuan.members.models import Notification

from .conftest import TODAY, disbursed

D = dt.timedelta(days=1)


def state():
    return (AuditEvent.objects.count(), Notification.objects.count(),
            list(Application.objects.order_by("pk").values_list("status", "penalty_accrued_fen", "penalty_accrued_through")),
            RecoveryCase.objects.count(), QuarterlyReport.objects.count(), ReportReminder.objects.count())


def test_overdue_and_penalty_then_second_run_changes_nothing(bw):
    # every quarter since the fund was set up (2025-01-01) is drafted and, being past due, flagged late
    assert jobs.bridge_daily(TODAY) == {"报告草稿": 4, "逾期未报": 4}
    app = disbursed(bw)
    on_time = disbursed(bw, user=bw.sme2, original_contract_no="C-2")
    assert jobs.bridge_daily(app.due_date) == {}  # the due day itself is a usage day
    first = jobs.bridge_daily(app.due_date + D)
    assert first == {"逾期": 2, "违约金计提": 2}
    app.refresh_from_db()
    assert app.status == "overdue" and app.overdue_since == app.due_date + D
    assert app.penalty_accrued_fen == 27_778  # 100,000,000 fen × 10 % × 1 day ÷ 360 = 27,777.8
    assert RecoveryCase.objects.filter(application=app, status="open").exists()
    assert Notification.objects.filter(organisation=bw.bank_org, body__contains="第二十条").exists()  # not renewed yet
    before = state()
    assert jobs.bridge_daily(app.due_date + D) == {}
    assert state() == before
    jobs.bridge_daily(app.due_date + 2 * D)
    app.refresh_from_db()
    assert app.penalty_accrued_fen == 55_556 and on_time.pk


def test_repaid_loan_is_never_marked(bw):


    app = disbursed(bw)
    record_repayment(bw.clerk, app.pk, paid_on=TODAY, principal_fen=app.amount_fen, fee_fen=30_000, penalty_fen=0,
                     reference="R", on=TODAY)
    assert "逾期" not in jobs.bridge_daily(app.due_date + D)


def test_report_draft_on_day_one_reminders_and_late_flag(bw):
    jobs.bridge_daily(dt.date(2026, 3, 31))  # the four quarters of 2025 (late already)
    assert jobs.bridge_daily(dt.date(2026, 4, 1)) == {"报告草稿": 1}
    report = QuarterlyReport.objects.get(year=2026, quarter=1)
    assert report.status == "draft" and Notification.objects.filter(title__contains="报告草稿已生成").exists()
    assert jobs.bridge_daily(dt.date(2026, 4, 1)) == {}
    assert jobs.bridge_daily(dt.date(2026, 4, 6)) == {}
    assert jobs.bridge_daily(dt.date(2026, 4, 7)) == {"报送提醒": 1}
    assert jobs.bridge_daily(dt.date(2026, 4, 8)) == {}
    assert jobs.bridge_daily(dt.date(2026, 4, 10)) == {"报送提醒": 1}
    assert jobs.bridge_daily(dt.date(2026, 4, 11)) == {"逾期未报": 1}
    assert jobs.bridge_daily(dt.date(2026, 4, 11)) == {}
    report.refresh_from_db()
    assert report.late and Notification.objects.filter(organisation=bw.bureau_org, title__contains="逾期未报").exists()


def test_liuzhuan_daily_command(bw):
    out = io.StringIO()
    call_command("daily", date="2026-04-01", stdout=out)
    # the first run drafts every finished quarter since 2025-01-01; the four of 2025 are already late
    assert "bridge：报告草稿 5，逾期未报 4" in out.getvalue()
    out = io.StringIO()
    call_command("daily", date="2026-04-01", stdout=out)
    assert "bridge：无变化" in out.getvalue()


def test_verify_checks_bridge_invariants(bw):

    from liuzhuan.bridge.models.fund import Fund
    from liuzhuan.core.integrity import run_all

    app = disbursed(bw)
    record_repayment(bw.clerk, app.pk, paid_on=TODAY, principal_fen=app.amount_fen, fee_fen=30_000, penalty_fen=0,
                     reference="R", on=TODAY)
    report = run_all()
    names = [n for n, _ in report.checks]
    assert "过桥资金本金与出资记录一致" in names and report.ok, report.problems
    Fund.objects.update(principal_fen=1)  # tampering outside the actions
    Application.objects.filter(pk=app.pk).update(fee_paid_fen=1)
    problems = run_all().problems
    assert any("本金总额" in p for p in problems) and any(app.number in p for p in problems)


def test_quarters_missed_before_the_first_run_are_drafted_and_flagged_late(bw):
    """The job first runs on 2026-04-01: 2025 Q1–Q4 (due 2025-04-10 … 2026-01-10) are drafted and late
    at once, 2026 Q1 (due 2026-04-10) is drafted and not late; nothing before the fund's quarter."""
    assert jobs.bridge_daily(dt.date(2026, 4, 1)) == {"报告草稿": 5, "逾期未报": 4}
    reports = {(r.year, r.quarter): r for r in QuarterlyReport.objects.all()}
    assert sorted(reports) == [(2025, 1), (2025, 2), (2025, 3), (2025, 4), (2026, 1)]
    assert [reports[(2025, q)].late for q in (1, 2, 3, 4)] == [True] * 4 and not reports[(2026, 1)].late
    assert reports[(2025, 2)].due_date == dt.date(2025, 7, 10)
    assert Notification.objects.filter(organisation=bw.bureau_org, title__contains="2025 年第 1 季度报告逾期未报").exists()
    # each report's figures are for its own quarter, as at its end
    assert reports[(2025, 3)].figures["period"] == {"start": "2025-07-01", "end": "2025-09-30"}
    assert reports[(2025, 3)].figures["risk"]["as_of"] == "2025-09-30"
    assert jobs.bridge_daily(dt.date(2026, 4, 1)) == {}


def test_a_fund_set_up_mid_quarter_starts_with_that_quarter(bw):
    from liuzhuan.bridge.models.fund import Fund

    Fund.objects.update(established_on=dt.date(2025, 11, 20))
    assert jobs.bridge_daily(dt.date(2026, 1, 1)) == {"报告草稿": 1}
    assert list(QuarterlyReport.objects.values_list("year", "quarter")) == [(2025, 4)]
