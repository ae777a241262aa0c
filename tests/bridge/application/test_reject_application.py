"""reject_application: the manager turns an application down with a reason."""

import pytest

from liuzhuan.bridge.application import actions
from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.members.models import Notification

from ..conftest import approved, disbursed, submitted


def test_reject_with_reason(bw):
    app = actions.reject_application(bw.clerk, approved(bw).pk, reason="企业涉诉")
    assert app.status == "rejected" and app.closed_reason == "企业涉诉"
    assert Notification.objects.filter(organisation=bw.sme_org, title__contains="未通过").exists()
    assert Notification.objects.filter(organisation=bw.bank_org, title__contains="已终止").exists()


def test_bad_input(bw):
    app = submitted(bw)
    with pytest.raises(DomainError) as exc:
        actions.reject_application(bw.clerk, app.pk, reason="")
    assert exc.value.field == "reason"
    loan = disbursed(bw, original_contract_no="C-2")
    with pytest.raises(DomainError):
        actions.reject_application(bw.clerk, loan.pk, reason="x")


def test_rejects_other_org(bw):
    app = submitted(bw)
    for user in (bw.other_fm, bw.banker, bw.sme2, bw.bureau):
        with pytest.raises(PermissionDenied):
            actions.reject_application(user, app.pk, reason="x")
