"""Browser test: a holder takes a pool unit with certificate credit (390 px wide), screenshots
under test-artifacts/."""

import pytest

from liuzhuan.housing.models import HousingTransaction

from ..browser import assert_no_horizontal_scroll, browser_page, login, shot  # noqa: F401 - fixture import
from ..conftest import PASSWORD
from .conftest import add_unit, owed_certificate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_holder_takes_a_unit_with_certificate_credit(world, pool, browser_page):  # noqa: F811
    page, base = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    unit = add_unit(pool)
    _c, piece = owed_certificate(world, pool)
    login(page, base, "alice", PASSWORD)
    page.goto(f"{base}/housing/")
    page.wait_for_selector("text=河畔花园")
    assert_no_horizontal_scroll(page)
    shot(page, "housing-pool-390")
    page.click(f"text={unit.number}")
    page.click("button:has-text('以凭证认购此房源')")
    page.wait_for_selector("text=登记事项清单")
    page.select_option("select[name=piece_id]", str(piece.pk))
    page.fill("input[name=amount_fen]", "500,000.00")
    page.click("button:has-text('加入抵付')")
    page.wait_for_selector("text=已登记")
    shot(page, "housing-offset-transaction-390")
    tx = HousingTransaction.objects.get(unit=unit)
    assert tx.shares.get().amount_fen == 500_000_00
    # the base layout folds its menu at phone width; the housing tables scroll inside their box
    assert page.locator(".table-wrap").count() >= 2
    assert_no_horizontal_scroll(page)
    page.goto(f"{base}/housing/units/{unit.pk}/")
    assert_no_horizontal_scroll(page)
    shot(page, "housing-unit-390")
