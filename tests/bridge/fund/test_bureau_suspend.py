"""bureau_suspend: the bureau's 业务叫停 (第二十二条) stops approvals and disbursements."""

import pytest

from liuzhuan.bridge.application.actions import approve
from liuzhuan.bridge.fund import actions
from liuzhuan.bridge.loan.actions import disburse
from liuzhuan.bridge.models.fund import FundStatusChange
from liuzhuan.core.errors import DomainError, PermissionDenied

from ..conftest import confirmed, prepared


def test_bureau_halts_business(bw):
    ready = confirmed(bw)
    waiting = prepared(bw, original_contract_no="C-2")
    actions.bureau_suspend(bw.bureau, "专项检查")
    assert bw.refresh().status == "suspended" and "专项检查" in bw.fund.status_reason
    assert FundStatusChange.objects.filter(to_status="suspended", decided_by=bw.bureau).exists()
    with pytest.raises(DomainError) as exc:
        approve(bw.manager, waiting.pk)
    assert exc.value.code == "fund_suspended" and "第二十二条" in exc.value.message
    with pytest.raises(DomainError) as exc:
        disburse(bw.clerk, ready.pk, account=ready.loan_account, voucher="V")
    assert exc.value.code == "fund_suspended"


def test_bad_input(bw):
    with pytest.raises(DomainError) as exc:
        actions.bureau_suspend(bw.bureau, "")
    assert exc.value.field == "reason"
    actions.bureau_suspend(bw.bureau, "检查")
    with pytest.raises(DomainError) as exc:
        actions.bureau_suspend(bw.bureau, "再次")
    assert exc.value.code == "already_suspended"


def test_rejects_other_org(bw):
    for user in (bw.manager, bw.other_bureau, bw.banker):
        with pytest.raises(PermissionDenied):
            actions.bureau_suspend(user, "x")
    assert bw.refresh().status == "open"
