"""预警制度 (第二十二条): a warning line set by the bureau below the 30 % halt line; one warning when
exposure reaches it, one notice when it falls back below it; the 30 % suspension is unchanged."""

import datetime as dt

import pytest
from django.test import Client

from liuzhuan.bridge import jobs
from liuzhuan.bridge.fund import actions
from liuzhuan.bridge.loan.actions import record_repayment
from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.core.models import AuditEvent
from liuzhuan.members.models import Notification

from ..conftest import YUAN, disbursed

ONE = dt.timedelta(days=1)


def _loan(bw, fen: int, contract: str = "W-1"):
    return disbursed(bw, amount_fen=fen, original_due_fen=fen, renewal_approval_fen=fen, original_contract_no=contract)


def _warnings(org, fragment="达到预警线"):
    return Notification.objects.filter(organisation=org, kind="bridge.risk", title__contains=fragment).count()


def test_one_warning_at_the_line_and_one_notice_when_it_clears(bw):
    app = _loan(bw, 2_000_000 * YUAN)  # 20 % of the principal: the default line, inclusive
    day = app.due_date + ONE
    jobs.bridge_daily(day)
    fund = bw.refresh()
    assert fund.status == "open" and fund.warning_since is not None
    assert _warnings(bw.bureau_org) == 1 and _warnings(bw.fund_org) == 1
    body = Notification.objects.get(organisation=bw.bureau_org, title__contains="达到预警线").body
    assert "20.00%" in body and "预警线 20%" in body and "30%" in body
    jobs.bridge_daily(day + ONE)  # still at the line: no second warning
    assert _warnings(bw.bureau_org) == 1
    record_repayment(bw.clerk, app.pk, paid_on=day + ONE, principal_fen=1, fee_fen=0, penalty_fen=0, reference="R1", on=day + ONE)
    jobs.bridge_daily(day + 2 * ONE)  # one fen below 20 %
    assert bw.refresh().warning_since is None and bw.fund.status == "open"
    assert _warnings(bw.bureau_org, "风险预警解除") == 1 and _warnings(bw.fund_org, "风险预警解除") == 1
    assert list(AuditEvent.objects.filter(action__startswith="bridge.fund.risk_warning").values_list("action", flat=True)) == [
        "bridge.fund.risk_warning", "bridge.fund.risk_warning_cleared"]


def test_just_below_the_line_raises_nothing(bw):
    app = _loan(bw, 2_000_000 * YUAN - 1)
    jobs.bridge_daily(app.due_date + ONE)
    assert bw.refresh().warning_since is None and _warnings(bw.bureau_org) == 0


def test_at_the_halt_line_the_suspension_notice_is_the_warning(bw):
    app = _loan(bw, 3_000_000 * YUAN)
    jobs.bridge_daily(app.due_date + ONE)
    fund = bw.refresh()
    assert fund.status == "suspended" and fund.warning_since is not None
    assert _warnings(bw.bureau_org) == 0  # no second notice beside "业务已暂停"
    assert Notification.objects.filter(organisation=bw.bureau_org, title__contains="已暂停").count() == 1


def test_bureau_sets_the_line_and_the_position_is_checked_at_once(bw):
    app = _loan(bw, 1_600_000 * YUAN)  # 16 %
    jobs.bridge_daily(app.due_date + ONE)
    assert bw.refresh().warning_since is None
    actions.set_warning_level(bw.bureau, 15, "加强监测")
    fund = bw.refresh()
    assert fund.warn_percent == 15 and fund.warning_since is not None and _warnings(bw.bureau_org) == 1
    assert Notification.objects.filter(organisation=bw.fund_org, title="风险预警线调整", body__contains="由 20% 调整为 15%").exists()
    actions.set_warning_level(bw.bureau, 25)  # above the position again: cleared
    assert bw.refresh().warning_since is None and _warnings(bw.bureau_org, "风险预警解除") == 1


@pytest.mark.parametrize("value", [0, 30, 31, -5, "abc", "", None])
def test_bad_line_changes_nothing(bw, value):
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError) as exc:
        actions.set_warning_level(bw.bureau, value)
    assert exc.value.field == "warn_percent" and "预警线" in exc.value.message
    assert bw.refresh().warn_percent == 20 and AuditEvent.objects.count() == before


def test_rejects_other_org(bw):
    for user in (bw.manager, bw.other_bureau, bw.sme, bw.inspector):
        with pytest.raises(PermissionDenied):
            actions.set_warning_level(user, 15)
    assert bw.refresh().warn_percent == 20


def test_api_and_page(bw, api):
    r = api(bw.bureau).post("/bridge/fund/warning", {"warn_percent": 30})
    assert r.status_code == 400 and r.json()["field"] == "warn_percent"
    assert api(bw.manager).post("/bridge/fund/warning", {"warn_percent": 15}).status_code == 403
    assert api(bw.bureau).post("/bridge/fund/warning", {"warn_percent": 25, "note": "年度调整"}).status_code == 200
    fund = api(bw.bureau).get("/bridge/fund").json()
    assert fund["warn_percent"] == 25 and fund["warning_since"] is None
    client = Client()
    client.force_login(bw.bureau)
    page = client.get("/bridge/fund/").content.decode()
    assert "风险预警线" in page and "预警线 25%，暂停线 30%" in page
    r = client.post("/bridge/fund/", {"form": "warning", "w-warn_percent": "30"})
    assert r.status_code == 200 and "29" in r.content.decode() and bw.refresh().warn_percent == 25
    client.force_login(bw.manager)  # the manager sees the line but has no form to change it
    page = client.get("/bridge/fund/").content.decode()
    assert "预警线 25%" in page and 'value="warning"' not in page


def test_changing_the_line_is_audited_and_setting_the_same_line_is_a_no_op(bw):
    actions.set_warning_level(bw.bureau, 15, "加强监测")
    event = AuditEvent.objects.get(action="bridge.fund.warn_level")
    assert event.summary == {"before": 20, "after": 15, "note": "加强监测"} and event.actor_org_id == bw.bureau_org.pk
    before = (AuditEvent.objects.count(), Notification.objects.count())
    actions.set_warning_level(bw.bureau, "15")
    assert (AuditEvent.objects.count(), Notification.objects.count()) == before
    with pytest.raises(DomainError) as exc:
        actions.set_warning_level(bw.bureau, "15.5")
    assert exc.value.field == "warn_percent"
