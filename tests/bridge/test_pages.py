"""Bridge pages: Chinese, per role, 404 for outsiders, form errors under the field."""

import datetime as dt

import pytest
from django.test import Client

from liuzhuan.bridge.application.actions import review_check
from liuzhuan.bridge.application.rules import ELIGIBILITY_ITEMS
from liuzhuan.bridge.reports.actions import generate_report
from liuzhuan.core.dates import today_china

from .conftest import disbursed, page_files, submitted


def client(user):
    c = Client()
    c.force_login(user)
    return c


OVERSIGHT = ["/bridge/overview/", "/bridge/ledger/", "/bridge/banks/", "/bridge/rates/", "/bridge/fund/", "/bridge/checklist/",
             "/bridge/recovery/", "/bridge/revenue/", "/bridge/reports/", "/bridge/oversight/"]


@pytest.mark.parametrize("who", ["manager", "clerk", "bureau", "inspector"])
def test_oversight_pages_render(bw, who):
    disbursed(bw)
    c = client(getattr(bw, who))
    for path in OVERSIGHT:
        r = c.get(path)
        assert r.status_code == 200, path
        assert "续贷" in r.content.decode() or "过桥" in r.content.decode() or "LPR" in r.content.decode()


@pytest.mark.parametrize("who", ["sme", "banker", "other_fm", "other_bureau"])
def test_oversight_pages_404_for_others(bw, who):
    c = client(getattr(bw, who))
    for path in OVERSIGHT:
        assert c.get(path).status_code == 404, path


def test_application_detail_visibility(bw):
    app = submitted(bw)
    assert client(bw.sme).get(f"/bridge/applications/{app.pk}/").status_code == 200
    assert client(bw.sme2).get(f"/bridge/applications/{app.pk}/").status_code == 404
    assert client(bw.banker2).get(f"/bridge/applications/{app.pk}/").status_code == 404
    html = client(bw.bureau).get(f"/bridge/applications/{app.pk}/").content.decode()
    assert "申请条件（第八条）" in html and 'name="form"' not in html  # the bureau reads, never acts


def test_apply_page_error_in_chinese_under_the_field(bw):
    today = today_china()
    c = client(bw.sme)
    html = c.get("/bridge/apply/").content.decode()
    assert "申请续贷过桥资金" in html and bw.bank_org.name in html and "营业执照" in html
    data = {
        "bank_id": bw.bank_org.pk, "sme_size": "small", "original_contract_no": "P-1", "original_loan_type": "acceptance_bill",
        "original_due_fen": "1,000,000", "original_due_date": today.isoformat(), "classification": "normal", "loan_account": "A-1",
        "renewal_approval_fen": "1,000,000", "renewal_approval_no": "批", "renewal_approval_date": today.isoformat(),
        "amount_fen": "1,000,000", "planned_days": "10", "planned_draw_date": today.isoformat(), "purpose_confirmed": "on",
        **{f"evidence.{k}": "有" for k, _ in ELIGIBILITY_ITEMS},
    }
    r = c.post("/bridge/apply/", data | page_files())
    assert r.status_code == 200 and "不含银行承兑汇票" in r.content.decode()
    # every broken rule at once, each under its own field (issue 18)
    r = c.post("/bridge/apply/", data | {"classification": "doubtful", "planned_days": "12"} | page_files())
    html = r.content.decode()
    assert "不含银行承兑汇票" in html and "须为正常类" in html and "超过 10 天上限" in html
    assert html.count('class="error"') >= 3
    r = c.post("/bridge/apply/", data | {"original_loan_type": "working_capital"} | page_files(), follow=True)
    assert "申请已提交" in r.content.decode()


def test_maker_checker_forms_on_the_detail_page(bw):
    app = submitted(bw)
    for chk in app.checks.all():
        review_check(bw.clerk, app.pk, chk.pk, passed=True)
    c = client(bw.clerk)
    r = c.post(f"/bridge/applications/{app.pk}/", {"form": "prepare", "prepare-mode": "self", "prepare-note": "齐全"}, follow=True)
    assert "已初审" in r.content.decode()
    assert "复核通过" not in client(bw.clerk).get(f"/bridge/applications/{app.pk}/").content.decode()
    r = client(bw.manager).post(f"/bridge/applications/{app.pk}/", {"form": "approve", "approve-note": ""}, follow=True)
    assert "已复核通过" in r.content.decode()
    # the bank's form refuses without the renewal confirmation, in Chinese under the field
    r = client(bw.banker).post(f"/bridge/applications/{app.pk}/", {
        "form": "bank_confirm", "bank_confirm-renewal_approval_fen": "1,000,000", "bank_confirm-renewal_approval_no": "批",
        "bank_confirm-renewal_approval_date": dt.date(2026, 2, 27).isoformat(), "bank_confirm-classification": "normal"})
    assert r.status_code == 200 and "正在办理续贷手续" in r.content.decode()


def test_report_downloads_from_pages(bw):
    report = generate_report(bw.clerk, year=2026, quarter=1, on=dt.date(2026, 4, 1))
    c = client(bw.bureau)
    assert c.get(f"/bridge/reports/{report.pk}/").status_code == 200
    assert c.get(f"/bridge/reports/{report.pk}/pdf").content.startswith(b"%PDF")
    assert c.get(f"/bridge/reports/{report.pk}/xlsx").status_code == 200
    assert client(bw.sme).get(f"/bridge/reports/{report.pk}/pdf").status_code == 404
    assert c.get("/bridge/ledger/?start=2026-01-01&end=2026-12-31&format=xlsx").status_code == 200


def test_nav_and_dashboard(bw):
    html = client(bw.manager).get("/").content.decode()
    nav = html.split('<nav class="sidenav"')[1].split("</nav>")[0]
    assert "过桥资金" in nav and "过桥业务" not in nav and "风险敞口" in html
    overview = client(bw.manager).get("/bridge/", follow=True).content.decode()
    assert "季度报告" in overview and "合作银行" in overview  # the overview's tabs reach every manager page
    html = client(bw.sme).get("/").content.decode()
    nav = html.split('<nav class="sidenav"')[1].split("</nav>")[0]
    assert "过桥业务" in nav and "过桥资金" not in nav and "季度报告" not in html and "申请续贷过桥资金" in html
