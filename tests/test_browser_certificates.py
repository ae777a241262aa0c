"""Browser test: a certificate from joint application to a split transfer accepted by a bank."""

import pytest

from liuzhuan.certificates.ledger.models import Piece, Transfer

from .browser import browser_page, login, logout, shot  # noqa: F401 - fixture import
from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_apply_review_issue_transfer_accept(world, browser_page):  # noqa: F811
    page, base = browser_page

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
    assert "不能申请开具凭证" in page.content()  # the non-cash declaration was not ticked
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
    assert "初审核查清单未完成" in page.content()  # the non-cash terms are not yet checked
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
