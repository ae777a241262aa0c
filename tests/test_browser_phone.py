"""Browser test (issue 18): the main pages of each role on the demo data, at phone width (390×844)
and at a laptop's (1366×768), never scroll sideways; the side menu folds behind the 菜单 button on
a phone — the set-off register, runs and loop agreements (journey 5) and the housing pool
(journey 4) included. Screenshots of every page at both widths go to test-artifacts/phone-*.png, laptop-*.png."""

import numpy as np
import pytest
from django.core.management import call_command

from liuzhuan.bridge.models.application import Application
from liuzhuan.certificates.ledger.models import Piece
from liuzhuan.housing.models import HousingTransaction, Unit
from liuzhuan.members.demo import DEMO_PASSWORD, org
from liuzhuan.setoff.models import RunParty, SetoffRun

from .browser import assert_no_horizontal_scroll, browser_page, login, logout, shot  # noqa: F401 - fixture import

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


def _role_pages() -> dict[str, list[str]]:
    """demo login → its main pages (lists, and the detail page a clerk works on most)."""
    piece = Piece.objects.filter(holder=org("sme01"), status="live").first()
    mine = Application.objects.filter(applicant=org("sme01")).first()
    waiting = Application.objects.filter(status="submitted").first()
    run = SetoffRun.objects.order_by("id").first()
    sme01_loops = np.frombuffer(bytes(RunParty.objects.get(run=run, organisation=org("sme01")).loops), dtype=np.int32)
    loop_id = run.agreement_base + int(sme01_loops[0]) + 1  # a proposed loop has no row yet (setoff/proposals.py)
    sale = HousingTransaction.objects.order_by("id").first()
    return {
        "sme01_boss": ["/", "/certificates/", f"/certificates/pieces/{piece.pk}/", f"/bridge/applications/{mine.pk}/",
                       "/setoff/", "/setoff/agreements/", f"/setoff/agreements/{loop_id}/"],
        "op_clerk": ["/", "/certificates/issued/", "/certificates/review/", "/setoff/runs/", f"/setoff/runs/{run.pk}/"],
        # journey 4's pages: the housing pool, a unit and a certificate offset's registration steps
        "hp_chen": ["/housing/", f"/housing/units/{Unit.objects.order_by('id').first().pk}/", "/housing/transactions/",
                    f"/housing/transactions/{sale.pk}/"],
        "zjj_ma": ["/housing/dashboard/"],
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
