"""Journeys of issue 16 in Chromium at 1366×768, each from a fresh database, screenshots in
test-artifacts/: (1) a firm registers at the operator's counter, the maker enters it and a different
checker approves it; (1b) a firm registers online with its licence and ID, one operator user makes
the first review and another the final one; (3) a holder pledges a piece to a bank, the bank registers it and later releases
it. Journeys 2, 6 and 7 are in test_browser_certificates.py,
bridge/test_browser_bridge.py and test_browser_supervision.py."""

import datetime as dt

import pytest

from liuzhuan.certificates.ledger.models import PieceStatus
from liuzhuan.certificates.pledge.models import Pledge
from liuzhuan.core.dates import today_china
from liuzhuan.members.models import Organisation, OrgStatus, RegistrationReview

from .browser import browser_page, login, logout, shot  # noqa: F401 - fixture import
from .certificates.conftest import issue
from .conftest import DOC_PDF, DOC_PNG, PASSWORD, new_uscc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORT = {"width": 1366, "height": 768}


def test_journey_1_firm_registers_maker_enters_checker_approves(world, browser_page):  # noqa: F811
    page, base = browser_page
    page.set_viewport_size(VIEWPORT)
    uscc = new_uscc()

    # the maker (operator staff) enters the firm's registration at the counter (现场注册)
    login(page, base, "clerk", PASSWORD)
    page.goto(f"{base}/members/orgs/new/")
    page.fill("input[name=name]", "旅程一机械制造有限公司")
    page.select_option("select[name=org_type]", "enterprise")
    page.fill("input[name=legal_id]", uscc)
    page.fill("input[name=legal_representative]", "周建国")
    page.fill("input[name=contact_phone]", "0556-1234567")
    page.select_option("select[name=industry]", "C")
    page.select_option("select[name=enterprise_size]", "small")
    page.fill("input[name=username]", "zhou_mfg")
    page.fill("input[name=display_name]", "周建国")
    page.fill("input[name=password]", "Journey-One-2026")
    page.fill("input[name=password2]", "Journey-One-2026")
    shot(page, "journey1-1-maker-enters")
    page.click("main button:has-text('保存')")
    page.wait_for_selector("text=已录入：旅程一机械制造有限公司（待审核）")
    org = Organisation.objects.get(legal_id=uscc)
    assert org.status == OrgStatus.PENDING and org.registered_by.username == "clerk"

    # the maker may not approve what they entered: the queue offers them no review form for it
    page.click("nav >> text=会员审核")
    card = page.locator("section.card", has_text="旅程一机械制造有限公司")
    assert "须由另一名工作人员复核" in card.inner_text() and card.locator("select[name$=decision]").count() == 0
    org.refresh_from_db()
    assert org.status == OrgStatus.PENDING and not RegistrationReview.objects.filter(organisation=org).exists()
    shot(page, "journey1-2-maker-refused")
    logout(page)

    # the checker (a different operator user) approves
    login(page, base, "checker", PASSWORD)
    page.click("nav >> text=会员审核")
    card = page.locator("section.card", has_text="旅程一机械制造有限公司")
    card.locator("select[name$=decision]").select_option("approve")
    card.locator("select[name$=method]").select_option("on_site")
    card.locator("button").click()
    page.wait_for_selector("text=已复核：旅程一机械制造有限公司 — 通过")
    org.refresh_from_db()
    assert org.status == OrgStatus.ACTIVE
    assert RegistrationReview.objects.get(organisation=org).reviewer.username == "checker"
    shot(page, "journey1-3-checker-approved")
    logout(page)

    # the firm signs in to its workbench
    login(page, base, "zhou_mfg", "Journey-One-2026")
    assert "旅程一机械制造有限公司" in page.content() and "工作台" in page.content()
    shot(page, "journey1-4-firm-home")


def _review_in_queue(page, name: str, decision: str = "approve", reason: str = "") -> None:
    page.click("nav >> text=会员审核")
    card = page.locator("section.card", has_text=name)
    card.locator("select[name$=decision]").select_option(decision)
    card.locator("select[name$=method]").select_option("online")
    if reason:
        card.locator("input[name$=reason]").fill(reason)
    card.locator("button").click()


