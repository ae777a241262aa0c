"""Issue 19's bridge-fund controls refused through the API and the pages (the business date of both
is today, so the loans here are built around today): the account and days the bank confirms
(第十条（一）（二）), the draw tied to the maturing loan (第八条（三）), working-capital renewals
(第十条（四）), the live 30 % line (第二十二条), 本市 (第三条、第八条（一）) — and another bank may not
confirm."""

import datetime as dt

import pytest
from django.test import Client

from liuzhuan.bridge.application.rules import ELIGIBILITY_ITEMS
from liuzhuan.bridge.models.application import Application
from liuzhuan.core.dates import today_china
from liuzhuan.core.roles import Role
from liuzhuan.members.identity import make_uscc
from liuzhuan.members.models import Organisation, Position

from ..conftest import make_org, make_user
from .conftest import YUAN, api_apply, approved, confirmed, disbursed, page_files, prepared

DAY = dt.timedelta(days=1)


@pytest.fixture
def today():
    return today_china()


def client(user):
    c = Client()
    c.force_login(user)
    return c


def page(user, app, form: str, **fields):
    """Post one form of the application page as ``user``; the page's HTML (or the response on 404)."""
    data = {"form": form} | {f"{form}-{k}": v for k, v in fields.items()}
    r = client(user).post(f"/bridge/applications/{app.pk}/", data, follow=True)
    return r if r.status_code != 200 else r.content.decode()


def confirm_json(app, **over):
    return {"renewal_approval_fen": app.renewal_approval_fen, "renewal_approval_no": app.renewal_approval_no,
            "renewal_approval_date": app.renewal_approval_date.isoformat(), "renewal_in_progress": True,
            "original_due_date": app.original_due_date.isoformat(), "confirmed_account": "6228 0000 5555", "term_days": 6} | over


def confirm_form(app, **over):
    return {"renewal_approval_fen": "1,000,000", "renewal_approval_no": app.renewal_approval_no,
            "renewal_approval_date": app.renewal_approval_date.isoformat(), "classification": "normal",
            "renewal_in_progress": "on", "original_due_date": app.original_due_date.isoformat(),
            "confirmed_account": "6228 0000 5555", "term_days": "6"} | over


def apply_json(bw, today, **over):
    return dict(
        bank_id=bw.bank_org.pk, sme_size="small", original_contract_no="API-1", original_loan_type="working_capital",
        original_due_fen=500_000 * YUAN, original_due_date=today.isoformat(), classification="normal", loan_account="6228-1",
        renewal_approval_fen=500_000 * YUAN, renewal_approval_no="批1", renewal_approval_date=today.isoformat(),
        amount_fen=500_000 * YUAN, planned_days=5, planned_draw_date=today.isoformat(), purpose_confirmed=True,
        evidence={k: "已提供" for k, _ in ELIGIBILITY_ITEMS}, materials={"m1": "申请书", "m2": "执照"},
    ) | over


def apply_form(bw, today, **over):
    return {
        "bank_id": bw.bank_org.pk, "sme_size": "small", "original_contract_no": "P-1", "original_loan_type": "working_capital",
        "original_due_fen": "1,000,000", "original_due_date": today.isoformat(), "classification": "normal", "loan_account": "A-1",
        "renewal_approval_fen": "1,000,000", "renewal_approval_no": "批", "renewal_approval_date": today.isoformat(),
        "amount_fen": "1,000,000", "planned_days": "10", "planned_draw_date": today.isoformat(), "purpose_confirmed": "on",
        **{f"evidence.{k}": "有" for k, _ in ELIGIBILITY_ITEMS}, **page_files(),
    } | over


# ---------------------------------------------------------------------------------------------
# 1. Purpose: the money goes only to the account the bank confirmed (第十条（一）)
# ---------------------------------------------------------------------------------------------


def test_account_api(bw, api, today):
    app = approved(bw, on=today)
    r = api(bw.banker).post(f"/bridge/applications/{app.pk}/bank-confirm", confirm_json(app, confirmed_account=" "))
    assert r.status_code == 400 and r.json()["field"] == "confirmed_account"
    r = api(bw.banker).post(f"/bridge/applications/{app.pk}/bank-confirm", confirm_json(app))
    assert r.status_code == 200 and r.json()["confirmed_account"] == "622800005555"
    r = api(bw.clerk).post(f"/bridge/applications/{app.pk}/disburse", {"account": app.loan_account, "voucher": "V"})
    assert r.status_code == 400 and r.json()["code"] == "wrong_account" and r.json()["field"] == "account"
    r = api(bw.clerk).post(f"/bridge/applications/{app.pk}/disburse", {"account": "622800005555", "voucher": "V"})
    assert r.status_code == 200 and r.json()["disbursed_to_account"] == "622800005555"


