"""record_sanction: the finance bureau records misconduct of the fund manager or one of its officers
and the measures (第十八条); a referral to the financial regulator reaches the regulator's inbox."""

import pytest
from django.test import Client

from liuzhuan.bridge.models.oversight import Sanction
from liuzhuan.bridge.oversight import actions
from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.core.models import AuditEvent
from liuzhuan.members.models import Notification

from ..conftest import TODAY


def client(user):
    c = Client()
    c.force_login(user)
    return c


def test_officer_misconduct_referred_to_the_regulator(bw):
    s = actions.record_sanction(bw.bureau, item="extra_fees", findings="经办人员向借款企业收取咨询费 2 万元", officer_id=bw.clerk.pk,
                                legal_liability=True, regulator_referral=True, referral_note="桐财函〔2026〕5号", on=TODAY)
    assert (s.organisation_id, s.officer_id, s.decided_on) == (bw.fund_org.pk, bw.clerk.pk, TODAY)
    assert s.measures == ["追究法律责任", "提请金融监管支局处理"]
    inspector_org = bw.inspector.organisation
    note = Notification.objects.get(organisation=inspector_org, kind="bridge.referral")
    assert "桐财函〔2026〕5号" in note.body and "第十八条" in note.body and "提请处理" in note.title
    assert Notification.objects.filter(organisation=bw.fund_org, title="市财政局违规处理决定").exists()
    assert AuditEvent.objects.filter(action="bridge.oversight.sanction").count() == 1


def test_organisation_sanction_without_referral_does_not_notify_the_regulator(bw):
    s = actions.record_sanction(bw.bureau, item="fraud_or_loss", findings="审查把关不严致资金损失", cancel_qualification=True, on=TODAY)
    assert s.officer_id is None and s.measures == ["取消管理（合作）资格"]
    assert not Notification.objects.filter(organisation=bw.inspector.organisation).exists()


@pytest.mark.parametrize(("kw", "field"), [
    (dict(item="bribe", findings="x", legal_liability=True), "item"),
    (dict(item="other", findings=" ", legal_liability=True), "findings"),
    (dict(item="other", findings="x"), "regulator_referral"),  # no measure
    (dict(item="other", findings="x", regulator_referral=True), "referral_note"),  # referral without its content
    (dict(item="other", findings="x", legal_liability="yes"), "legal_liability"),
])
def test_bad_input_changes_nothing(bw, kw, field):
    with pytest.raises(DomainError) as exc:
        actions.record_sanction(bw.bureau, on=TODAY, **kw)
    assert exc.value.field == field
    assert not Sanction.objects.exists()


def test_officer_must_belong_to_the_manager(bw):
    for user in (bw.banker, bw.other_fm, bw.sme):
        with pytest.raises(DomainError) as exc:
            actions.record_sanction(bw.bureau, item="other", findings="x", officer_id=user.pk, legal_liability=True, on=TODAY)
        assert exc.value.field == "officer_id"
    assert not Sanction.objects.exists()


def test_rejects_other_org(bw):
    for user in (bw.manager, bw.clerk, bw.other_bureau, bw.inspector, bw.banker, bw.sme):
        with pytest.raises(PermissionDenied):
            actions.record_sanction(user, item="other", findings="x", legal_liability=True, on=TODAY)
    assert not Sanction.objects.exists()


def test_sanction_through_the_api(bw, api):
    body = {"item": "other", "findings": "违反操作程序", "regulator_referral": True, "referral_note": "提请支局处理"}
    assert api(bw.manager).post("/bridge/sanctions", body).status_code == 403
    assert api(bw.other_bureau).post("/bridge/sanctions", body).status_code == 403
    r = api(bw.bureau).post("/bridge/sanctions", body | {"referral_note": ""})
    assert r.status_code == 400 and r.json()["field"] == "referral_note" and "提请处理事项" in r.json()["message"]
    r = api(bw.bureau).post("/bridge/sanctions", body)
    assert r.status_code == 201 and r.json()["regulator_referral"] is True
    listed = api(bw.inspector).get("/bridge/sanctions").json()
    assert listed["count"] == 1 and listed["items"][0]["referral_note"] == "提请支局处理"
    assert api(bw.sme).get("/bridge/sanctions").status_code == 403


def test_sanction_on_the_page(bw):
    url = "/bridge/oversight/"
    assert "登记违规处理" in client(bw.bureau).get(url).content.decode()
    assert "登记违规处理" not in client(bw.manager).get(url).content.decode()
    assert client(bw.sme).get(url).status_code == 404
    form = {"form": "sanction", "s-item": "other", "s-findings": "违反操作程序", "s-regulator_referral": "on", "s-referral_note": ""}
    r = client(bw.bureau).post(url, form)
    assert r.status_code == 200 and "请填写提请处理事项" in r.content.decode()
    client(bw.manager).post(url, form | {"s-referral_note": "x"})  # not the bureau: nothing recorded
    assert not Sanction.objects.exists()
    r = client(bw.bureau).post(url, form | {"s-referral_note": "提请支局处理", "s-officer_id": str(bw.clerk.pk)})
    assert r.status_code == 302
    assert "提请支局处理" in client(bw.inspector).get(url).content.decode()
