"""record_renewal: the lending bank records the renewed loan."""

import datetime as dt

import pytest

from liuzhuan.bridge.loan import actions
from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied

from ..conftest import TODAY, YUAN, approved, disbursed


def test_bank_records_renewal(bw):
    app = disbursed(bw)
    app = actions.record_renewal(bw.banker, app.pk, renewed_on=TODAY, contract_no="XD-1", amount_fen=1_000_000 * YUAN, on=TODAY)
    assert app.renewed_on == TODAY and app.renewal_contract_no == "XD-1" and app.renewal_recorded_by == bw.banker
    with pytest.raises(DomainError) as exc:
        actions.record_renewal(bw.banker, app.pk, renewed_on=TODAY, contract_no="XD-2", amount_fen=1, on=TODAY)
    assert exc.value.code == "already_renewed"


def test_bad_input(bw):
    app = disbursed(bw)
    for kw, field in [({"renewed_on": TODAY - dt.timedelta(days=1)}, "renewed_on"), ({"contract_no": ""}, "contract_no"),
                      ({"amount_fen": 0}, "amount_fen")]:
        with pytest.raises(DomainError) as exc:
            actions.record_renewal(bw.banker, app.pk, **({"renewed_on": TODAY, "contract_no": "X", "amount_fen": 1, "on": TODAY} | kw))
        assert exc.value.field == field
    pending = approved(bw, original_contract_no="C-2")
    with pytest.raises(DomainError):
        actions.record_renewal(bw.banker, pending.pk, renewed_on=TODAY, contract_no="X", amount_fen=1, on=TODAY)


def test_rejects_other_org(bw):
    app = disbursed(bw)
    with pytest.raises(NotFound):
        actions.record_renewal(bw.banker2, app.pk, renewed_on=TODAY, contract_no="X", amount_fen=1, on=TODAY)
    with pytest.raises(PermissionDenied):
        actions.record_renewal(bw.sme, app.pk, renewed_on=TODAY, contract_no="X", amount_fen=1, on=TODAY)
