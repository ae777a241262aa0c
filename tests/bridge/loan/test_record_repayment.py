"""record_repayment: principal, fee for the days actually used, penalty after the due day; bank
joint-liability payments; the loan closes when everything is paid."""

import datetime as dt

import pytest

from liuzhuan.bridge import jobs
from liuzhuan.bridge.loan import actions
from liuzhuan.bridge.loan.queries import dues
from liuzhuan.bridge.models.recovery import RecoveryCase
from liuzhuan.core.errors import DomainError, PermissionDenied

from ..conftest import TODAY, YUAN, disbursed

D = dt.timedelta(days=1)
P = 1_000_000 * YUAN


def repay(bw, app, on, principal, fee, penalty=0, payer="borrower", ref="R"):
    return actions.record_repayment(bw.clerk, app.pk, paid_on=on, principal_fen=principal, fee_fen=fee, penalty_fen=penalty,
                                    payer=payer, reference=ref, on=on)


def test_on_time_repayment_closes_the_loan(bw):
    app = disbursed(bw)
    d = dues(app, app.due_date)
    assert (d.principal_fen, d.fee_due_fen, d.penalty_due_fen) == (P, 300_000, 0)
    repay(bw, app, app.due_date, P, 300_000)
    app.refresh_from_db()
    assert app.status == "repaid" and app.closed_on == app.due_date and app.fee_paid_fen == 300_000


def test_early_repayment_pays_days_actually_used(bw):
    """Repaid on day 6 (draw day and repayment day counted): 1,000,000 × 0.0003 × 6 = ¥1,800."""
    app = disbursed(bw)
    day6 = TODAY + 5 * D
    assert dues(app, day6).fee_due_fen == 180_000
    with pytest.raises(DomainError) as exc:
        repay(bw, app, day6, P, 300_000)
    assert exc.value.field == "fee_fen" and "实际使用天数" in exc.value.message
    repay(bw, app, day6, P, 180_000)
    app.refresh_from_db()
    assert app.status == "repaid" and app.planned_fee_fen == 300_000


def test_partial_principal_then_rest(bw):
    """Half back on day 3, half on day 10: fee on principal-days (50 % × 3 + 50 % × 10 days)."""
    app = disbursed(bw)
    repay(bw, app, TODAY + 2 * D, P // 2, 0)
    d = dues(app, app.due_date)
    assert d.fee_due_fen == 195_000  # 500,000 × 0.0003 × 3 + 500,000 × 0.0003 × 10 = 450 + 1,500 yuan
    repay(bw, app, app.due_date, P // 2, d.fee_due_fen)
    app.refresh_from_db()
    assert app.status == "repaid"


def test_overdue_penalty_and_bank_joint_liability(bw):
    app = disbursed(bw, mode="entrusted")
    late = app.due_date + 5 * D
    jobs.bridge_daily(app.due_date + D)
    app.refresh_from_db()
    assert app.status == "overdue" and RecoveryCase.objects.get(application=app).kind == "overdue"
    d = dues(app, late)
    # 100,000,000 fen × 10 % × 5 days ÷ 360 = 138,888.9 → 138,889
    assert d.overdue_days == 5 and d.penalty_due_fen == 138_889 and d.fee_due_fen == app.planned_fee_fen
    repay(bw, app, late, P, d.fee_due_fen, 0, payer="bank", ref="银行代偿")  # principal and fee by the bank
    app.refresh_from_db()
    assert app.status == "overdue" and app.outstanding_fen == 0  # the penalty is still owed
    repay(bw, app, late, 0, 0, 138_889, ref="违约金")
    app.refresh_from_db()
    assert app.status == "repaid" and RecoveryCase.objects.get(application=app).status == "recovered"


@pytest.mark.parametrize(("kw", "field"), [
    ({"principal_fen": P + 1}, "principal_fen"), ({"penalty_fen": 1}, "penalty_fen"),
    ({"principal_fen": 0, "fee_fen": 0}, "principal_fen"), ({"payer": "friend"}, "payer"), ({"reference": ""}, "reference"),
    ({"paid_on": TODAY - D}, "paid_on"), ({"principal_fen": -1}, "principal_fen"),
])
def test_bad_input(bw, kw, field):
    app = disbursed(bw)
    args = dict(paid_on=TODAY, principal_fen=P, fee_fen=0, penalty_fen=0, reference="R", on=TODAY) | kw
    with pytest.raises(DomainError) as exc:
        actions.record_repayment(bw.clerk, app.pk, **args)
    assert exc.value.field == field
    app.refresh_from_db()
    assert app.principal_repaid_fen == 0


def test_rejects_other_org(bw):
    app = disbursed(bw)
    for user in (bw.other_fm, bw.sme, bw.banker, bw.bureau):
        with pytest.raises(PermissionDenied):
            actions.record_repayment(user, app.pk, paid_on=TODAY, principal_fen=P, fee_fen=0, penalty_fen=0, reference="R", on=TODAY)
