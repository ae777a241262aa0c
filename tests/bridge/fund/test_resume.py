"""The 30 % switch (第二十二条) both ways: automatic suspension at ≥ 30 %, resumption only below
30 % *and* with the bureau's approval (request_resume + decide_resume)."""

import datetime as dt

import pytest

from liuzhuan.bridge import jobs
from liuzhuan.bridge.fund import actions
from liuzhuan.bridge.loan.actions import record_repayment
from liuzhuan.bridge.models.fund import FundStatusChange, ResumeRequest
from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied
from liuzhuan.members.models import Notification

from ..conftest import TODAY, YUAN, disbursed

ONE = dt.timedelta(days=1)


def big_loan(bw, fen: int, contract: str = "BIG-1"):
    return disbursed(bw, amount_fen=fen, original_due_fen=fen, renewal_approval_fen=fen, original_contract_no=contract)


def test_exactly_30_percent_suspends_and_only_the_bureau_resumes(bw):
    app = big_loan(bw, 3_000_000 * YUAN)  # 30 % of the 10,000,000 yuan principal
    day = app.due_date + ONE
    result = jobs.bridge_daily(day)
    assert result["逾期"] == 1 and result["自动暂停"] == 1
    assert bw.refresh().status == "suspended" and "30%" in bw.fund.status_reason
    assert Notification.objects.filter(organisation=bw.bureau_org, title__contains="风险预警").exists()
    with pytest.raises(DomainError) as exc:
        actions.request_resume(bw.manager, "申请恢复")
    assert exc.value.code == "exposure_too_high"
    # one fen of principal back: 29.99999 % — below the line, but no automatic resumption
    record_repayment(bw.clerk, app.pk, paid_on=day, principal_fen=1, fee_fen=0, penalty_fen=0, reference="R1", on=day)
    assert jobs.bridge_daily(day + ONE).get("自动暂停") is None
    assert bw.refresh().status == "suspended"
    req = actions.request_resume(bw.manager, "风险敞口已降至 30% 以下")
    with pytest.raises(DomainError) as exc:
        actions.request_resume(bw.manager, "再来一次")
    assert exc.value.code == "request_pending"
    actions.decide_resume(bw.bureau, req.pk, approve=False, note="待追偿方案落实后再议")
    assert bw.refresh().status == "suspended"
    req2 = actions.request_resume(bw.manager, "追偿方案已落实")
    actions.decide_resume(bw.bureau, req2.pk, approve=True, note="同意恢复")
    assert bw.refresh().status == "open"
    assert list(FundStatusChange.objects.order_by("id").values_list("to_status", flat=True)) == ["suspended", "open"]


def test_just_below_30_percent_does_not_suspend(bw):
    app = big_loan(bw, 3_000_000 * YUAN - 1)
    jobs.bridge_daily(app.due_date + ONE)
    assert bw.refresh().status == "open"


def test_bureau_cannot_approve_while_exposure_is_high(bw):
    app = big_loan(bw, 2_000_000 * YUAN)
    actions.bureau_suspend(bw.bureau, "检查")
    jobs.bridge_daily(app.due_date + ONE)  # 20 %: overdue, still below the line
    req = actions.request_resume(bw.manager, "检查结束")
    # the bureau recalls principal: 2,000,000 of 6,000,000 = 33 %
    actions.change_principal(bw.bureau, kind="withdraw", amount_fen=4_000_000 * YUAN, effective_on=TODAY,
                             document_no="调度", on=TODAY)
    with pytest.raises(DomainError) as exc:
        actions.decide_resume(bw.bureau, req.pk, approve=True)
    assert exc.value.code == "exposure_too_high"
    assert bw.refresh().status == "suspended" and ResumeRequest.objects.get(pk=req.pk).status == "pending"


def test_bad_input(bw):
    with pytest.raises(DomainError) as exc:
        actions.request_resume(bw.manager, "x")
    assert exc.value.code == "not_suspended"
    actions.bureau_suspend(bw.bureau, "检查")
    with pytest.raises(DomainError) as exc:
        actions.request_resume(bw.manager, "")
    assert exc.value.field == "note"
    req = actions.request_resume(bw.manager, "请求恢复")
    with pytest.raises(DomainError) as exc:
        actions.decide_resume(bw.bureau, req.pk, approve=False, note="")
    assert exc.value.field == "note"
    with pytest.raises(NotFound):
        actions.decide_resume(bw.bureau, 999, approve=True)


def test_rejects_other_org(bw):
    actions.bureau_suspend(bw.bureau, "检查")
    for user in (bw.clerk, bw.other_fm, bw.bureau):
        with pytest.raises(PermissionDenied):
            actions.request_resume(user, "x")
    req = actions.request_resume(bw.manager, "请求恢复")
    for user in (bw.manager, bw.other_bureau, bw.inspector):
        with pytest.raises(PermissionDenied):
            actions.decide_resume(user, req.pk, approve=True)
    assert bw.refresh().status == "suspended"
