"""Content-Security-Policy: every answer carries it, and the pages still work under it in Chromium
(no inline scripts or <style> blocks, nothing from the internet)."""

import pytest
from django.test import Client

from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.setoff.register import actions as register

from .browser import browser_page, login, logout, shot  # noqa: F401 - fixture import
from .certificates.conftest import issue
from .conftest import PASSWORD


def test_every_answer_carries_the_policy(world):
    c = Client()
    for r in (c.get("/login/"), c.get("/api/v1/me"), c.get("/verify/LZ2026000001K-001"),
              c.post("/api/v1/certificates/applications", data=b"x", content_type="application/json",
                     HTTP_CONTENT_LENGTH=str(10**12))):
        policy = r["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src-attr")[0]
        assert "frame-ancestors 'none'" in policy


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_work_under_the_policy(world, browser_page):  # noqa: F811
    page, base = browser_page
    _, piece = issue(world)
    circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, 100_000_00, "ZR-CSP-1")
    register.register_one(world.alice, creditor=world.alice_org.legal_id, debtor=world.carol_org.legal_id,
                          amount_fen=100_00, basis="HT-CSP")
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: violations.append(str(e)))

    login(page, base, "carol", PASSWORD)
    page.goto(f"{base}/certificates/")
    page.check("#select-all-offers")  # the select-all script (no inline handler) ticks the rows
    assert page.locator("input.offer-pick").first.is_checked()
    page.goto(f"{base}/setoff/?side=awaiting")  # the register's select-all (was an inline onclick)
    page.check("input[data-select-all]")
    assert page.locator("input[name=ids]").first.is_checked()
    for path in ("/setoff/runs/", "/bridge/overview/", "/members/tokens/"):
        page.goto(f"{base}{path}")
    logout(page)
    login(page, base, "checker", PASSWORD)
    for path in ("/supervision/events/", "/bridge/fund/", "/setoff/runs/"):
        page.goto(f"{base}{path}")
    page.goto(f"{base}/api/v1/docs")
    page.wait_for_selector("#swagger-ui .opblock", timeout=20000)  # Swagger UI renders under the policy
    shot(page, "api-docs-under-csp")
    assert violations == []