def test_account_pages(bw, today):
    app = approved(bw, on=today)
    html = page(bw.banker, app, "bank_confirm", **confirm_form(app))
    assert "已确认续贷" in html
    app.refresh_from_db()
    assert app.confirmed_account == "622800005555" and app.term_days == 6
    html = page(bw.clerk, app, "disburse", account=app.loan_account, voucher="V")
    assert "只能划入贷款银行确认的原贷款还款账户 622800005555" in html
    app.refresh_from_db()
    assert app.status == "confirmed"
    detail = client(bw.clerk).get(f"/bridge/applications/{app.pk}/").content.decode()
    assert 'value="622800005555"' in detail and "银行确认，放款只能划入该账户" in detail


# ---------------------------------------------------------------------------------------------
# 2. The bank sets the days (第十条（二））
# ---------------------------------------------------------------------------------------------


def test_days_api(bw, api, today):
    app = approved(bw, on=today)
    r = api(bw.banker).post(f"/bridge/applications/{app.pk}/bank-confirm", confirm_json(app, term_days=11))
    assert r.status_code == 400 and r.json()["field"] == "term_days" and "10" in r.json()["message"]
    r = api(bw.banker).post(f"/bridge/applications/{app.pk}/bank-confirm", confirm_json(app, term_days=3))
    assert r.json()["term_days"] == 3 and r.json()["planned_days"] == 10
    r = api(bw.clerk).post(f"/bridge/applications/{app.pk}/disburse", {"account": "622800005555", "voucher": "V"})
    assert r.json()["due_date"] == (today + 2 * DAY).isoformat()


def test_days_pages(bw, today):
    app = approved(bw, on=today)
    html = page(bw.banker, app, "bank_confirm", **confirm_form(app, term_days="11"))
    assert "超过 10 天上限" in html
    app.refresh_from_db()
    assert app.status == "approved" and app.term_days is None


# ---------------------------------------------------------------------------------------------
# 3. The draw is tied to the maturing loan (第八条（三））
# ---------------------------------------------------------------------------------------------


def test_maturity_api(bw, api, today):
    sme = api(bw.sme)
    r = api_apply(sme, apply_json(bw, today, original_due_date=(today + 300 * DAY).isoformat()))
    assert r.status_code == 400 and r.json()["code"] == "outside_draw_window" and r.json()["field"] == "planned_draw_date"
    r = api_apply(sme, apply_json(bw, today, original_due_date=(today - 90 * DAY).isoformat()))
    assert r.status_code == 400 and r.json()["code"] == "original_overdue" and r.json()["field"] == "original_due_date"
    app = approved(bw, on=today)
    r = api(bw.banker).post(f"/bridge/applications/{app.pk}/bank-confirm",
                            confirm_json(app, original_due_date=(today - 90 * DAY).isoformat()))
    assert r.status_code == 400 and r.json()["field"] == "original_due_date" and "正常类" in r.json()["message"]
    r = api(bw.banker).post(f"/bridge/applications/{app.pk}/bank-confirm",
                            confirm_json(app, original_due_date=(today + 300 * DAY).isoformat()))
    assert r.status_code == 200
    r = api(bw.clerk).post(f"/bridge/applications/{app.pk}/disburse", {"account": "622800005555", "voucher": "V"})
    assert r.status_code == 400 and r.json()["code"] == "outside_draw_window"
    assert not Application.objects.filter(status="disbursed").exists()


def test_maturity_pages(bw, today):
    c = client(bw.sme)
    r = c.post("/bridge/apply/", apply_form(bw, today, original_due_date=(today + 300 * DAY).isoformat()))
    assert r.status_code == 200 and "个工作日" in r.content.decode()
    r = c.post("/bridge/apply/", apply_form(bw, today, original_due_date=(today - 90 * DAY).isoformat()))
    assert "已逾期，不属于正常类" in r.content.decode()
    assert not Application.objects.exists()
    app = confirmed(bw, on=today, original_contract_no="C-9")
    Application.objects.filter(pk=app.pk).update(original_due_date=today + 300 * DAY)
    html = page(bw.clerk, app, "disburse", account=app.confirmed_account, voucher="V")
    assert "超过 5 个工作日" in html


# ---------------------------------------------------------------------------------------------
# 4. The renewal is the bank's own working-capital loan (第十条（四））
# ---------------------------------------------------------------------------------------------


def test_renewal_type_api(bw, api, today):
    app = disbursed(bw, on=today)
    body = {"renewed_on": today.isoformat(), "contract_no": "XD-1", "amount_fen": app.amount_fen}
    r = api(bw.banker).post(f"/bridge/applications/{app.pk}/renewal", body | {"loan_type": "acceptance_bill"})
    assert r.status_code == 400 and r.json()["field"] == "loan_type" and "银行承兑汇票" in r.json()["message"]
    assert api(bw.banker2).post(f"/bridge/applications/{app.pk}/renewal", body | {"loan_type": "working_capital"}).status_code == 404
    r = api(bw.banker).post(f"/bridge/applications/{app.pk}/renewal", body | {"loan_type": "working_capital"})
    assert r.status_code == 200 and r.json()["renewal_loan_type"] == "working_capital"


