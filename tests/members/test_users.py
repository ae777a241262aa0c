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
    actions.reset_password(world.clerk, world.alice.pk, "Brand-New-Pass-9")
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
