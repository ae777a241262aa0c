"""Playwright helpers for browser tests: Debian's /usr/bin/chromium, headless, no network."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("LIUZHUAN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def chromium_or_skip() -> str:
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} missing in CI: .ci/run must install Debian chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); .ci/run installs it")
    return CHROMIUM


@pytest.fixture
def browser_page(live_server, monkeypatch):
    """A fresh page on the live server; DB access from the test thread is allowed."""
    exe = chromium_or_skip()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, headless=True, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page, live_server.url
        context.close()
        browser.close()
        # Inside Playwright's sync API the test body runs in another greenlet, which has its own
        # context variables and so its own database connection; close it here, or PostgreSQL
        # refuses to drop the test database at the end of the session.
        from django.db import connections

        connections.close_all()


def login(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def logout(page) -> None:
    page.click("text=退出")
    page.wait_for_selector("text=登录")


def shot(page, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_no_horizontal_scroll(page, where: str = "") -> None:
    """The page fits the viewport's width: wide tables may scroll inside their own box, the page
    itself never scrolls sideways (issue 18: at 390 px a piece page was 1008 px wide)."""
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{where or page.url}: page is {scroll} px wide in a {inner} px viewport"
