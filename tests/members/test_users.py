import pytest

from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied
from liuzhuan.members import actions
from liuzhuan.members.models import User

from ..conftest import PASSWORD


def test_manager_adds_user_to_own_org(world):
    u = actions.create_user(world.alice, world.alice_org.pk, "alice2", PASSWORD, "甲二")
    assert u.organisation == world.alice_org and u.position == "staff"


def test_operator_adds_user_anywhere(world):
    u = actions.create_user(world.clerk, world.bob_org.pk, "bob2", PASSWORD)
    assert u.organisation == world.bob_org


def test_create_user_rejects_other_org(world):
    with pytest.raises(PermissionDenied):
        actions.create_user(world.alice, world.bob_org.pk, "intruder", PASSWORD)
    assert not User.objects.filter(username="intruder").exists()


def test_duplicate_username_and_weak_password(world):
    with pytest.raises(DomainError) as exc:
        actions.create_user(world.alice, world.alice_org.pk, "bob", PASSWORD)
    assert exc.value.field == "username"
    with pytest.raises(DomainError) as exc:
        actions.create_user(world.alice, world.alice_org.pk, "weak", "password")
    assert exc.value.field == "password"


def test_operator_resets_password(world):
    actions.reset_password(world.checker, world.alice.pk, "Brand-New-Pass-9")
    world.alice.refresh_from_db()
    assert world.alice.check_password("Brand-New-Pass-9") and world.alice.must_change_password


def test_reset_password_rejects_other_org(world):
    with pytest.raises(PermissionDenied):
        actions.reset_password(world.bob, world.alice.pk, "Brand-New-Pass-9")
    world.alice.refresh_from_db()
    assert world.alice.check_password(PASSWORD)


def test_disable_user_other_org_is_not_found(world):
    with pytest.raises(NotFound):
        actions.set_user_active(world.bob, world.alice.pk, False)
    u = actions.set_user_active(world.clerk, world.alice.pk, False)
    assert not u.is_active


def test_api_users_wrong_org(world, api):
    r = api(world.bob).get(f"/organisations/{world.alice_org.pk}/users")
    assert r.status_code == 404
    r = api(world.alice).post(f"/organisations/{world.alice_org.pk}/users", {"username": "viaapi", "password": PASSWORD})
    assert r.status_code == 201 and r.json()["username"] == "viaapi"


def test_reset_password_limits(world):
    from ..conftest import make_user

    # operator staff (not a manager) cannot reset; oversight accounts are protected; not oneself
    with pytest.raises(PermissionDenied):
        actions.reset_password(world.clerk, world.alice.pk, "Brand-New-Pass-9")
    with pytest.raises(PermissionDenied) as exc:
        actions.reset_password(world.checker, world.inspector.pk, "Brand-New-Pass-9")
    assert exc.value.code == "protected_account"
    with pytest.raises(DomainError):
        actions.reset_password(world.checker, world.checker.pk, "Brand-New-Pass-9")
    other_staff = make_user(world.operator, "op_staff2")
    actions.reset_password(world.checker, other_staff.pk, "Brand-New-Pass-9")


def test_reset_page_refuses_user_of_another_org(world, client):
    client.force_login(world.checker)
    r = client.post(f"/members/orgs/{world.bob_org.pk}/", {"form": "reset", "user_id": world.alice.pk, "password": "Brand-New-Pass-9"})
    assert r.status_code == 404
    world.alice.refresh_from_db()
    assert world.alice.check_password(PASSWORD)


def test_account_without_organisation_gets_clear_refusal(db, client):
    admin = User.objects.create_superuser("root", password="Root-Password-77")
    client.force_login(admin)
    r = client.get("/certificates/")
    assert r.status_code == 403 and "未关联任何机构" in r.content.decode()
    r = client.get("/api/v1/me")
    assert r.status_code == 403 and r.json()["code"] == "no_organisation"
