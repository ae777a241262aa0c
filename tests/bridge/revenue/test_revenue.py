"""record_deposit_interest / record_remittance: fee and deposit interest remitted to the
treasury as non-tax revenue (第十五条); never more than was collected, never twice."""

import datetime as dt

import pytest

from liuzhuan.bridge.loan.actions import record_repayment
from liuzhuan.bridge.revenue import actions
from liuzhuan.bridge.revenue.queries import revenue_balance
from liuzhuan.core.errors import DomainError, PermissionDenied

from ..conftest import TODAY, disbursed


@pytest.fixture
def collected(bw):
    app = disbursed(bw)
    record_repayment(bw.clerk, app.pk, paid_on=app.due_date, principal_fen=app.amount_fen, fee_fen=300_000, penalty_fen=0,
                     reference="R", on=app.due_date)
    actions.record_deposit_interest(bw.clerk, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 3, 20),
                                    received_on=dt.date(2026, 3, 21), amount_fen=12_345, reference="LX1", on=dt.date(2026, 3, 21))
    return app.due_date


def test_remit_fee_and_interest(bw, collected):
    r = actions.record_remittance(bw.clerk, remitted_on=collected, fee_fen=300_000, interest_fen=0, penalty_fen=0,
                                  voucher_no="FS-1", on=collected)
    assert r.total_fen == 300_000
    later = dt.date(2026, 3, 21)
    actions.record_remittance(bw.clerk, remitted_on=later, fee_fen=0, interest_fen=12_345, penalty_fen=0, voucher_no="FS-2", on=later)
    b = revenue_balance()
    assert (b.fee_unremitted_fen, b.interest_unremitted_fen) == (0, 0)


def test_cannot_remit_more_than_collected_or_twice(bw, collected):
    with pytest.raises(DomainError) as exc:
        actions.record_remittance(bw.clerk, remitted_on=collected, fee_fen=300_001, interest_fen=0, penalty_fen=0,
                                  voucher_no="FS-1", on=collected)
    assert exc.value.field == "fee_fen"
    with pytest.raises(DomainError) as exc:  # interest received on 03-21 is not there yet on 03-11
        actions.record_remittance(bw.clerk, remitted_on=collected, fee_fen=0, interest_fen=1, penalty_fen=0, voucher_no="FS-1", on=collected)
    assert exc.value.field == "interest_fen"
    actions.record_remittance(bw.clerk, remitted_on=collected, fee_fen=100, interest_fen=0, penalty_fen=0, voucher_no="FS-1", on=collected)
    with pytest.raises(DomainError) as exc:
        actions.record_remittance(bw.clerk, remitted_on=collected, fee_fen=100, interest_fen=0, penalty_fen=0, voucher_no="FS-1", on=collected)
    assert exc.value.field == "voucher_no"
    with pytest.raises(DomainError) as exc:
        actions.record_remittance(bw.clerk, remitted_on=collected, fee_fen=0, interest_fen=0, penalty_fen=0, voucher_no="FS-3", on=collected)
    assert exc.value.field == "fee_fen"


def test_interest_bad_input(bw):
    with pytest.raises(DomainError) as exc:
        actions.record_deposit_interest(bw.clerk, period_start=TODAY, period_end=TODAY - dt.timedelta(days=1), received_on=TODAY,
                                        amount_fen=1, reference="x", on=TODAY)
    assert exc.value.field == "period_end"
    with pytest.raises(DomainError) as exc:
        actions.record_deposit_interest(bw.clerk, period_start=TODAY, period_end=TODAY, received_on=TODAY, amount_fen=0,
                                        reference="x", on=TODAY)
    assert exc.value.field == "amount_fen"


def test_rejects_other_org(bw, collected):
    for user in (bw.other_fm, bw.bureau, bw.banker):
        with pytest.raises(PermissionDenied):
            actions.record_remittance(user, remitted_on=collected, fee_fen=1, interest_fen=0, penalty_fen=0, voucher_no="X", on=collected)
        with pytest.raises(PermissionDenied):
            actions.record_deposit_interest(user, period_start=TODAY, period_end=TODAY, received_on=TODAY, amount_fen=1,
                                            reference="x", on=TODAY)


def test_back_dated_remittance_cannot_remit_the_same_money_twice(bw, collected):
    later = collected + dt.timedelta(days=10)
    actions.record_remittance(bw.clerk, remitted_on=later, fee_fen=300_000, interest_fen=0, penalty_fen=0, voucher_no="FS-L", on=later)
    with pytest.raises(DomainError) as exc:  # dated earlier than the first, but the money is already gone
        actions.record_remittance(bw.clerk, remitted_on=collected, fee_fen=300_000, interest_fen=0, penalty_fen=0,
                                  voucher_no="FS-E", on=later)
    assert exc.value.field == "fee_fen"
    assert revenue_balance().fee_unremitted_fen == 0
