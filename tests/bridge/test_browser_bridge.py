"""Browser test: one bridge loan from application to repayment through the pages (screenshots
in test-artifacts/): SME applies, manager staff prepares, the 负责人 approves, the bank confirms,
staff disburses and records the repayment."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from liuzhuan.bridge.demo import material_pdf
from liuzhuan.bridge.models.application import Application
from liuzhuan.core.dates import today_china

from ..browser import browser_page, login, logout, shot  # noqa: F401 - fixture import
from ..conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_file(name: str, text: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": material_pdf(text)}


def open_app(page, base, pk):
    page.goto(f"{base}/bridge/applications/{pk}/")


def test_loan_from_application_to_repayment(bw, browser_page):  # noqa: F811
    page, base = browser_page
    page.set_viewport_size({"width": 1366, "height": 768})
    today = today_china().isoformat()

    # 1. the SME applies
    login(page, base, "jia_sme", PASSWORD)
    page.click("nav >> text=过桥业务")
    page.click("text=申请续贷过桥资金")
    page.select_option("select[name=bank_id]", str(bw.bank_org.pk))
    page.select_option("select[name=sme_size]", "small")
    page.fill("input[name=original_contract_no]", "甲银流贷〔2026〕0188")
    page.select_option("select[name=original_loan_type]", "working_capital")
    page.fill("input[name=original_due_fen]", "1,200,000")
    page.fill("input[name=original_due_date]", today)
    page.select_option("select[name=classification]", "normal")
    page.fill("input[name=loan_account]", "6228 0000 1111")
    page.fill("input[name=renewal_approval_fen]", "1,000,000")
    page.fill("input[name=renewal_approval_no]", "甲银批〔2026〕18号")
    page.fill("input[name=renewal_approval_date]", today)
    page.fill("input[name=amount_fen]", "1,000,000")
    page.fill("input[name=planned_days]", "10")
    page.fill("input[name=planned_draw_date]", today)
    page.check("input[name=purpose_confirmed]")
    for field in page.locator("input[name^='evidence.'], input[name^='materials.'][name$='.note']").all():
        field.fill("已提交原件，经核对一致")
    # 第九条: a file per checklist item; first without the licence — the page names the missing item
    page.set_input_files("input[name='materials.m1']", files=[pdf_file("apply.pdf", "application form")])
    page.click("button:has-text('提交申请')")
    page.wait_for_selector("text=请上传申请资料“营业执照”的文件")
    assert Application.objects.count() == 0
    page.set_input_files("input[name='materials.m1']", files=[pdf_file("apply.pdf", "application form")])
    page.set_input_files("input[name='materials.m2']", files=[pdf_file("licence-old.pdf", "old licence")])
    shot(page, "bridge-1-sme-apply")
    page.click("button:has-text('提交申请')")
    page.wait_for_selector("text=申请已提交")
    app = Application.objects.get()
    assert app.status == "submitted" and app.materials.count() == 2
    logout(page)

    # 1b. the first reviewer opens the licence, returns the application for correction (退回补正)
    login(page, base, "xc_maker", PASSWORD)
    open_app(page, base, app.pk)
    with page.expect_download() as dl:
        page.click("a:has-text('licence-old.pdf')")
    assert dl.value.suggested_filename == "licence-old.pdf"
    page.fill("input[name=return-reason]", "营业执照已过期，请上传最新版")
    page.click("button:has-text('退回补正')")
    page.wait_for_selector("text=已退回企业补正")
    logout(page)
    login(page, base, "jia_sme", PASSWORD)
    open_app(page, base, app.pk)
    page.wait_for_selector("#return-reason:has-text('营业执照已过期')")
    page.set_input_files("input[name='materials.m2']", files=[pdf_file("licence-new.pdf", "new licence")])
    page.fill("input[name=note]", "已换新版执照")
    page.click("button:has-text('补正并重新提交')")
    page.wait_for_selector("text=已补正并重新提交")
    app.refresh_from_db()
    assert app.status == "submitted" and app.materials.filter(replaced_at__isnull=True, original_name="licence-new.pdf").exists()
    logout(page)

    # 2. manager staff ticks every item and prepares (maker)
    login(page, base, "xc_maker", PASSWORD)
    open_app(page, base, app.pk)
    # one form for every point (issue 18): each defaults to 通过, one save
    assert page.locator("#checks select[name$='.passed']").count() == app.checks.count()
    page.click("button:has-text('保存全部审核结论')")
    page.wait_for_selector("text=个审核要点的结论")
    assert page.locator("#checks .check-ok").count() == app.checks.count()
    page.select_option("select[name=prepare-mode]", "self")
    page.fill("input[name=prepare-note]", "申请条件及资料齐全")
    page.click("button:has-text('初审通过，提交复核')")
    page.wait_for_selector("text=已初审")
    shot(page, "bridge-2-staff-prepared")
    logout(page)

    # 3. the 负责人 approves (checker, a different user)
    login(page, base, "xc_head", PASSWORD)
    open_app(page, base, app.pk)
    page.click("button:has-text('复核通过')")
    page.wait_for_selector("text=已复核通过")
    logout(page)

    # 4. the bank confirms the renewal is under way
    login(page, base, "jia_bank", PASSWORD)
    assert "待本行确认续贷" in page.content()
    open_app(page, base, app.pk)
    page.fill("input[name=bank_confirm-confirmed_account]", "6228 0000 1111")
    page.fill("input[name=bank_confirm-term_days]", "10")
    page.check("input[name=bank_confirm-renewal_in_progress]")
    page.click("button:has-text('确认续贷')")
    page.wait_for_selector("text=已确认续贷")
    logout(page)

    # 5. staff disburses to the loan account and records the repayment
    login(page, base, "xc_maker", PASSWORD)
    open_app(page, base, app.pk)
    page.fill("input[name=disburse-voucher]", "HK20260001")
    page.click("button:has-text('确认放款')")
    page.wait_for_selector("text=已放款")
    shot(page, "bridge-3-disbursed")
    page.fill("input[name=repay-reference]", "SK20260001")
    page.click("button:has-text('登记还款')")
    page.wait_for_selector("text=还款已登记")
    app.refresh_from_db()
    assert app.status == "repaid" and app.fee_paid_fen == 30_000  # same-day repayment: one day of fee
    assert "已结清" in page.content()
    shot(page, "bridge-4-repaid")
    page.click("nav >> text=过桥资金")
    page.wait_for_selector("text=风险敞口")
    shot(page, "bridge-5-overview")
    logout(page)

    # 6. the quarter's report: the loan stands repaid in this quarter's ledger (业务台账, the part of
    # the quarterly report that lists each loan; the draft itself is generated once the quarter is
    # over), on the page and in its Excel; the finance bureau's dashboard counts it and drills to it
    login(page, base, "czj", PASSWORD)
    q_start = dt.date(int(today[:4]), (int(today[5:7]) - 1) // 3 * 3 + 1, 1).isoformat()
    page.goto(f"{base}/bridge/ledger/?start={q_start}&end={today}")
    row = page.locator("table tr", has_text=app.number)
    assert "已结清" in row.inner_text()
    shot(page, "bridge-6-quarter-ledger")
    xlsx = page.request.get(f"{base}/bridge/ledger/?start={q_start}&end={today}&format=xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.body()))["台账"].iter_rows(values_only=True))
    assert rows[2][0] == app.number and rows[-1][0] == "合计（1 条）" and float(rows[-1][6]) == 1_000_000
    page.click("nav >> text=监管驾驶舱")
    assert "监管驾驶舱 · 财政局" in page.inner_text("h1")
    repaid = page.locator('tr[data-figure="loans-repaid"]')
    assert repaid.locator("td.num").first.inner_text() == "1"
    repaid.locator("a").first.click()
    page.wait_for_url("**/supervision/loans/?group=repaid")
    page.click(f"#drill-list a:has-text('{app.number}')")
    page.wait_for_url(f"**/bridge/applications/{app.pk}/")
    shot(page, "bridge-7-bureau-drilldown")

