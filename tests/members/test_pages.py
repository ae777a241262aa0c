"""Pages render in Chinese per role; outsiders get 404; forms carry CSRF."""

import pytest
from django.test import Client

from ..conftest import documents_for, make_org, new_uscc


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_operator_sees_review_queue(world):
    make_org("排队公司", status="pending")
    html = _client(world.clerk).get("/members/review/").content.decode()
    assert "会员注册审核" in html and "排队公司" in html and "csrfmiddlewaretoken" in html


def test_member_cannot_open_operator_pages(world):
    c = _client(world.alice)
    assert c.get("/members/review/").status_code == 404
    assert c.get("/members/orgs/").status_code == 404
    assert c.get("/supervision/events/").status_code == 404
    assert c.get(f"/members/orgs/{world.bob_org.pk}/").status_code == 404


def test_regulator_sees_event_log_but_not_review(world):
    c = _client(world.inspector)
    assert c.get("/members/review/").status_code == 404
    html = c.get("/supervision/events/?verify=1").content.decode()  # a GET no longer starts a verification
    assert "审计日志" in html and "尚未校验过" in html and "校验通过" not in html


def test_nav_by_role(world):
    op = _client(world.clerk).get("/").content.decode()
    member = _client(world.alice).get("/").content.decode()
    assert "会员审核" in op and "会员审核" not in member
    assert "审计日志" in op and "审计日志" not in member


def test_review_form_error_in_chinese(world):
    org = make_org("待审", status="pending")
    c = _client(world.clerk)
    r = c.post(f"/members/review/{org.pk}/", {f"o{org.pk}-decision": "reject", f"o{org.pk}-method": "online", f"o{org.pk}-reason": ""}, follow=True)
    assert "必须填写意见" in r.content.decode()
    org.refresh_from_db()
    assert org.status == "pending"


def test_register_page_refuses_bad_checksum_in_chinese(world):
    r = Client().post("/members/register/", {
        "name": "页面注册公司", "org_type": "enterprise", "legal_id": "91150802MA0Q1234X0",
        "username": "pagereg", "password": "Good-Password-1", "password2": "Good-Password-1"})
    assert r.status_code == 200 and "校验位不正确" in r.content.decode()


def _uploads(org_type="enterprise"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {k: SimpleUploadedFile(f"{k}.pdf", v) for k, v in documents_for(org_type).items()}


def test_register_page_success(world):
    r = Client().post("/members/register/", {
        "name": "页面注册公司", "org_type": "enterprise", "legal_id": new_uscc(),
        "username": "pagereg", "password": "Good-Password-1", "password2": "Good-Password-1", **_uploads()})
    assert r.status_code == 302


def test_csrf_enforced_on_forms(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.clerk)
    org = make_org("待审2", status="pending")
    r = c.post(f"/members/review/{org.pk}/", {f"o{org.pk}-decision": "approve", f"o{org.pk}-method": "online"})
    assert r.status_code == 403


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/docs"])
def test_openapi_available(world, path):
    r = _client(world.alice).get(path)
    assert r.status_code == 200


def test_org_detail_manager_adds_user_via_page(world):
    c = _client(world.alice)
    r = c.post(f"/members/orgs/{world.alice_org.pk}/", {"form": "user", "u-username": "pageuser", "u-position": "staff", "u-password": "Good-Password-1"})
    assert r.status_code == 302
    r = c.post(f"/members/orgs/{world.bob_org.pk}/", {"form": "user", "u-username": "x", "u-position": "staff", "u-password": "Good-Password-1"})
    assert r.status_code == 404


def test_static_served_locally(world, client):
    html = _client(world.alice).get("/").content.decode()
    assert "/static/liuzhuan/app" in html and "http" not in html.split("<body>")[0].replace("http-equiv", "")


def test_only_most_specific_nav_entry_is_active(world):
    c = _client(world.banker)  # "/certificates/" and "/certificates/lifecycle/pledges/" both prefix the path
    html = c.get("/certificates/lifecycle/pledges/").content.decode()
    nav = html.split('<nav class="sidenav"')[1].split("</nav>")[0]
    assert nav.count('class="active"') == 1 and 'href="/certificates/lifecycle/pledges/" class="active"' in nav


@pytest.mark.parametrize("path", ["/api/v1/docs", "/login/", "/members/register/"])
def test_pages_load_nothing_from_the_internet(world, path):
    import re

    html = _client(world.alice).get(path).content.decode()
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html)


def test_organisation_list_does_not_query_per_row(world, django_assert_max_num_queries):
    for i in range(15):
        make_org(f"批量公司{i}")
    c = _client(world.clerk)
    c.get("/members/orgs/")  # warm the session
    with django_assert_max_num_queries(12):
        html = c.get("/members/orgs/").content.decode()
    assert "批量公司14" in html and html.count('class="tag"') >= 21
