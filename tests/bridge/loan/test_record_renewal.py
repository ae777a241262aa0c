"""record_renewal: the lending bank records the renewed loan — date, contract, amount and type, which
must be the bank's own working-capital loan (第十条（四））."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from liuzhuan.bridge.loan import actions
from liuzhuan.bridge.models.application import Application
from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied

from ..conftest import TODAY, YUAN, approved, disbursed

WC = "working_capital"


def test_bank_records_renewal(bw):
    app = disbursed(bw)
    app = actions.record_renewal(bw.banker, app.pk, renewed_on=TODAY, contract_no="XD-1", amount_fen=1_000_000 * YUAN,
                                 loan_type=WC, on=TODAY)
    assert app.renewed_on == TODAY and app.renewal_contract_no == "XD-1" and app.renewal_recorded_by == bw.banker
    assert app.renewal_loan_type == WC
    with pytest.raises(DomainError) as exc:
        actions.record_renewal(bw.banker, app.pk, renewed_on=TODAY, contract_no="XD-2", amount_fen=1, loan_type=WC, on=TODAY)
    assert exc.value.code == "already_renewed"


@pytest.mark.parametrize("loan_type", ["acceptance_bill", "entrusted_loan", "other"])
def test_renewal_other_than_own_working_capital_loan_refused(bw, loan_type):
    app = disbursed(bw)
    with pytest.raises(DomainError) as exc:
        actions.record_renewal(bw.banker, app.pk, renewed_on=TODAY, contract_no="XD-1", amount_fen=1_000_000 * YUAN,
                               loan_type=loan_type, on=TODAY)
    assert exc.value.code == "loan_type_excluded" and exc.value.field == "loan_type" and "自营的流动资金贷款" in exc.value.message
    app.refresh_from_db()
    assert app.renewed_on is None and app.renewal_loan_type == ""


def test_the_database_refuses_a_renewal_of_another_type(bw):
    app = disbursed(bw)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=app.pk).update(renewed_on=TODAY, renewal_contract_no="X", renewal_amount_fen=1,
                                                     renewal_loan_type="acceptance_bill")


def test_bad_input(bw):
    app = disbursed(bw)
    for kw, field in [({"renewed_on": TODAY - dt.timedelta(days=1)}, "renewed_on"), ({"contract_no": ""}, "contract_no"),
                      ({"amount_fen": 0}, "amount_fen"), ({"loan_type": ""}, "loan_type"), ({"loan_type": "mortgage"}, "loan_type")]:
        with pytest.raises(DomainError) as exc:
            actions.record_renewal(bw.banker, app.pk, **({"renewed_on": TODAY, "contract_no": "X", "amount_fen": 1, "loan_type": WC,
                                                           "on": TODAY} | kw))
        assert exc.value.field == field
    pending = approved(bw, original_contract_no="C-2")
    with pytest.raises(DomainError):
        actions.record_renewal(bw.banker, pending.pk, renewed_on=TODAY, contract_no="X", amount_fen=1, loan_type=WC, on=TODAY)


def test_rejects_other_org(bw):
    app = disbursed(bw)
    with pytest.raises(NotFound):
        actions.record_renewal(bw.banker2, app.pk, renewed_on=TODAY, contract_no="X", amount_fen=1, loan_type=WC, on=TODAY)
    with pytest.raises(PermissionDenied):
        actions.record_renewal(bw.sme, app.pk, renewed_on=TODAY, contract_no="X", amount_fen=1, loan_type=WC, on=TODAY)
    app.refresh_from_db()
    assert app.renewed_on is None
