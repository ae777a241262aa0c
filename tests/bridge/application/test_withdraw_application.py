"""withdraw_application: the applicant withdraws before the money leaves."""

import pytest

from liuzhuan.bridge.application import actions
from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied

from ..conftest import confirmed, disbursed, submitted


def test_applicant_withdraws(bw):
    app = actions.withdraw_application(bw.sme, confirmed(bw).pk, "银行已自行续贷")
    assert app.status == "withdrawn" and app.closed_reason == "银行已自行续贷"


def test_cannot_withdraw_after_disbursement(bw):
    app = disbursed(bw)
    with pytest.raises(DomainError) as exc:
        actions.withdraw_application(bw.sme, app.pk)
    assert exc.value.code == "wrong_status"


def test_rejects_other_org(bw):
    app = submitted(bw)
    with pytest.raises(NotFound):
        actions.withdraw_application(bw.sme2, app.pk)
    with pytest.raises(PermissionDenied):
        actions.withdraw_application(bw.manager, app.pk)
    app.refresh_from_db()
    assert app.status == "submitted"