def test_journey_1b_firm_registers_online_with_documents_two_person_review(world, browser_page):  # noqa: F811
    page, base = browser_page
    page.set_viewport_size(VIEWPORT)
    uscc = new_uscc()
    name = "旅程一网上注册商贸有限公司"

    # the firm registers itself online and must upload its licence and its legal representative's ID
    page.goto(f"{base}/members/register/")
    page.fill("input[name=name]", name)
    page.select_option("select[name=org_type]", "enterprise")
    page.fill("input[name=legal_id]", uscc)
    page.fill("input[name=legal_representative]", "吴海")
    page.fill("input[name=username]", "wu_trade")
    page.fill("input[name=password]", "Journey-Web-2026")
    page.fill("input[name=password2]", "Journey-Web-2026")
    page.set_input_files("input[name=business_licence]", {"name": "licence.pdf", "mimeType": "application/pdf", "buffer": DOC_PDF})
    page.click("main button:has-text('提交注册')")
    page.wait_for_selector("text=请上传法定代表人身份证件")
    assert not Organisation.objects.filter(legal_id=uscc).exists()
    page.fill("input[name=password]", "Journey-Web-2026")
    page.fill("input[name=password2]", "Journey-Web-2026")
    page.set_input_files("input[name=business_licence]", {"name": "licence.pdf", "mimeType": "application/pdf", "buffer": DOC_PDF})
    page.set_input_files("input[name=legal_rep_id]", {"name": "id.png", "mimeType": "image/png", "buffer": DOC_PNG})
    shot(page, "journey1b-1-online-register-with-documents")
    page.click("main button:has-text('提交注册')")
    page.wait_for_selector("text=注册已提交")
    org = Organisation.objects.get(legal_id=uscc)
    assert org.status == OrgStatus.PENDING and org.documents.count() == 2

    # the clerk makes the first review (初审) and may not also make the final one
    login(page, base, "clerk", PASSWORD)
    _review_in_queue(page, name)
    page.wait_for_selector(f"text=初审通过：{name}")
    card = page.locator("section.card", has_text=name)
    assert "待复核" in card.inner_text() and card.locator("select[name$=decision]").count() == 0
    doc_link = card.locator("a:has-text('查看')").first.get_attribute("href")
    assert page.request.get(f"{base}{doc_link}").status == 200
    shot(page, "journey1b-2-first-review-done")
    logout(page)

    # another operator user makes the final review (复核)
    login(page, base, "checker", PASSWORD)
    _review_in_queue(page, name)
    page.wait_for_selector(f"text=已复核：{name} — 通过")
    org.refresh_from_db()
    assert org.status == OrgStatus.ACTIVE
    assert [r.stage for r in RegistrationReview.objects.filter(organisation=org).order_by("id")] == ["first", "final"]
    shot(page, "journey1b-3-final-review-approved")
    logout(page)


def test_journey_3_holder_pledges_bank_registers_then_releases(world, browser_page):  # noqa: F811
    page, base = browser_page
    page.set_viewport_size(VIEWPORT)
    _cert, piece = issue(world, amount_fen=800_000_00)
    today = today_china()

    login(page, base, "alice", PASSWORD)
    page.goto(f"{base}/certificates/lifecycle/pieces/{piece.pk}/")
    page.select_option("select[name=pledgee]", str(world.bank_org.pk))
    page.fill("input[name=amount]", "300,000.00")
    page.fill("input[name=contract_ref]", "ZY-2026-031")
    page.fill("input[name=secured]", "250,000.00")
    page.fill("input[name=start_date]", today.isoformat())
    page.fill("input[name=end_date]", (today + dt.timedelta(days=180)).isoformat())
    page.click("button:has-text('发起质押')")
    page.wait_for_selector("text=等待质权人录入统一登记编号后生效")
    pledge = Pledge.objects.get()
    shot(page, "journey3-1-pledge-requested")
    logout(page)

    login(page, base, "banker", PASSWORD)
    page.goto(f"{base}/certificates/lifecycle/pledges/{pledge.pk}/")
    page.fill("input[name=registration_no]", "ZD-2026-000731")
    page.fill("input[name=registration_date]", today.isoformat())
    page.click("button:has-text('录入登记，质押生效')")
    page.wait_for_selector("text=已登记生效")
    pledge.refresh_from_db()
    assert pledge.status == "effective" and pledge.piece.status == PieceStatus.PLEDGED
    shot(page, "journey3-2-bank-registered")

    page.fill("section:has-text('解押') input[name=reason]", "主债务已清偿")
    page.click("button:has-text('解除质押')")
    page.wait_for_selector("text=已解除")
    pledge.refresh_from_db()
    assert pledge.status == "released" and pledge.piece.status == PieceStatus.LIVE
    shot(page, "journey3-3-bank-released")
    logout(page)

    login(page, base, "alice", PASSWORD)
    page.goto(f"{base}/certificates/pieces/{pledge.piece_id}/")
    assert "持有中" in page.content()
