"""Browser test: prefilled date fields are submitted as they are (no retyping the date)."""

import pytest

from liuzhuan.certificates.pledge.models import Pledge
from liuzhuan.core.dates import today_china

from .browser import browser_page, login, logout, shot  # noqa: F401 - fixture import
from .certificates.conftest import issue
from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_prefilled_dates_submit_as_they_are(world, browser_page, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    _, piece = issue(world)
    page, base = browser_page
    today = today_china()

    login(page, base, "alice", PASSWORD)
    page.goto(f"{base}/certificates/lifecycle/pieces/{piece.pk}/")
    # Chromium shows a date input blank unless its value is ISO; the default must be visible as is
    assert page.input_value("input[name=start_date]") == today.isoformat()
    page.select_option("select[name=pledgee]", str(world.bank_org.pk))
    page.fill("input[name=amount]", "100,000.00")
    page.fill("input[name=contract_ref]", "ZY-HT-2026-01")
    page.fill("input[name=secured]", "80,000.00")
    page.fill("input[name=end_date]", today.replace(year=today.year + 1).isoformat())
    page.click("button:has-text('发起质押')")
    page.wait_for_selector("text=已发起质押")
    assert "这个字段是必填项" not in page.content()
    p = Pledge.objects.get()
    assert p.start_date == today
    logout(page)

    login(page, base, "banker", PASSWORD)
    page.goto(f"{base}/certificates/lifecycle/pledges/{p.pk}/")
    assert page.input_value("input[name=registration_date]") == today.isoformat()
    page.fill("input[name=registration_no]", "0123456789ABCDEF")
    page.click("button:has-text('录入登记')")
    page.wait_for_selector(f"text=质押 {p.number} 已登记生效")
    shot(page, "pledge-registered-with-default-date")
    p.refresh_from_db()
    assert p.registration_date == today


def test_organisation_picker_suggests_as_the_clerk_types(world, browser_page, settings, tmp_path, monkeypatch):  # noqa: F811
    """With a large register the transferee is typed: the suggestions come from /members/lookup/
    (a script from the site itself, under the Content-Security-Policy) and the code picked is sent."""
    from liuzhuan.certificates.ledger.models import Transfer
    from liuzhuan.members.forms import OrganisationPicker

    monkeypatch.setattr(OrganisationPicker, "SELECT_LIMIT", 2)
    settings.MEDIA_ROOT = tmp_path
    _, piece = issue(world)
    page, base = browser_page
    login(page, base, "alice", PASSWORD)
    page.goto(f"{base}/certificates/pieces/{piece.pk}/")
    box = page.locator("input[name=to_org]")
    box.press_sequentially("戊公", delay=50)
    option = page.locator("#id_to_org-options option")
    option.first.wait_for(state="attached")
    assert option.count() == 1 and option.first.get_attribute("value") == world.carol_org.legal_id
    box.fill(option.first.get_attribute("value"))  # what choosing the suggestion puts in the box
    page.fill("input[name=amount]", "1,000.00")
    page.fill("input[name=agreement_ref]", "ZR-PICK-1")
    shot(page, "organisation-picker-typed")
    page.click("button:text-is('发起转让')")
    page.wait_for_selector("text=已向 戊公司 发出转让")
    assert Transfer.objects.get().to_org_id == world.carol_org.pk
