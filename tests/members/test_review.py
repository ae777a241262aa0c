import pytest

from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied
from liuzhuan.core.models import AuditEvent
from liuzhuan.members import actions
from liuzhuan.members.models import Notification, RegistrationReview

from ..conftest import approve_registration, make_org


@pytest.fixture
def pending(world):
    return make_org("待审公司", status="pending")


@pytest.mark.parametrize(("decision", "status"), [("approve", "active"), ("reject", "rejected"), ("request_info", "needs_info")])
def test_review_decisions(world, pending, decision, status):
    actions.first_review_registration(world.clerk, pending.pk, "approve", "online")
    review = actions.review_registration(world.checker, pending.pk, decision, "online", "" if decision == "approve" else "材料不全")
    pending.refresh_from_db()
    assert pending.status == status
    assert review.reviewer == world.checker and review.method == "online" and review.reviewed_at and review.stage == "final"
    ev = AuditEvent.objects.get(action="member.review")
    assert ev.summary["after"]["status"] == status and ev.actor_username == "checker"
    assert Notification.objects.filter(organisation=pending).exists()


def test_reject_needs_reason(world, pending):
    with pytest.raises(DomainError) as exc:
        actions.review_registration(world.clerk, pending.pk, "reject", "online", "")
    assert exc.value.field == "reason"
    pending.refresh_from_db()
    assert pending.status == "pending" and not RegistrationReview.objects.exists()


def test_method_required(world, pending):
    with pytest.raises(DomainError) as exc:
        actions.review_registration(world.clerk, pending.pk, "approve", "telepathy")
    assert exc.value.field == "method"


def test_cannot_review_twice(world, pending):
    approve_registration(world, pending.pk, "on_site")
    with pytest.raises(DomainError) as exc:
        actions.review_registration(world.checker, pending.pk, "reject", "on_site", "x")
    assert exc.value.code == "not_pending"


def test_review_rejects_other_org(world, pending):
    with pytest.raises(PermissionDenied):
        actions.review_registration(world.alice, pending.pk, "approve", "online")
    with pytest.raises(PermissionDenied):
        actions.review_registration(world.inspector, pending.pk, "approve", "online")
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_review_unknown_org(world):
    with pytest.raises(NotFound):
        actions.review_registration(world.clerk, 999999, "approve", "online")


def test_resubmit_after_request_info(world, pending):
    from ..conftest import make_user

    manager = make_user(pending, "pm", "manager")
    actions.first_review_registration(world.clerk, pending.pk, "request_info", "online", "请补充法定代表人")
    actions.resubmit_registration(manager, {"legal_representative": "钱七"})
    pending.refresh_from_db()
    assert pending.status == "pending" and pending.legal_representative == "钱七"
    with pytest.raises(DomainError):
        actions.resubmit_registration(manager, {"address": "x"})


def test_api_review(world, pending, api):
    r = api(world.clerk).post(f"/organisations/{pending.pk}/first-review", {"decision": "approve", "method": "on_site"})
    assert r.status_code == 200 and r.json()["reviewer"] == "clerk" and r.json()["stage"] == "first"
    r = api(world.checker).post(f"/organisations/{pending.pk}/review", {"decision": "approve", "method": "on_site"})
    assert r.status_code == 200 and r.json()["reviewer"] == "checker"
    r2 = api(world.alice).post(f"/organisations/{pending.pk}/review", {"decision": "approve", "method": "on_site"})
    assert r2.status_code == 403


def test_api_requires_csrf_for_session(world, pending, api):
    r = api(world.checker).post(f"/organisations/{pending.pk}/review", {"decision": "approve", "method": "on_site"}, csrf=False)
    assert r.status_code in (401, 403)
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_resubmit_is_for_the_organisations_manager(world, pending):
    """Staff of the organisation, and anyone outside it, cannot resubmit its registration."""
    from ..conftest import make_user

    staff = make_user(pending, "ps", "staff")
    actions.first_review_registration(world.clerk, pending.pk, "request_info", "online", "请补充法定代表人")
    with pytest.raises(PermissionDenied):
        actions.resubmit_registration(staff, {"legal_representative": "钱七"})
    with pytest.raises(DomainError):  # another organisation's manager acts on its own organisation, not this one
        actions.resubmit_registration(world.alice, {"legal_representative": "钱七"})
    pending.refresh_from_db()
    assert pending.status == "needs_info" and pending.legal_representative != "钱七"
