import pytest

from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.core.models import AuditEvent
from liuzhuan.members import actions


def test_suspend_reactivate_close(world):
    org = actions.change_status(world.clerk, world.alice_org.pk, "suspend", "涉嫌违规")
    assert org.status == "suspended"
    org = actions.change_status(world.clerk, world.alice_org.pk, "reactivate", "已整改")
    assert org.status == "active"
    org = actions.change_status(world.clerk, world.alice_org.pk, "close", "主动注销")
    assert org.status == "closed"
    world.alice.refresh_from_db()
    assert not world.alice.is_active
    assert list(AuditEvent.objects.filter(object_id=str(org.pk)).values_list("action", flat=True)) == [
        "member.suspend", "member.reactivate", "member.close"]


def test_invalid_transition_refused(world):
    with pytest.raises(DomainError) as exc:
        actions.change_status(world.clerk, world.alice_org.pk, "reactivate", "x")
    assert "不能恢复" in exc.value.message


def test_reason_required(world):
    with pytest.raises(DomainError) as exc:
        actions.change_status(world.clerk, world.alice_org.pk, "suspend", " ")
    assert exc.value.field == "reason"


def test_status_change_rejects_other_org(world):
    with pytest.raises(PermissionDenied):
        actions.change_status(world.bob, world.alice_org.pk, "suspend", "竞争对手")
    world.alice_org.refresh_from_db()
    assert world.alice_org.status == "active"


def test_suspended_org_cannot_act(world):
    actions.change_status(world.clerk, world.operator.pk if False else world.alice_org.pk, "suspend", "暂停")
    world.alice.organisation.refresh_from_db()
    from liuzhuan.core.permissions import require_role

    with pytest.raises(PermissionDenied) as exc:
        require_role(world.alice, "member")
    assert exc.value.code == "org_inactive"


def test_api_status_bad_action_is_400(world, api):
    r = api(world.clerk).post(f"/organisations/{world.alice_org.pk}/status", {"action": "explode", "reason": "x"})
    assert r.status_code == 400 and r.json()["field"] == "action"
