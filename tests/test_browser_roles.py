"""Browser test: an operator and a member log in and each sees their own pages (screenshots saved)."""

import pytest

from .browser import browser_page, login, logout, shot  # noqa: F401 - fixture import
from .conftest import PASSWORD, make_org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_and_member_see_role_pages(world, browser_page, settings):  # noqa: F811
    page, base = browser_page
    # the verify button queues a task; run it at once here (the worker is tests/supervision's part)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    pending = make_org("浏览器待审公司", status="pending")
    pending.registered_by = world.clerk  # entered at the counter by the clerk (maker): the checker has the final review
    pending.save(update_fields=["registered_by"])

    login(page, base, "checker", PASSWORD)
    assert page.locator("nav.sidenav").inner_text().count("会员审核") == 1
    page.click("nav >> text=会员审核")
    assert "浏览器待审公司" in page.content()
    form = page.locator("section.card", has_text="浏览器待审公司").locator("form")
    form.locator("select[name$=decision]").select_option("approve")
    form.locator("select[name$=method]").select_option("online")
    form.locator("button").click()
    page.wait_for_selector("text=已复核")
    shot(page, "operator-review-queue")
    page.click("nav >> text=审计日志")
    page.click("text=校验完整性")
    page.wait_for_selector("text=已提交完整性校验")
    page.wait_for_selector("text=校验通过")
    assert "member.review" in page.content()
    shot(page, "operator-event-log")
    logout(page)

    login(page, base, "alice", PASSWORD)
    nav = page.locator("nav.sidenav").inner_text()
    assert "会员审核" not in nav and "审计日志" not in nav
    assert "甲公司" in page.content() and "工作台" in page.content()
    shot(page, "member-home")
    page.goto(f"{base}/members/review/")
    assert "页面不存在" in page.content() and "Not Found" not in page.content()
