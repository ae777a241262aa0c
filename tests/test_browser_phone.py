"""Browser test (issue 18): the main pages of each role on the demo data, at phone width (390×844)
and at a laptop's (1366×768), never scroll sideways; the side menu folds behind the 菜单 button on
a phone. Screenshots of every page at both widths go to test-artifacts/phone-*.png, laptop-*.png."""

import pytest
from django.core.management import call_command

from liuzhuan.bridge.models.application import Application
from liuzhuan.certificates.ledger.models import Piece
from liuzhuan.members.demo import DEMO_PASSWORD, org

from .browser import assert_no_horizontal_scroll, browser_page, login, logout, shot  # noqa: F401 - fixture import

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


def _role_pages() -> dict[str, list[str]]:
    """demo login → its main pages (lists, and the detail page a clerk works on most)."""
    piece = Piece.objects.filter(holder=org("sme01"), status="live").first()
    mine = Application.objects.filter(applicant=org("sme01")).first()
    waiting = Application.objects.filter(status="submitted").first()
    return {
        "sme01_boss": ["/", "/certificates/", f"/certificates/pieces/{piece.pk}/", f"/bridge/applications/{mine.pk}/"],
        "op_clerk": ["/", "/certificates/issued/", "/certificates/review/"],
        "bank1_zhou": ["/", "/bridge/applications/", "/certificates/lifecycle/pledges/"],
        "xc_huang": ["/bridge/overview/", "/bridge/ledger/", f"/bridge/applications/{waiting.pk}/"],
        "jg_sun": ["/supervision/", "/supervision/events/", "/certificates/issued/"],
    }


def test_main_pages_of_each_role_fit_phone_and_laptop_width(browser_page):  # noqa: F811
    call_command("demo", quiet_logins=True)
    page, base = browser_page
    for username, paths in _role_pages().items():
        page.set_viewport_size(PHONE)
        login(page, base, username, DEMO_PASSWORD)
        # on a phone the menu waits behind its button instead of taking half the width
        assert not page.locator("nav.sidenav").is_visible()
        page.click("label.nav-button")
        assert page.locator("nav.sidenav").is_visible()
        assert_no_horizontal_scroll(page, f"{username} / with the menu open")
        for path in paths:
            name = f"{username}{path.rstrip('/').replace('/', '-')}"
            page.set_viewport_size(PHONE)
            page.goto(base + path)
            assert page.locator("main h1").count() == 1, path
            assert_no_horizontal_scroll(page, f"{username} {path} at 390 px")
            shot(page, f"phone-{name}")
            page.set_viewport_size(LAPTOP)
            assert page.locator("nav.sidenav").is_visible()  # beside the content again
            assert_no_horizontal_scroll(page, f"{username} {path} at 1366 px")
            shot(page, f"laptop-{name}")
        logout(page)
