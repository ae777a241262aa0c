"""The operator's manager records which department an oversight organisation is; its users then
open that department's dashboard. Anyone else, any other organisation, bad input: refused, nothing
changes."""

import pytest
from django.test import Client

from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.core.models import AuditEvent
from liuzhuan.core.roles import Department, Role
from liuzhuan.members import actions
from liuzhuan.members.models import Organisation

from ..conftest import make_org, make_user

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_manager_sets_department_and_its_dashboard_opens(world):
    org = actions.set_department(world.checker, world.inspector.organisation_id, Department.HOUSING)
    assert org.department == "housing"
    assert AuditEvent.objects.get(action="member.department").summary == {"before": "", "after": "housing"}
    page = _client(world.inspector).get("/supervision/").content.decode()
    assert 'data-dept="housing" class="active"' in page


def test_page_form_sets_and_clears(world):
    c = _client(world.checker)
    url = f"/members/orgs/{world.inspector.organisation_id}/"
    assert "所属监管部门" in c.get(url).content.decode()
    assert c.post(url, {"form": "department", "dp-department": "market"}).status_code == 302
    assert Organisation.objects.get(pk=world.inspector.organisation_id).department == "market"
    r = c.post(url, {"form": "department", "dp-department": "market"})
    assert r.status_code == 200 and "所属部门未改变" in r.content.decode()
    c.post(url, {"form": "department", "dp-department": ""})
    assert Organisation.objects.get(pk=world.inspector.organisation_id).department == ""
    assert "所属监管部门" not in c.get(f"/members/orgs/{world.alice_org.pk}/").content.decode()  # a member has none


def test_refusals_change_nothing(world):
    target = world.inspector.organisation_id
    for who in (world.clerk, world.alice, world.inspector):  # operator staff, a member, the regulator itself
        with pytest.raises(PermissionDenied):
            actions.set_department(who, target, Department.MARKET)
    with pytest.raises(DomainError) as exc:
        actions.set_department(world.checker, target, "ministry")
    assert exc.value.field == "department"
    with pytest.raises(DomainError) as exc:
        actions.set_department(world.checker, world.alice_org.pk, Department.MARKET)  # not an oversight organisation
    assert exc.value.code == "not_oversight"
    assert not Organisation.objects.exclude(department="").exists() and not AuditEvent.objects.exists()


def test_wrong_organisation_cannot_post_the_form(world):
    bureau = make_user(make_org("另一财政局", Role.BUREAU, org_type="institution"), "bureau2")
    for who in (world.inspector, bureau, world.alice):
        r = _client(who).post(f"/members/orgs/{world.inspector.organisation_id}/", {"form": "department", "dp-department": "market"})
        assert r.status_code == 404, who
    assert Organisation.objects.get(pk=world.inspector.organisation_id).department == ""
