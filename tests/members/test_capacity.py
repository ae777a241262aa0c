"""Full civil capacity (「具备完全民事权利能力和行为能力」, 000 二(二)): a natural person under 18 by the
ID number's birth date is refused at registration and again at approval, on the business date; a
natural person declares capacity when registering (issue 19 item 10)."""

import datetime as dt

import pytest
from django.test import Client

from liuzhuan.core.errors import DomainError
from liuzhuan.core.models import AuditEvent
from liuzhuan.members import actions
from liuzhuan.members.identity import check_full_capacity, last_minor_day, make_ric
from liuzhuan.members.models import Organisation, OrgStatus, RegistrationReview, User

from ..conftest import PASSWORD, approve_registration, documents_for, make_org
from .test_pages import _uploads

CHILD = make_ric("11010120150601003")  # born 2015-06-01
ADULT = make_ric("11010119900315004")  # born 1990-03-15
LEAP = make_ric("11010120080229005")  # born 2008-02-29


def _person(legal_id=ADULT, **kw):
    base = dict(name="张三", org_type="person", legal_id=legal_id, username="zhangsan", password=PASSWORD,
                display_name="张三", capacity_declared=True)
    base.update(kw)
    return actions.RegistrationInput(**base)


def _snapshot():
    return Organisation.objects.count(), User.objects.count(), AuditEvent.objects.count()


def test_of_age_from_the_day_after_the_eighteenth_birthday():
    born = dt.date(2008, 6, 1)
    assert last_minor_day(born) == dt.date(2026, 6, 1)
    with pytest.raises(DomainError) as exc:
        check_full_capacity("person", make_ric("11010120080601006"), dt.date(2026, 6, 1))
    assert exc.value.code == "person_minor" and exc.value.field == "legal_id" and "未满18周岁" in exc.value.message
    check_full_capacity("person", make_ric("11010120080601006"), dt.date(2026, 6, 2))
    # born 29 February: the period ends on 28 February of a common year (Civil Code art. 202)
    assert last_minor_day(dt.date(2008, 2, 29)) == dt.date(2026, 2, 28)
    with pytest.raises(DomainError):
        check_full_capacity("person", LEAP, dt.date(2026, 2, 28))
    check_full_capacity("person", LEAP, dt.date(2026, 3, 1))
    check_full_capacity("enterprise", "anything", dt.date(2026, 3, 1))  # organisations pass


def test_a_child_born_in_2015_is_refused_and_nothing_changes(world):
    before = _snapshot()
    with pytest.raises(DomainError) as exc:
        actions.register_organisation(None, _person(CHILD), documents_for("person"))
    assert (exc.value.code, exc.value.field) == ("person_minor", "legal_id") and "2015-06-01" in exc.value.message
    with pytest.raises(DomainError):  # on site by the operator too
        actions.register_organisation(world.clerk, _person(CHILD, username="", password=""))
    assert _snapshot() == before


def test_the_business_date_decides(world, monkeypatch):
    monkeypatch.setattr(actions, "today_china", lambda: dt.date(2033, 6, 1))  # the 18th birthday: still a minor
    with pytest.raises(DomainError):
        actions.register_organisation(None, _person(CHILD), documents_for("person"))
    monkeypatch.setattr(actions, "today_china", lambda: dt.date(2033, 6, 2))
    org = actions.register_organisation(None, _person(CHILD), documents_for("person"))
    assert org.status == OrgStatus.PENDING


def test_a_natural_person_must_declare_capacity(world):
    before = _snapshot()
    with pytest.raises(DomainError) as exc:
        actions.register_organisation(None, _person(capacity_declared=False), documents_for("person"))
    assert (exc.value.code, exc.value.field) == ("capacity_declaration_required", "capacity_declared")
    assert _snapshot() == before
    org = actions.register_organisation(None, _person(), documents_for("person"))
    assert org.capacity_declared_at is not None
    ev = AuditEvent.objects.get(action="member.register")
    assert ev.summary["after"]["capacity_declared"] is True
    assert org.birth_date == dt.date(1990, 3, 15)


