"""Journeys of issue 16 in Chromium at 1366×768, each from a fresh database, screenshots in
test-artifacts/: (1) a firm registers at the operator's counter, the maker enters it and a different
checker approves it. Journeys 2, 6 and 7 are in test_browser_certificates.py,
bridge/test_browser_bridge.py and test_browser_supervision.py."""

import pytest

from liuzhuan.members.models import Organisation, OrgStatus, RegistrationReview

from .browser import browser_page, login, logout, shot  # noqa: F401 - fixture import
from .conftest import PASSWORD, new_uscc

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

    # the maker may not approve what they entered
    page.click("nav >> text=会员审核")
    card = page.locator("section.card", has_text="旅程一机械制造有限公司")
    card.locator("select[name$=decision]").select_option("approve")
    card.locator("select[name$=method]").select_option("on_site")
    card.locator("button").click()
    page.wait_for_load_state()
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
    page.wait_for_selector("text=已审核")
    org.refresh_from_db()
    assert org.status == OrgStatus.ACTIVE
    assert RegistrationReview.objects.get(organisation=org).reviewer.username == "checker"
    shot(page, "journey1-3-checker-approved")
    logout(page)

    # the firm signs in to its workbench
    login(page, base, "zhou_mfg", "Journey-One-2026")
    assert "旅程一机械制造有限公司" in page.content() and "工作台" in page.content()
    shot(page, "journey1-4-firm-home")
