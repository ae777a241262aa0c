"""bureau_suspend: the bureau's 业务叫停 (第二十二条) stops approvals and disbursements."""

import pytest

from liuzhuan.bridge.application.actions import approve
from liuzhuan.bridge.fund import actions
from liuzhuan.bridge.loan.actions import disburse
from liuzhuan.bridge.models.fund import FundStatusChange
from liuzhuan.core.errors import DomainError, PermissionDenied

from ..conftest import api_apply, confirmed, prepared


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


def test_suspended_fund_refuses_new_applications_with_a_banner(bw, api):
    """Issue 18: while suspended a member cannot apply (action, page, API) and every bridge page says why."""
    from django.test import Client

    from liuzhuan.bridge.application.actions import submit_application
    from liuzhuan.bridge.models.application import Application

    from ..conftest import TODAY, app_input
    from ..test_api import payload

    mine = prepared(bw)
    actions.bureau_suspend(bw.bureau, "专项检查")
    with pytest.raises(DomainError) as exc:
        submit_application(bw.sme, app_input(bw, original_contract_no="C-new"), on=TODAY)
    assert exc.value.code == "fund_suspended" and "不受理新的申请" in exc.value.message and "专项检查" in exc.value.message
    r = api_apply(api(bw.sme), payload(bw, original_contract_no="C-api"))
    assert r.status_code == 400 and r.json()["code"] == "fund_suspended"
    assert Application.objects.count() == 1
    c = Client()
    c.force_login(bw.sme)
    for path in ("/bridge/apply/", "/bridge/applications/", f"/bridge/applications/{mine.pk}/"):
        html = c.get(path).content.decode()
        assert 'id="fund-suspended"' in html and "暂停受理新申请" in html and "专项检查" in html, path
    assert "提交申请" not in c.get("/bridge/apply/").content.decode()
    actions.request_resume(bw.manager, "已整改")
    from liuzhuan.bridge.models.fund import ResumeRequest

    actions.decide_resume(bw.bureau, ResumeRequest.objects.get().pk, approve=True)
    assert 'id="fund-suspended"' not in c.get("/bridge/apply/").content.decode()
    assert submit_application(bw.sme, app_input(bw, original_contract_no="C-new"), on=TODAY).status == "submitted"
