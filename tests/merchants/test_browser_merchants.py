"""Browser check: a member browses the merchants and opens an item at phone width (390 px) and at
1366 px; the page never scrolls sideways; screenshots under test-artifacts/."""

import pytest

from ..browser import assert_no_horizontal_scroll, browser_page, login, shot  # noqa: F401 - fixture import
from ..conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_browse_and_item_fit_the_phone(world, market, browser_page):  # noqa: F811
    page, base = browser_page
    login(page, base, "alice", PASSWORD)
    for width, height in ((390, 844), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{base}/merchants/")
        page.wait_for_selector(f"text={market.flour.name}")
        assert_no_horizontal_scroll(page)
        shot(page, f"merchants-browse-{width}")
        page.goto(f"{base}/merchants/items/{market.flour.pk}/")
        page.wait_for_selector("form")
        assert_no_horizontal_scroll(page)
        shot(page, f"merchants-item-{width}")
