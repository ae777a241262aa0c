"""The oversight dashboard in Chromium: the ECharts trends render under the Content-Security-Policy;
journey 7: the regulator opens the dashboard, drills down from a figure and from a chart to the
list and the record, and exports the list and the report."""

import io

import pytest
from openpyxl import load_workbook

from liuzhuan.certificates.ledger.models import Piece

from .browser import browser_page, login, shot  # noqa: F401 - fixture import
from .certificates.conftest import issue
from .conftest import PASSWORD

VIEWPORT = {"width": 1366, "height": 768}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_regulator_dashboard_renders_charts(world, browser_page):  # noqa: F811
    page, base = browser_page
    page.set_viewport_size(VIEWPORT)
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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_journey_7_regulator_drills_down_and_exports(world, browser_page):  # noqa: F811
    page, base = browser_page
    page.set_viewport_size(VIEWPORT)
    issue(world, amount_fen=500_000_00)
    _cert, piece = issue(world, amount_fen=120_000_00)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    login(page, base, "inspector", PASSWORD)
    page.click("nav >> text=监管驾驶舱")
    page.wait_for_selector('[data-trend="issuance"] canvas')
    assert "监管驾驶舱 · 监管部门" in page.inner_text("h1")
    shot(page, "journey7-1-dashboard")

    # a figure → the list behind it → the single record
    row = page.locator('tr[data-figure="outstanding"]')
    assert row.locator("td.num").first.inner_text() == "2"
    row.locator("a").first.click()
    page.wait_for_url("**/supervision/pieces/?group=outstanding")
    assert page.locator("#drill-list tbody tr").count() == 2
    assert "共 2 条" in page.content()
    shot(page, "journey7-2-piece-list")
    page.click(f"#drill-list a:has-text('{piece.number}')")
    page.wait_for_url(f"**/certificates/pieces/{piece.pk}/")
    assert piece.number in page.content() and "¥120,000.00" in page.content()
    shot(page, "journey7-3-piece")

    # a chart's bar (this month) → the certificates issued in that month, filtered by industry too
    page.goto(f"{base}/supervision/")
    chart = page.locator('[data-trend="issuance"]')
    chart.locator("canvas").wait_for()
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(1200)  # the bars' entry animation
    box = chart.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 20 - (box["width"] - 90) / 24, box["y"] + box["height"] / 2)
    page.wait_for_url("**/supervision/certificates/?issued_from=*")
    assert page.locator("#drill-list tbody tr").count() == 2
    page.select_option("select[name=size]", "small")
    page.click("form.filters button")
    page.wait_for_selector("text=没有符合条件的凭证")
    page.select_option("select[name=size]", "")
    page.click("form.filters button")
    page.wait_for_selector("#drill-list a.mono")
    shot(page, "journey7-4-certificates-of-the-month")

    # the list as Excel, with the filter used in its title, and the certificate business report
    with page.expect_download() as dl:
        page.click("a[data-export]")
    ws = load_workbook(io.BytesIO(open(dl.value.path(), "rb").read())).active
    rows = list(ws.iter_rows(values_only=True))
    assert "开具日期自" in rows[0][0] and rows[1][0] == "凭证编号"
    assert len(rows) == 2 + 2 + 1 and rows[-1][0] == "合计（2 条）" and rows[-1][-1] == 620_000
    page.goto(f"{base}/supervision/")
    with page.expect_download() as dl:
        page.click("text=凭证业务报告（PDF）")
    assert open(dl.value.path(), "rb").read(4) == b"%PDF"
    assert dl.value.suggested_filename.startswith("certificate-report-")

    # another department's dashboard: the finance bureau's
    page.click('[data-dept="finance"]')
    page.wait_for_selector("#loan-figures")
    shot(page, "journey7-5-finance-dashboard")
    assert errors == []
    assert Piece.objects.count() == 2
