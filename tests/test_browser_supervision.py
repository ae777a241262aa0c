"""The oversight dashboard in Chromium: the ECharts trends render under the Content-Security-Policy."""

import pytest

from .browser import browser_page, login, shot  # noqa: F401 - fixture import
from .certificates.conftest import issue
from .conftest import PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_regulator_dashboard_renders_charts(world, browser_page):  # noqa: F811
    page, base = browser_page
    issue(world)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: violations.append(str(e)))
    login(page, base, "inspector", PASSWORD)
    page.goto(f"{base}/supervision/")
    page.wait_for_selector('[data-trend="issuance"] canvas')
    assert page.locator("[data-trend] canvas").count() == 3
    assert page.locator('tr[data-figure="issued"] td.num').first.inner_text() == "1"
    shot(page, "supervision-dashboard")
    assert violations == []
