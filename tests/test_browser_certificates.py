"""Journey 2 in Chromium: creditor and debtor apply, the operator issues, the creditor transfers part
to a supplier (here a bank) who accepts, the PDF downloads and its QR page verifies, the debtor sees
the notice."""

import pytest

from liuzhuan.certificates.ledger.models import Piece, Transfer
from liuzhuan.certificates.paper.queries import verify_path

from .browser import browser_page, login, logout, shot  # noqa: F401 - fixture import
from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_apply_review_issue_transfer_accept(world, browser_page):  # noqa: F811
    page, base = browser_page
    page.set_viewport_size({"width": 1366, "height": 768})

    login(page, base, "alice", PASSWORD)
    page.goto(f"{base}/certificates/apply/")
    page.select_option("select[name=role]", "creditor")
    page.select_option("select[name=counterparty]", str(world.bob_org.pk))
    page.fill("input[name=contract_no]", "GC-2026-01")
    page.fill("input[name=contract_title]", "钢结构工程分包合同")
    page.fill("input[name=contract_date]", "2026-01-10")
    page.fill("input[name=amount]", "500,000.00")
    page.fill("input[name=maturity_date]", "2030-06-30")
    page.check("input[name=offset_scope][value=house]")
    page.click("button:has-text('提交申请')")
    page.wait_for_selector("text=不能申请开具凭证")  # the non-cash declaration was not ticked
    page.check("input[name=non_cash_declared]")
    page.click("button:has-text('提交申请')")
    page.wait_for_selector("text=等待对方确认")
    app_url = page.url
    page.set_input_files("input[name=file]", {"name": "钢结构工程分包合同.pdf", "mimeType": "application/pdf",
                                              "buffer": b"%PDF-1.4\n% GC-2026-01 contract\n"})
    page.click("button:has-text('上传')")
    page.wait_for_selector("text=钢结构工程分包合同.pdf")
    logout(page)

    login(page, base, "bob", PASSWORD)
    page.goto(app_url)
    page.click("text=本机构确认申请内容")
    page.wait_for_selector("text=待初审")
    logout(page)

    login(page, base, "clerk", PASSWORD)
    page.goto(app_url)
    page.select_option("select[name=action]", "approve")
    page.click("text=提交初审意见")
    page.wait_for_selector("text=初审核查清单未完成")  # the non-cash terms are not yet checked
    page.fill("input[name=note]", "合同第六条约定以商品房抵付")
    page.click("button:has-text('记录核查')")
    page.wait_for_selector("text=合同第六条约定以商品房抵付")
    page.select_option("select[name=action]", "approve")
    page.click("text=提交初审意见")
    page.wait_for_selector("text=待复核")
    logout(page)

    login(page, base, "checker", PASSWORD)
    page.goto(app_url)
    page.select_option("select[name=agree]", "yes")
    page.click("text=提交复核")
    page.wait_for_selector("text=已开具凭证")
    logout(page)

    login(page, base, "alice", PASSWORD)
    page.click("nav >> text=我的凭证")
    page.click("table a.mono >> nth=0")
    page.select_option("select[name=to_org]", str(world.bank_org.pk))
    page.fill("input[name=amount]", "120,000.50")
    page.fill("input[name=agreement_ref]", "ZR-2026-007")
    page.click("text=发起转让")
    page.wait_for_selector("text=已向 丙银行 发出转让")
    assert "¥379,999.50" in page.content() and "¥120,000.50" in page.content()
    shot(page, "certificate-member-dashboard")
    logout(page)

    login(page, base, "banker", PASSWORD)
    page.click("nav >> text=我的凭证")
    page.click("button:has-text('接收')")
    page.wait_for_selector("text=流转变更登记编号")
    offer = Transfer.objects.get()
    page.goto(f"{base}/certificates/pieces/{offer.new_piece_id}/")
    assert "权属链" in page.content() and offer.registration_no in page.content()
    shot(page, "certificate-chain-of-title")
    assert Piece.objects.get(pk=offer.new_piece_id).holder == world.bank_org
    page.goto(f"{base}/verify/{offer.new_piece.number}")  # the number alone shows nothing
    assert "核验码" in page.content() and "持有中" not in page.content()
    page.fill("input[name=code]", offer.new_piece.verify_code.lower())  # typed by hand, any case
    page.click("button:has-text('核验')")
    assert "持有中" in page.content()

    # the new holder prints the paper copy: the PDF downloads, and its QR code's page verifies
    page.goto(f"{base}/certificates/pieces/{offer.new_piece_id}/")
    # the print form opens the PDF in a new tab, which headless Chromium shows in its viewer; send the
    # form's own POST (its CSRF token, from this page) through the browser's session instead
    form = page.locator("form[action$='/pdf/']")
    pdf = page.request.post(base + form.get_attribute("action"), headers={"Referer": page.url},
                            form={"csrfmiddlewaretoken": form.locator("input[name=csrfmiddlewaretoken]").input_value()})
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF") and f"{offer.new_piece.number}.pdf" in pdf.headers["content-disposition"]
    assert Piece.objects.get(pk=offer.new_piece_id).prints == 1
    page.goto(base + verify_path(Piece.objects.get(pk=offer.new_piece_id)))
    assert "持有中" in page.content() and "¥120,000.50" in page.content()
    shot(page, "certificate-qr-verify")
    logout(page)

    # the debtor sees the notice of the assignment (债权转让通知) in its inbox
    login(page, base, "bob", PASSWORD)
    page.click("nav >> text=通知")
    page.wait_for_selector(f"text=债权转让通知：凭证 {offer.piece.certificate.number}")
    assert offer.registration_no in page.content()
    shot(page, "certificate-debtor-notice")
