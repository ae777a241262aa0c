"""The 30 % line (第二十二条) checked live at approval and disbursement, not only by the daily job: a
loan past its last allowed day counts as at risk even before the job marks it overdue; at 30 % the
action suspends the business exactly as the job would, keeps the suspension and refuses."""

import datetime as dt
import threading

import pytest
from django.db import connection

from liuzhuan.bridge.application.actions import approve
from liuzhuan.bridge.fund.queries import exposure
from liuzhuan.bridge.loan.actions import disburse
from liuzhuan.bridge.models.application import Application
from liuzhuan.bridge.models.fund import FundStatusChange
from liuzhuan.core.errors import DomainError
from liuzhuan.core.models import AuditEvent

from ..conftest import TODAY, YUAN, confirmed, disbursed, prepared

ONE = dt.timedelta(days=1)
BIG = 3_000_000 * YUAN  # 30 % of the 10,000,000 yuan principal


def past_due_loan(bw, fen: int = BIG):
    """A loan drawn on TODAY for 10 days: its last allowed day is TODAY + 9; nobody runs the daily job."""
    return disbursed(bw, amount_fen=fen, original_due_fen=fen, renewal_approval_fen=fen, original_contract_no="BIG-1")


def test_a_past_due_loan_counts_before_the_daily_job_marks_it(bw):
    loan = past_due_loan(bw)
    after = loan.due_date + ONE
    assert loan.status == "disbursed"
    assert exposure(bw.fund).at_risk_fen == 0  # what the books say until the job runs
    assert exposure(bw.fund, loan.due_date).at_risk_fen == 0  # the last allowed day is not overdue yet
    assert exposure(bw.fund, after).at_risk_fen == BIG and exposure(bw.fund, after).breached


def test_approval_at_30_percent_suspends_and_refuses(bw):
    loan = past_due_loan(bw)
    day = loan.due_date + ONE
    app = prepared(bw, user=bw.sme2, on=day, original_contract_no="C-2")
    with pytest.raises(DomainError) as exc:
        approve(bw.manager, app.pk, on=day)
    assert exc.value.code == "fund_suspended" and "30%" in exc.value.message
    app.refresh_from_db()
    assert app.status == "prepared" and app.approved_by is None
    fund = bw.refresh()  # the suspension stays although the approval was refused
    assert fund.status == "suspended" and "30%" in fund.status_reason
    change = FundStatusChange.objects.get()
    assert change.at_risk_fen == BIG and "审批时实时风险监测" in change.reason
    assert AuditEvent.objects.filter(action="bridge.fund.auto_suspend").count() == 1
    assert not AuditEvent.objects.filter(action="bridge.application.approve", object_id=str(app.pk)).exists()


def test_disbursement_at_30_percent_suspends_and_refuses(bw):
    app = confirmed(bw, user=bw.sme2, original_contract_no="C-2", original_due_date=TODAY + dt.timedelta(days=10),
                    planned_draw_date=TODAY + dt.timedelta(days=5))
    loan = past_due_loan(bw)
    day = loan.due_date + ONE  # TODAY + 10: the second loan's due date, inside its draw window
    with pytest.raises(DomainError) as exc:
        disburse(bw.clerk, app.pk, account=app.confirmed_account, voucher="V", on=day)
    assert exc.value.code == "fund_suspended"
    app.refresh_from_db()
    assert app.status == "confirmed" and app.disbursed_on is None
    assert bw.refresh().status == "suspended" and FundStatusChange.objects.count() == 1


def test_below_30_percent_goes_through(bw):
    loan = past_due_loan(bw, BIG - 1)  # 29.99999 %
    day = loan.due_date + ONE
    app = prepared(bw, user=bw.sme2, on=day, original_contract_no="C-2")
    assert approve(bw.manager, app.pk, on=day).status == "approved"
    assert bw.refresh().status == "open" and not FundStatusChange.objects.exists()


def test_on_the_last_allowed_day_the_loan_is_not_at_risk(bw):
    loan = past_due_loan(bw)
    app = prepared(bw, user=bw.sme2, on=loan.due_date, original_contract_no="C-2")
    assert approve(bw.manager, app.pk, on=loan.due_date).status == "approved"
    assert bw.refresh().status == "open"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_suspend_once_and_both_refuse(bw):
    """Race (PostgreSQL): two approvals at the same instant, each finding the past-due loan. The fund
    row lock serialises them: the first suspends and refuses, the second finds the fund suspended
    and refuses — one suspension, one status change, no approval."""
    loan = past_due_loan(bw)
    day = loan.due_date + ONE
    apps = [prepared(bw, user=u, on=day, original_contract_no=f"C-{u.pk}") for u in (bw.sme, bw.sme2)]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def go(app):
        try:
            barrier.wait()
            approve(bw.manager, app.pk, on=day)
            results.append("ok")
        except DomainError as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == ["fund_suspended", "fund_suspended"]
    assert FundStatusChange.objects.count() == 1
    assert AuditEvent.objects.filter(action="bridge.fund.auto_suspend").count() == 1
    assert Application.objects.filter(status="approved").count() == 0


def test_the_oversight_alert_reads_the_live_position(bw):
    """The regulator's 'risk line' alert counts a loan past its last day before the daily job marks it."""
    from liuzhuan.supervision.alerts import alerts

    loan = past_due_loan(bw)
    risk = {a.key: a.count for a in alerts(loan.due_date)}["fund_risk"]
    assert risk == 0
    assert {a.key: a.count for a in alerts(loan.due_date + ONE)}["fund_risk"] == 1
