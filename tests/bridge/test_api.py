"""/api/v1/bridge: one loan end to end over the API, errors as {code, message, field}, members
see only their own records (404), wrong roles get 403, downloads are real files."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from liuzhuan.bridge.application.rules import ELIGIBILITY_ITEMS
from liuzhuan.bridge.reports.actions import generate_report
from liuzhuan.core.dates import today_china
from liuzhuan.members.actions import issue_api_token

from .conftest import YUAN, api_apply, multipart_application


def payload(bw, **over):
    today = today_china()
    data = dict(
        bank_id=bw.bank_org.pk, sme_size="small", original_contract_no="API-1", original_loan_type="working_capital",
        original_due_fen=500_000 * YUAN, original_due_date=today.isoformat(), classification="normal", loan_account="6228-1",
        renewal_approval_fen=500_000 * YUAN, renewal_approval_no="批1", renewal_approval_date=today.isoformat(),
        amount_fen=500_000 * YUAN, planned_days=5, planned_draw_date=today.isoformat(), purpose_confirmed=True,
        evidence={k: "已提供" for k, _ in ELIGIBILITY_ITEMS}, materials={"m1": "申请书", "m2": "执照"},
    )
    return data | over


def test_one_loan_through_the_api(bw, api):
    today = today_china()
    r = api_apply(api(bw.sme), payload(bw))
    assert r.status_code == 201, r.json()
    app = r.json()
    pk = app["id"]
    assert app["status"] == "submitted" and len(app["checks"]) == 7
    clerk = api(bw.clerk)
    for c in app["checks"]:
        assert clerk.post(f"/bridge/applications/{pk}/checks/{c['id']}", {"passed": True}).status_code == 200
    assert clerk.post(f"/bridge/applications/{pk}/prepare", {"mode": "self"}).json()["status"] == "prepared"
    r = clerk.post(f"/bridge/applications/{pk}/approve", {})
    assert r.status_code == 403 and r.json()["code"] in ("manager_required", "same_maker_checker")
    assert api(bw.manager).post(f"/bridge/applications/{pk}/approve", {"note": "同意"}).json()["status"] == "approved"
    r = api(bw.banker).post(f"/bridge/applications/{pk}/bank-confirm", {
        "renewal_approval_fen": 500_000 * YUAN, "renewal_approval_no": "批1", "renewal_approval_date": today.isoformat(),
        "renewal_in_progress": True, "original_due_date": today.isoformat(), "confirmed_account": "6228-1", "term_days": 5})
    assert r.json()["status"] == "confirmed" and r.json()["confirmed_account"] == "6228-1" and r.json()["term_days"] == 5
    r = clerk.post(f"/bridge/applications/{pk}/disburse", {"account": "6228-1", "voucher": "HK1"})
    body = r.json()
    assert body["status"] == "disbursed" and body["planned_fee_fen"] == 75_000 and body["daily_rate"] == "0.0003"
    assert body["disbursed_to_account"] == "6228-1"
    dues = clerk.get(f"/bridge/applications/{pk}/dues").json()
    assert dues["fee_due_fen"] == 15_000  # same-day repayment: one day counted
    r = clerk.post(f"/bridge/applications/{pk}/repayments", {"paid_on": today.isoformat(), "principal_fen": 500_000 * YUAN,
                                                             "fee_fen": 15_000, "reference": "SK1"})
    assert r.status_code == 201 and r.json()["status"] == "repaid"


def test_errors_name_the_field_in_chinese(bw, api):
    r = api_apply(api(bw.sme), payload(bw, original_loan_type="acceptance_bill"))
    assert r.status_code == 400
    assert r.json()["field"] == "original_loan_type" and "银行承兑汇票" in r.json()["message"]
    r = api_apply(api(bw.sme), payload(bw, planned_days=11))
    assert r.json()["field"] == "planned_days" and "10 天" in r.json()["message"]
    # several broken rules: all of them, each naming its field (issue 18)
    r = api_apply(api(bw.sme), payload(bw, planned_days=11, classification="doubtful", loan_account=" "))
    assert r.status_code == 400
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("classification", "classification_not_normal"), ("loan_account", "required"), ("planned_days", "too_many_days")]
    assert "共 3 处" in r.json()["message"]


def test_members_see_only_their_own(bw, api):
    pk = api_apply(api(bw.sme), payload(bw)).json()["id"]
    assert api(bw.sme2).get(f"/bridge/applications/{pk}").status_code == 404
    assert api(bw.sme2).post(f"/bridge/applications/{pk}/withdraw", {}).status_code == 404
    assert api(bw.banker2).get(f"/bridge/applications/{pk}").status_code == 404
    assert api(bw.other_fm).post(f"/bridge/applications/{pk}/reject", {"reason": "x"}).status_code == 404
    assert [a["id"] for a in api(bw.sme2).get("/bridge/applications").json()["items"]] == []
    assert [a["id"] for a in api(bw.banker).get("/bridge/applications").json()["items"]] == [pk]
    assert api(bw.inspector).get(f"/bridge/applications/{pk}").status_code == 200
    assert api(bw.sme).get("/bridge/fund").status_code == 403
    assert api(bw.bureau).get("/bridge/fund").json()["principal_fen"] == 10_000_000 * YUAN
    # the regulator reads but cannot write
    assert api(bw.inspector).post(f"/bridge/applications/{pk}/reject", {"reason": "x"}).status_code == 403


def test_read_only_token_cannot_write(bw, api):
    from django.test import Client

    _, text = issue_api_token(bw.sme, "只读", "read")
    c = Client()
    r = c.post("/api/v1/bridge/applications", multipart_application(payload(bw)), HTTP_AUTHORIZATION=f"Bearer {text}")
    assert r.status_code == 403 and r.json()["code"] == "token_read_only"
    assert c.get("/api/v1/bridge/applications", HTTP_AUTHORIZATION=f"Bearer {text}").status_code == 200


def test_bureau_endpoints_and_exports(bw, api):
    b = api(bw.bureau)
    assert b.post("/bridge/fund/target", {"annual_turnover_target": "10"}).status_code == 200
    assert b.post("/bridge/lpr", {"effective_date": "2026-02-20", "lpr_1y": "2.95", "lpr_5y": "3.45"}).status_code == 200
    assert api(bw.manager).post("/bridge/lpr", {"effective_date": "2026-02-20", "lpr_1y": "2.95", "lpr_5y": "3.45"}).status_code == 403
    r = b.post("/bridge/fund/principal", {"kind": "contribute", "amount_fen": 100, "effective_on": today_china().isoformat(),
                                          "document_no": "追加"})
    assert r.status_code == 201 and r.json()["principal_after_fen"] == 10_000_000 * YUAN + 100
    report = generate_report(bw.clerk, year=2026, quarter=1, on=dt.date(2026, 4, 1))
    x = b.get(f"/bridge/reports/{report.pk}/xlsx")
    assert x.status_code == 200 and load_workbook(io.BytesIO(x.content)).sheetnames == ["报告", "台账"]
    p = b.get(f"/bridge/reports/{report.pk}/pdf")
    assert p.status_code == 200 and p.content.startswith(b"%PDF")
    assert api(bw.sme).get(f"/bridge/reports/{report.pk}/pdf").status_code == 403
    led = b.get("/bridge/ledger.xlsx", start="2026-01-01", end="2026-12-31")
    assert led.status_code == 200 and load_workbook(io.BytesIO(led.content))["台账"].max_row == 3  # title, header, totals
    assert b.get("/bridge/cap", on="2026-03-01", basis=365).json()["binding"] == "4x_lpr"
    assert len(b.get("/bridge/lpr").json()) == 16


@pytest.mark.parametrize("path", ["/bridge/agreements", "/bridge/checklists", "/bridge/lpr"])
def test_lists_for_members(bw, api, path):
    r = api(bw.sme).get(path)
    assert r.status_code == 200
    if path == "/bridge/agreements":
        assert r.json() == []  # a member is no bank: sees no agreement


def test_all_checks_in_one_call(bw, api):
    """Issue 18: every review point in one call, all or nothing; errors name each point's field."""
    pk = api_apply(api(bw.sme), payload(bw)).json()["id"]
    checks = api(bw.clerk).get(f"/bridge/applications/{pk}").json()["checks"]
    body = {"checks": [{"check_id": c["id"], "passed": False} for c in checks[:2]]}
    r = api(bw.clerk).post(f"/bridge/applications/{pk}/checks", body)
    assert r.status_code == 400
    assert [e["field"] for e in r.json()["errors"]] == [f"checks.{c['id']}.note" for c in checks[:2]]
    assert api(bw.other_fm).post(f"/bridge/applications/{pk}/checks", body).status_code == 404  # not its application
    r = api(bw.clerk).post(f"/bridge/applications/{pk}/checks", {"checks": [{"check_id": c["id"], "passed": True} for c in checks]})
    assert r.status_code == 200 and all(c["passed"] is True for c in r.json()["checks"])
