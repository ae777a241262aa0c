"""change_agreement_status: suspend a bank that did not renew (第二十条), cancel for misconduct (第十八条)."""

import pytest

from liuzhuan.bridge.banks import actions
from liuzhuan.bridge.loan.actions import disburse
from liuzhuan.bridge.models.banks import AgreementStatusChange
from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied
from liuzhuan.members.models import Notification

from ..conftest import confirmed, submitted


def test_suspend_for_unkept_renewal_promise_then_reactivate(bw):
    ag = actions.change_agreement_status(bw.manager, bw.agreement.pk, action="suspend", article="art20",
                                         reason="承诺续贷未履行，过桥资金逾期")
    assert ag.status == "suspended" and ag.status_decided_by == bw.manager
    assert Notification.objects.filter(organisation=bw.bank_org, title__contains="暂停合作").exists()
    with pytest.raises(DomainError) as exc:
        submitted(bw)
    assert exc.value.code == "bank_suspended" and exc.value.field == "bank_id"
    actions.change_agreement_status(bw.manager, ag.pk, action="reactivate", reason="已整改")
    assert submitted(bw).status == "submitted"
    assert AgreementStatusChange.objects.filter(agreement=ag).count() == 2


def test_terminate_for_misconduct_by_manager_or_bureau(bw):
    app = confirmed(bw)
    actions.change_agreement_status(bw.bureau, bw.agreement2.pk, action="terminate", article="art18", reason="私自向借款人收取额外费用")
    actions.change_agreement_status(bw.manager, bw.agreement.pk, action="terminate", article="art18", reason="审查把关不严")
    with pytest.raises(DomainError) as exc:
        disburse(bw.clerk, app.pk, account=app.loan_account, voucher="V")
    assert exc.value.code == "not_partner_bank"
    with pytest.raises(DomainError) as exc:
        actions.change_agreement_status(bw.manager, bw.agreement.pk, action="reactivate", reason="x")
    assert exc.value.code == "wrong_status"


def test_bad_input(bw):
    for kw, field in [({"action": "pause"}, "action"), ({"article": "art99"}, "article"), ({"reason": ""}, "reason")]:
        with pytest.raises(DomainError) as exc:
            actions.change_agreement_status(bw.manager, bw.agreement.pk, **({"action": "suspend", "reason": "r", "article": "art20"} | kw))
        assert exc.value.field == field
    with pytest.raises(NotFound):
        actions.change_agreement_status(bw.manager, 999, action="suspend", reason="r")


def test_rejects_other_org(bw):
    for user in (bw.clerk, bw.other_fm, bw.banker, bw.inspector):
        with pytest.raises(PermissionDenied):
            actions.change_agreement_status(user, bw.agreement.pk, action="suspend", reason="r")
    with pytest.raises(PermissionDenied):  # the bureau may cancel, but suspension is the manager's call
        actions.change_agreement_status(bw.bureau, bw.agreement.pk, action="suspend", reason="r")
    bw.agreement.refresh_from_db()
    assert bw.agreement.status == "active"
