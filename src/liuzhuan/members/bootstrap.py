"""Creating the first operator organisation and its manager (``liuzhuan createoperator``)."""

from __future__ import annotations

from django.db import transaction

from liuzhuan.core import audit
from liuzhuan.core.errors import DomainError
from liuzhuan.core.roles import Role

from .actions import create_login
from .identity import clean_legal_id
from .models import Organisation, OrganisationRole, OrgStatus, OrgType, Position, RegistrationChannel, User


def create_operator(
    *, name: str, legal_id: str, username: str, password: str, display_name: str = "", extra_roles: tuple[str, ...] = ()
) -> User:
    """Create an active operator organisation with one manager. Refuses duplicates."""
    name = name.strip()
    if not name:
        raise DomainError("name_required", "请填写机构名称", field="name")
    legal_id = clean_legal_id(OrgType.ENTERPRISE, legal_id)
    with transaction.atomic():
        if Organisation.objects.filter(legal_id=legal_id).exists():
            raise DomainError("legal_id_taken", f"统一社会信用代码“{legal_id}”已注册", field="legal_id")
        org = Organisation.objects.create(
            name=name, org_type=OrgType.ENTERPRISE, legal_id=legal_id,
            status=OrgStatus.ACTIVE, channel=RegistrationChannel.ON_SITE, status_reason="系统初始化创建",
        )
        roles = [Role.OPERATOR.value, *[r for r in extra_roles if r != Role.OPERATOR.value]]
        OrganisationRole.objects.bulk_create([OrganisationRole(organisation=org, role=r) for r in roles])
        user = create_login(org, username=username, password=password, display_name=display_name, position=Position.MANAGER)
        audit.record("system:createoperator", "member.bootstrap_operator", org, summary={"after": {"name": name, "legal_id": legal_id, "manager": username, "roles": roles}})
        return user
