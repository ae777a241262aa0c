"""bank_confirm / bank_decline: the lending bank confirms the renewal is under way (第八条（四）), and
fixes what only it knows — the original loan's due date, the loan's repayment account at the bank
(第十条（一）) and the days the bridge runs (第十条（二）「具体由续贷银行自行确定」)."""

import datetime as dt

import pytest

from liuzhuan.bridge.application import actions
from liuzhuan.bridge.models.application import Application
from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied

from ..conftest import TODAY, YUAN, approved, submitted

CONFIRM = dict(renewal_approval_no="甲银批〔2026〕18号", renewal_approval_date=TODAY, renewal_in_progress=True,
               classification="normal", original_due_date=TODAY + dt.timedelta(days=1), confirmed_account="6228 0000 7777",
               term_days=7, on=TODAY)


def test_bank_confirms_with_its_own_figures(bw):
    app = approved(bw)
    assert app.loan_account == "6228 0000 1111" and app.planned_days == 10
    app = actions.bank_confirm(bw.banker, app.pk, renewal_approval_fen=1_100_000 * YUAN, **CONFIRM)
    assert app.status == "confirmed" and app.renewal_in_progress and app.renewal_approval_fen == 1_100_000 * YUAN
    assert app.bank_confirmed_by == bw.banker
    # the bank's account (spaces dropped) and days replace the applicant's request; the request stays on record
    assert app.confirmed_account == "622800007777" and app.term_days == 7 and app.usage_days == 7
    assert app.loan_account == "6228 0000 1111" and app.planned_days == 10


def test_bank_moves_the_due_date_it_knows(bw):
    app = approved(bw)
    later = TODAY + dt.timedelta(days=3)
    app = actions.bank_confirm(bw.banker, app.pk, renewal_approval_fen=1_000_000 * YUAN, **(CONFIRM | {"original_due_date": later}))
    assert app.original_due_date == later


@pytest.mark.parametrize(("kw", "field"), [
    ({"renewal_in_progress": False}, "renewal_in_progress"),
    ({"classification": "substandard"}, "classification"),
    ({"renewal_approval_fen": 999_999 * YUAN}, "renewal_approval_fen"),
    ({"renewal_approval_no": ""}, "renewal_approval_no"),
    ({"confirmed_account": "  "}, "confirmed_account"),
    ({"term_days": 11}, "term_days"),
    ({"term_days": 0}, "term_days"),
    ({"original_due_date": TODAY - dt.timedelta(days=1)}, "original_due_date"),
])
def test_bad_input(bw, kw, field):
    app = approved(bw)
    args = CONFIRM | {"renewal_approval_fen": 1_000_000 * YUAN} | kw
    with pytest.raises(DomainError) as exc:
        actions.bank_confirm(bw.banker, app.pk, **args)
    assert exc.value.field == field
    app.refresh_from_db()
    assert app.status == "approved" and app.confirmed_account == "" and app.term_days is None


def test_days_over_ten_refused_with_the_rule(bw):
    app = approved(bw)
    with pytest.raises(DomainError) as exc:
        actions.bank_confirm(bw.banker, app.pk, renewal_approval_fen=1_000_000 * YUAN, **(CONFIRM | {"term_days": 11}))
    assert exc.value.code == "too_many_days" and "10" in exc.value.message


def test_overdue_original_loan_refused(bw):
    """第八条（三）: a loan past its due date is not 正常类, whatever the bank ticks."""
    app = approved(bw)
    with pytest.raises(DomainError) as exc:
        actions.bank_confirm(bw.banker, app.pk, renewal_approval_fen=1_000_000 * YUAN,
                             **(CONFIRM | {"original_due_date": TODAY - dt.timedelta(days=90)}))
    assert exc.value.code == "original_overdue" and "正常类" in exc.value.message


def test_bank_declines(bw):
    app = actions.bank_decline(bw.banker, approved(bw).pk, reason="续贷审批未通过")
    assert app.status == "rejected" and "续贷审批未通过" in app.closed_reason
    with pytest.raises(DomainError):
        actions.bank_decline(bw.banker, submitted(bw, original_contract_no="C-2").pk, reason="x")


def test_rejects_other_org(bw):
    """Another bank may not confirm (nor learn of) a loan at this bank; nor may the manager or the SME."""
    app = approved(bw)
    with pytest.raises(NotFound):  # another bank learns nothing about this loan
        actions.bank_confirm(bw.banker2, app.pk, renewal_approval_fen=1_000_000 * YUAN, **CONFIRM)
    with pytest.raises(NotFound):
        actions.bank_decline(bw.banker2, app.pk, reason="x")
    for user in (bw.manager, bw.sme):
        with pytest.raises(PermissionDenied):
            actions.bank_confirm(user, app.pk, renewal_approval_fen=1_000_000 * YUAN, **CONFIRM)
    app.refresh_from_db()
    assert app.status == "approved" and app.confirmed_account == "" and app.term_days is None


def test_a_loan_confirmed_before_accounts_were_confirmed_is_confirmed_again(bw):
    """Migration 0005 leaves loans confirmed but not paid without account and days: the bank
    confirms again (and only then may the money go out); a fully confirmed loan cannot be re-confirmed."""
    app = approved(bw)
    app = actions.bank_confirm(bw.banker, app.pk, renewal_approval_fen=1_000_000 * YUAN, **CONFIRM)
    with pytest.raises(DomainError) as exc:
        actions.bank_confirm(bw.banker, app.pk, renewal_approval_fen=1_000_000 * YUAN, **CONFIRM)
    assert exc.value.code == "wrong_status"
    Application.objects.filter(pk=app.pk).update(confirmed_account="", term_days=None)
    app = actions.bank_confirm(bw.banker, app.pk, renewal_approval_fen=1_000_000 * YUAN, **(CONFIRM | {"term_days": 5}))
    assert app.status == "confirmed" and app.confirmed_account == "622800007777" and app.term_days == 5