def test_approval_checks_the_age_again(world):
    """A minor's registration that got in before the control (or by any other path) is not approved."""
    child = make_org("李小明", status=OrgStatus.PENDING, org_type="person")
    Organisation.objects.filter(pk=child.pk).update(legal_id=CHILD, capacity_declared_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(DomainError) as exc:
        actions.first_review_registration(world.clerk, child.pk, "approve", "online")
    assert exc.value.code == "person_minor"
    child.refresh_from_db()
    assert child.status == OrgStatus.PENDING and not RegistrationReview.objects.filter(organisation=child).exists()
    # rejecting it needs no age check
    actions.first_review_registration(world.checker, child.pk, "reject", "online", "未满18周岁")


def test_approval_needs_the_declaration_and_resubmission_records_it(world):
    from ..conftest import make_user

    adult = make_org("王五", status=OrgStatus.PENDING, org_type="person")  # registered before the declaration existed
    with pytest.raises(DomainError) as exc:
        actions.first_review_registration(world.clerk, adult.pk, "approve", "online")
    assert (exc.value.code, exc.value.field) == ("capacity_declaration_required", "capacity_declared")
    actions.first_review_registration(world.clerk, adult.pk, "request_info", "online", "请声明民事行为能力")
    manager = make_user(adult, "wangwu", "manager")
    with pytest.raises(DomainError) as exc:
        actions.resubmit_registration(manager, {"address": "临河区"})
    assert exc.value.field == "capacity_declared"
    actions.resubmit_registration(manager, {"address": "临河区", "capacity_declared": True})
    adult.refresh_from_db()
    assert adult.status == OrgStatus.PENDING and adult.capacity_declared_at is not None
    approve_registration(world, adult.pk)
    adult.refresh_from_db()
    assert adult.status == OrgStatus.ACTIVE


def test_api_refuses_a_minor_and_a_missing_declaration(world, api):
    client = api()
    body = {"name": "张三", "org_type": "person", "legal_id": CHILD, "username": "apichild", "password": PASSWORD,
            "capacity_declared": True}
    r = client.upload("/registrations", body, documents_for("person"), csrf=False)
    assert r.status_code == 400 and r.json()["field"] == "legal_id" and "未满18周岁" in r.json()["message"]
    r = client.upload("/registrations", {**body, "legal_id": ADULT, "capacity_declared": False}, documents_for("person"), csrf=False)
    assert r.status_code == 400 and r.json()["field"] == "capacity_declared"
    r = client.upload("/registrations", {**body, "legal_id": ADULT}, documents_for("person"), csrf=False)
    assert r.status_code == 201 and r.json()["capacity_declared_at"]
    assert not Organisation.objects.filter(legal_id=CHILD).exists()


def test_api_approval_of_a_minor_is_refused_and_other_org_forbidden(world, api):
    child = make_org("李小明", status=OrgStatus.PENDING, org_type="person")
    Organisation.objects.filter(pk=child.pk).update(legal_id=CHILD, capacity_declared_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    r = api(world.clerk).post(f"/organisations/{child.pk}/first-review", {"decision": "approve", "method": "online"})
    assert r.status_code == 400 and r.json()["code"] == "person_minor" and r.json()["field"] == "legal_id"
    r = api(world.alice).post(f"/organisations/{child.pk}/review", {"decision": "approve", "method": "online"})
    assert r.status_code == 403
    child.refresh_from_db()
    assert child.status == OrgStatus.PENDING


def test_pages_refuse_a_minor_and_an_undeclared_person_in_chinese(world, client):
    body = {"name": "张三", "org_type": "person", "legal_id": CHILD, "username": "pagechild", "password": PASSWORD,
            "password2": PASSWORD, "capacity_declared": "on"}
    r = Client().post("/members/register/", body)
    assert r.status_code == 200 and "未满18周岁" in r.content.decode()
    r = Client().post("/members/register/", {**body, "legal_id": ADULT, "capacity_declared": ""})
    assert r.status_code == 200 and "须声明具备完全民事权利能力" in r.content.decode()
    assert not Organisation.objects.filter(name="张三").exists()
    r = Client().post("/members/register/", {**body, "legal_id": ADULT, **_uploads("person")})
    assert r.status_code == 302 and Organisation.objects.get(name="张三").capacity_declared_at is not None
    child = make_org("李小明", status=OrgStatus.PENDING, org_type="person")
    Organisation.objects.filter(pk=child.pk).update(legal_id=CHILD, capacity_declared_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    client.force_login(world.checker)
    page = client.get("/members/review/").content.decode()
    assert "2015-06-01" in page and "民事行为能力声明" in page
    r = client.post(f"/members/review/{child.pk}/", {f"o{child.pk}-decision": "approve", f"o{child.pk}-method": "online",
                                                      f"o{child.pk}-reason": ""}, follow=True)
    assert "未满18周岁" in r.content.decode()
    child.refresh_from_db()
    assert child.status == OrgStatus.PENDING
    client.force_login(world.alice)  # a member is not an operator: the review page is not for it
    assert client.post(f"/members/review/{child.pk}/", {f"o{child.pk}-decision": "approve",
                                                         f"o{child.pk}-method": "online"}).status_code in (403, 404)
