"""Creating the first operator organisation and its manager (``liuzhuan createoperator``)."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from liuzhuan.core import audit
from liuzhuan.core.errors import DomainError
from liuzhuan.core.roles import Role

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
        if User.objects.filter(username=username).exists():
            raise DomainError("username_taken", f"用户名“{username}”已被使用", field="username")
        org = Organisation.objects.create(
            name=name, org_type=OrgType.ENTERPRISE, legal_id=legal_id,
            status=OrgStatus.ACTIVE, channel=RegistrationChannel.ON_SITE, status_reason="系统初始化创建",
        )
        roles = [Role.OPERATOR.value, *[r for r in extra_roles if r != Role.OPERATOR.value]]
        OrganisationRole.objects.bulk_create([OrganisationRole(organisation=org, role=r) for r in roles])
        user = User(username=username, organisation=org, position=Position.MANAGER, display_name=display_name)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError("password_weak", "；".join(exc.messages), field="password") from exc
        user.set_password(password)
        user.save()
        audit.record("system:createoperator", "member.bootstrap_operator", org, summary={"after": {"name": name, "legal_id": legal_id, "manager": username, "roles": roles}})
        return user
