import pytest

from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied
from liuzhuan.core.models import AuditEvent
from liuzhuan.members import actions


def test_operator_grants_role(world):
    org = actions.grant_role(world.clerk, world.alice_org.pk, "merchant")
    assert org.has_role("merchant")
    assert AuditEvent.objects.get(action="member.grant_role").summary == {"role": "merchant"}


def test_grant_role_bad_input(world):
    with pytest.raises(DomainError) as exc:
        actions.grant_role(world.clerk, world.alice_org.pk, "emperor")
    assert exc.value.field == "role"
    with pytest.raises(DomainError) as exc:
        actions.grant_role(world.clerk, world.alice_org.pk, "member")
    assert exc.value.code == "role_exists"
    with pytest.raises(NotFound):
        actions.grant_role(world.clerk, 999999, "merchant")


def test_grant_role_rejects_other_org(world):
    for intruder in (world.alice, world.inspector):
        with pytest.raises(PermissionDenied):
            actions.grant_role(intruder, world.alice_org.pk, "operator")
    world.alice_org.refresh_from_db()
    assert not world.alice_org.has_role("operator") and not AuditEvent.objects.exists()
