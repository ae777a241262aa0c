"""disburse: money goes straight to the loan account; rate, days, fee fixed on the draw date."""

import datetime as dt
from decimal import Decimal

import pytest

from liuzhuan.bridge.fund.actions import set_lpr
from liuzhuan.bridge.loan import actions
from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.members.models import Notification

from ..conftest import PRINCIPAL, TODAY, YUAN, confirmed, disbursed


def test_self_operated_loan_terms(bw):
    app = disbursed(bw)
    assert app.status == "disbursed" and app.disbursed_on == TODAY
    assert app.due_date == TODAY + dt.timedelta(days=9)  # 10 days, draw day and repayment day both counted
    assert app.rate_daily == Decimal("0.0003") and app.rate_annual is None and app.basis == 360
    assert app.contract_lpr_1y == Decimal("3.00") and app.penalty_annual_rate == Decimal("0.1")
    assert app.planned_fee_fen == 300_000  # 100,000,000 fen × 0.0003 × 10 = 300,000 fen = ¥3,000.00
    assert Notification.objects.filter(organisation=bw.bank_org, title__contains="请按承诺办理续贷").exists()


def test_entrusted_loan_uses_the_1_january_lpr_all_year(bw):
    """Jan-1 2026 LPR 3.00 %; a February LPR cut to 2.90 % does not change entrusted loans (第七条)."""
    set_lpr(bw.bureau, effective_date=dt.date(2026, 2, 20), lpr_1y="2.90", lpr_5y="3.40", on=TODAY)
    app = disbursed(bw, mode="entrusted")
    assert app.mode == "entrusted" and app.rate_annual == Decimal("0.03") and app.contract_lpr_1y == Decimal("3.00")
    assert app.contract_lpr_date == dt.date(2025, 5, 20)
    assert app.planned_fee_fen == 83_333  # 100,000,000 × 3 % × 10 ÷ 360 = 83,333.3


def test_wrong_account_refused(bw):
    app = confirmed(bw)
    with pytest.raises(DomainError) as exc:
        actions.disburse(bw.clerk, app.pk, account="6228 9999", voucher="V", on=TODAY)
    assert exc.value.field == "account" and "原贷款还款账户" in exc.value.message
    with pytest.raises(DomainError) as exc:
        actions.disburse(bw.clerk, app.pk, account=app.loan_account, voucher="", on=TODAY)
    assert exc.value.field == "voucher"
    with pytest.raises(DomainError) as exc:
        actions.disburse(bw.clerk, app.pk, account=app.loan_account, voucher="V", on=TODAY - dt.timedelta(days=1))
    assert exc.value.code == "before_application"


def test_cannot_lend_more_than_the_fund_holds(bw):
    big = 6_000_000 * YUAN
    disbursed(bw, amount_fen=big, original_due_fen=big, renewal_approval_fen=big)
    app = confirmed(bw, user=bw.sme2, amount_fen=big, original_due_fen=big, renewal_approval_fen=big)
    with pytest.raises(DomainError) as exc:
        actions.disburse(bw.clerk, app.pk, account=app.loan_account, voucher="V", on=TODAY)
    assert exc.value.code == "insufficient_fund" and PRINCIPAL < 2 * big


def test_rejects_other_org(bw):
    app = confirmed(bw)
    for user in (bw.other_fm, bw.banker, bw.sme, bw.bureau):
        with pytest.raises(PermissionDenied):
            actions.disburse(user, app.pk, account=app.loan_account, voucher="V", on=TODAY)
    app.refresh_from_db()
    assert app.status == "confirmed"
