"""record_inspection: the finance bureau's regular and irregular inspections, of the fund or of a
renewal bank's use of it, and audits by an intermediary (第十四条、第二十六条)."""

import datetime as dt

import pytest
from django.test import Client

from liuzhuan.bridge.models.oversight import Inspection
from liuzhuan.bridge.oversight import actions
from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.members.models import Notification

from ..conftest import ESTABLISHED, TODAY


def client(user):
    c = Client()
    c.force_login(user)
    return c


def record(bw, user=None, **over):
    data = dict(inspected_on=TODAY - dt.timedelta(days=1), kind="irregular", inspector="预算科 李明、王芳",
                findings="抽查 3 笔业务，资金均划入原贷款还款账户", follow_up="补齐 1 笔续贷批复复印件", bank_id=bw.bank_org.pk, on=TODAY)
    return actions.record_inspection(user or bw.bureau, **(data | over))


def test_inspection_of_a_bank_is_recorded_and_sent(bw):
    ins = record(bw)
    assert (ins.kind, ins.bank_id, ins.recorded_by) == ("irregular", bw.bank_org.pk, bw.bureau)
    for org in (bw.fund_org, bw.bank_org):
        assert Notification.objects.filter(organisation=org, title="市财政局监督检查结果", body__contains="补齐 1 笔").exists()
    whole = record(bw, kind="audit", inspector="某会计师事务所", bank_id=None, follow_up="")
    assert whole.bank_id is None and whole.get_kind_display() == "委托社会中介机构审计或评估"


@pytest.mark.parametrize(("over", "field"), [
    (dict(inspected_on=TODAY + dt.timedelta(days=1)), "inspected_on"),
    (dict(inspected_on=ESTABLISHED - dt.timedelta(days=1)), "inspected_on"),
    (dict(kind="weekly"), "kind"),
    (dict(inspector=""), "inspector"),
    (dict(findings=" "), "findings"),
])
def test_bad_input_changes_nothing(bw, over, field):
    with pytest.raises(DomainError) as exc:
        record(bw, **over)
    assert exc.value.field == field
    assert not Inspection.objects.exists()


def test_the_bank_must_be_a_partner(bw):
    with pytest.raises(DomainError) as exc:
        record(bw, bank_id=bw.sme_org.pk)
    assert exc.value.field == "bank_id"


def test_rejects_other_org(bw):
    for user in (bw.manager, bw.clerk, bw.other_bureau, bw.inspector, bw.banker, bw.sme):
        with pytest.raises(PermissionDenied):
            record(bw, user=user)
    assert not Inspection.objects.exists()


def test_inspection_through_the_api(bw, api):
    body = {"inspected_on": TODAY.isoformat(), "kind": "regular", "inspector": "预算科", "findings": "运行正常"}
    assert api(bw.manager).post("/bridge/inspections", body).status_code == 403
    r = api(bw.bureau).post("/bridge/inspections", body | {"kind": "weekly"})
    assert r.status_code == 400 and r.json()["field"] == "kind"
    r = api(bw.bureau).post("/bridge/inspections", body)
    assert r.status_code == 201 and r.json()["kind"] == "regular"
    assert api(bw.manager).get("/bridge/inspections").json()["count"] == 1
    assert api(bw.banker).get("/bridge/inspections").status_code == 403


def test_inspection_on_the_page(bw):
    url = "/bridge/oversight/"
    from liuzhuan.core.dates import today_china

    future = (today_china() + dt.timedelta(days=1)).isoformat()
    form = {"form": "inspection", "i-inspected_on": future, "i-kind": "regular", "i-inspector": "预算科", "i-findings": "运行正常"}
    r = client(bw.bureau).post(url, form)
    assert r.status_code == 200 and "检查日期不能晚于今天" in r.content.decode()
    form["i-inspected_on"] = TODAY.isoformat()
    client(bw.manager).post(url, form)
    assert not Inspection.objects.exists()
    assert client(bw.bureau).post(url, form).status_code == 302
    assert "运行正常" in client(bw.manager).get(url).content.decode()
