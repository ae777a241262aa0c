"""disburse: money goes only to the repayment account the bank confirmed, for the days the bank set,
around the original loan's maturity; rate, days, fee fixed on the draw date."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from liuzhuan.bridge.application.actions import bank_confirm
from liuzhuan.bridge.fund.actions import set_lpr
from liuzhuan.bridge.loan import actions
from liuzhuan.bridge.models.application import Application
from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.members.models import Notification

from ..conftest import PRINCIPAL, TODAY, YUAN, approved, confirm_args, confirmed, disbursed


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


# ---------------------------------------------------------------------------------------------
# 第十条（一）: only into the repayment account the lending bank confirmed
# ---------------------------------------------------------------------------------------------


def test_money_goes_only_to_the_account_the_bank_confirmed(bw):
    """The applicant typed its ordinary settlement account; the bank confirmed the loan's own."""
    app = approved_with(bw, confirmed_account="6228 0000 5555")
    assert app.loan_account == "6228 0000 1111"
    with pytest.raises(DomainError) as exc:
        actions.disburse(bw.clerk, app.pk, account=app.loan_account, voucher="V", on=TODAY)
    assert exc.value.code == "wrong_account" and exc.value.field == "account" and "622800005555" in exc.value.message
    app.refresh_from_db()
    assert app.status == "confirmed" and app.disbursed_to_account == ""
    app = actions.disburse(bw.clerk, app.pk, account="6228-0000-5555".replace("-", " "), voucher="V", on=TODAY)
    assert app.disbursed_to_account == "622800005555" == app.confirmed_account  # the record names the bank's account


def test_a_confirmation_without_account_cannot_be_paid(bw):
    """Loans confirmed before the bank confirmed accounts (migration 0005 leaves them blank)."""
    app = confirmed(bw)
    Application.objects.filter(pk=app.pk).update(confirmed_account="", term_days=None)
    with pytest.raises(DomainError) as exc:
        actions.disburse(bw.clerk, app.pk, account=app.loan_account, voucher="V", on=TODAY)
    assert exc.value.code == "account_not_confirmed"


def test_the_database_refuses_a_disbursement_elsewhere(bw):
    app = disbursed(bw)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=app.pk).update(disbursed_to_account="6228 9999")


# ---------------------------------------------------------------------------------------------
# 第十条（二）: the bank sets the days
# ---------------------------------------------------------------------------------------------


def test_the_days_are_the_banks_not_the_request(bw):
    app = approved_with(bw, term_days=4)
    assert app.planned_days == 10
    app = actions.disburse(bw.clerk, app.pk, account=app.confirmed_account, voucher="V", on=TODAY)
    assert app.due_date == TODAY + dt.timedelta(days=3)  # 4 days, draw and repayment day included
    assert app.planned_fee_fen == 120_000  # 100,000,000 fen × 0.0003 × 4


# ---------------------------------------------------------------------------------------------
# The draw is tied to the maturing loan (第八条（三）、第十条（一）)
# ---------------------------------------------------------------------------------------------


def test_a_loan_due_in_300_days_gets_no_money(bw):
    app = approved_with(bw, original_due_date=TODAY + dt.timedelta(days=300))
    with pytest.raises(DomainError) as exc:
        actions.disburse(bw.clerk, app.pk, account=app.confirmed_account, voucher="V", on=TODAY)
    assert exc.value.code == "outside_draw_window" and "5 个工作日" in exc.value.message
    app.refresh_from_db()
    assert app.status == "confirmed"


def test_a_loan_past_its_due_date_gets_no_money(bw):
    app = confirmed(bw)  # due TODAY + 1
    with pytest.raises(DomainError) as exc:
        actions.disburse(bw.clerk, app.pk, account=app.confirmed_account, voucher="V", on=TODAY + dt.timedelta(days=2))
    assert exc.value.code == "outside_draw_window" and "正常类" in exc.value.message


def test_the_window_opens_five_working_days_before_maturity(bw):
    """Due Monday 9 March 2026: the fifth working day before is Monday 2 March, the window's first day;
    for a loan due Tuesday 10 March, 2 March is one working day too early."""
    app = approved_with(bw, original_due_date=dt.date(2026, 3, 10))
    with pytest.raises(DomainError) as exc:
        actions.disburse(bw.clerk, app.pk, account=app.confirmed_account, voucher="V", on=TODAY)
    assert "最早 2026-03-03 提款" in exc.value.message
    app = approved_with(bw, user=bw.sme2, original_contract_no="C-2", original_due_date=dt.date(2026, 3, 9))
    assert actions.disburse(bw.clerk, app.pk, account=app.confirmed_account, voucher="V", on=TODAY).status == "disbursed"


def approved_with(bw, user=None, original_contract_no="JY-LD-2025-0088", **terms):
    """An application the bank confirms with ``terms`` (account, days, due date) of its own."""
    app = approved(bw, user=user or bw.sme, original_contract_no=original_contract_no)
    bank = bw.banker if app.bank_id == bw.bank_org.pk else bw.banker2
    return bank_confirm(bank, app.pk, **confirm_args(app, **terms))
