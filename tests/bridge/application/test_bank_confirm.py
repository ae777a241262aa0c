"""bank_confirm / bank_decline: the lending bank confirms the renewal is under way (第八条（四））."""

import pytest

from liuzhuan.bridge.application import actions
from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied

from ..conftest import TODAY, YUAN, approved, submitted

CONFIRM = dict(renewal_approval_no="甲银批〔2026〕18号", renewal_approval_date=TODAY, renewal_in_progress=True,
               classification="normal", on=TODAY)


def test_bank_confirms_with_its_own_figures(bw):
    app = approved(bw)
    app = actions.bank_confirm(bw.banker, app.pk, renewal_approval_fen=1_100_000 * YUAN, **CONFIRM)
    assert app.status == "confirmed" and app.renewal_in_progress and app.renewal_approval_fen == 1_100_000 * YUAN
    assert app.bank_confirmed_by == bw.banker


@pytest.mark.parametrize(("kw", "field"), [
    ({"renewal_in_progress": False}, "renewal_in_progress"),
    ({"classification": "substandard"}, "classification"),
    ({"renewal_approval_fen": 999_999 * YUAN}, "renewal_approval_fen"),
    ({"renewal_approval_no": ""}, "renewal_approval_no"),
])
def test_bad_input(bw, kw, field):
    app = approved(bw)
    args = CONFIRM | {"renewal_approval_fen": 1_000_000 * YUAN} | kw
    with pytest.raises(DomainError) as exc:
        actions.bank_confirm(bw.banker, app.pk, **args)
    assert exc.value.field == field
    app.refresh_from_db()
    assert app.status == "approved"


def test_bank_declines(bw):
    app = actions.bank_decline(bw.banker, approved(bw).pk, reason="续贷审批未通过")
    assert app.status == "rejected" and "续贷审批未通过" in app.closed_reason
    with pytest.raises(DomainError):
        actions.bank_decline(bw.banker, submitted(bw, original_contract_no="C-2").pk, reason="x")


def test_rejects_other_org(bw):
    app = approved(bw)
    with pytest.raises(NotFound):  # another bank learns nothing about this loan
        actions.bank_confirm(bw.banker2, app.pk, renewal_approval_fen=1_000_000 * YUAN, **CONFIRM)
    with pytest.raises(NotFound):
        actions.bank_decline(bw.banker2, app.pk, reason="x")
    for user in (bw.manager, bw.sme):
        with pytest.raises(PermissionDenied):
            actions.bank_confirm(user, app.pk, renewal_approval_fen=1_000_000 * YUAN, **CONFIRM)
    app.refresh_from_db()
    assert app.status == "approved"