def test_renewal_type_pages(bw, today):
    app = disbursed(bw, on=today)
    html = page(bw.banker, app, "renewal", renewed_on=today.isoformat(), contract_no="XD-1", amount_fen="1,000,000",
                loan_type="entrusted_loan")
    assert "续贷贷款仅限贷款银行自营的流动资金贷款" in html
    app.refresh_from_db()
    assert app.renewed_on is None


# ---------------------------------------------------------------------------------------------
# 5. The 30 % line checked live (第二十二条)
# ---------------------------------------------------------------------------------------------


def past_due(bw, today):
    big = 3_000_000 * YUAN  # 30 % of the fund; drawn 12 days ago for 10 days, the daily job never ran
    return disbursed(bw, on=today - 12 * DAY, amount_fen=big, original_due_fen=big, renewal_approval_fen=big,
                     original_contract_no="BIG-1")


def test_live_exposure_api(bw, api, today):
    past_due(bw, today)
    app = prepared(bw, user=bw.sme2, on=today, original_contract_no="C-2")
    r = api(bw.manager).post(f"/bridge/applications/{app.pk}/approve", {})
    assert r.status_code == 400 and r.json()["code"] == "fund_suspended"
    assert bw.refresh().status == "suspended"
    app.refresh_from_db()
    assert app.status == "prepared"


def test_live_exposure_pages(bw, today):
    past_due(bw, today)
    app = prepared(bw, user=bw.sme2, on=today, original_contract_no="C-2")
    html = page(bw.manager, app, "approve", note="同意")
    assert "续贷过桥资金业务已暂停" in html and "30%" in html
    app.refresh_from_db()
    assert app.status == "prepared" and bw.refresh().status == "suspended"


# ---------------------------------------------------------------------------------------------
# 6. 本市 (第三条、第八条（一））
# ---------------------------------------------------------------------------------------------


def outsider(today):
    org = make_org("桐城某企业", Role.MEMBER)
    Organisation.objects.filter(pk=org.pk).update(legal_id=make_uscc("91340881MA2T00001"))
    return make_user(org, "tc_boss", Position.MANAGER)


def test_locality_api(bw, api, today):
    r = api_apply(api(outsider(today)), apply_json(bw, today))
    assert r.status_code == 400 and r.json()["code"] == "not_local" and "340881" in r.json()["message"]
    r = api(bw.manager).post("/bridge/fund/region", {"region_code": "3408"})
    assert r.status_code == 403
    r = api(bw.bureau).post("/bridge/fund/region", {"region_code": "34088"})
    assert r.status_code == 400 and r.json()["field"] == "region_code"
    assert api(bw.bureau).post("/bridge/fund/region", {"region_code": "1508"}).status_code == 200
    assert api(bw.inspector).get("/bridge/fund").json()["region_code"] == "1508"
    agreements = api(bw.manager).get("/bridge/agreements").json()
    assert {a["branch_region"] for a in agreements} == {"150802"}


def test_locality_pages(bw, today):
    r = client(outsider(today)).post("/bridge/apply/", apply_form(bw, today))
    assert r.status_code == 200 and "不在本市行政区域" in r.content.decode()
    assert not Application.objects.exists()
    r = client(bw.bureau).post("/bridge/fund/", {"form": "region", "g-region_code": "34088"})
    assert r.status_code == 200 and "应为 2、4 或 6 位数字" in r.content.decode()
    client(bw.manager).post("/bridge/fund/", {"form": "region", "g-region_code": "3408"})  # not the bureau: ignored
    assert bw.refresh().region_code == "150802"
    far = make_org("桐城某银行", Role.BANK, Role.MEMBER)
    Organisation.objects.filter(pk=far.pk).update(legal_id=make_uscc("91340881MA2T00002"))
    r = client(bw.manager).post("/bridge/banks/", {
        "form": "create", "new-bank_id": far.pk, "new-number": "XQ-9", "new-signed_on": "2026-01-05", "new-valid_from": "2026-01-05",
        "new-valid_until": "2028-01-04", "new-joint_liability_principal": "on", "new-joint_liability_fee": "on"})
    assert r.status_code == 200 and "只能委托本市域内银行机构" in r.content.decode()


# ---------------------------------------------------------------------------------------------
# Wrong organisation: another bank may not confirm
# ---------------------------------------------------------------------------------------------


def test_another_bank_may_not_confirm(bw, api, today):
    app = approved(bw, on=today)
    assert api(bw.banker2).post(f"/bridge/applications/{app.pk}/bank-confirm", confirm_json(app)).status_code == 404
    r = page(bw.banker2, app, "bank_confirm", **confirm_form(app))
    assert r.status_code == 404
    assert api(bw.clerk).post(f"/bridge/applications/{app.pk}/bank-confirm", confirm_json(app)).status_code == 403
    app.refresh_from_db()
    assert app.status == "approved" and app.confirmed_account == ""
