"""Who may do what. Actions call these first; pages and API rely on the actions."""

from __future__ import annotations

from .errors import DomainError, PermissionDenied
from .roles import Role


def require_active_user(user) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied("请先登录", code="not_authenticated")
    if not user.is_active:
        raise PermissionDenied("账号已停用", code="user_inactive")
    org = user.organisation
    if org is None:
        raise PermissionDenied("账号未关联机构", code="no_organisation")


def require_role(user, *roles: Role | str, active_org: bool = True) -> None:
    """The user's organisation holds one of ``roles`` (and is active, unless said otherwise)."""
    require_active_user(user)
    org = user.organisation
    if active_org and org.status != "active":
        raise PermissionDenied(f"机构“{org.name}”当前状态为{org.get_status_display()}，不能办理业务", code="org_inactive")
    if roles and not org.has_any_role(roles):
        names = "、".join(Role(r).label for r in roles)
        raise PermissionDenied(f"此操作仅限{names}办理", code="role_required")


def require_manager(user) -> None:
    if user.position != "manager":
        raise PermissionDenied("此操作需要机构负责人（经理）权限", code="manager_required")


def require_write_access(user) -> None:
    """Regulators read everything but never change anything."""
    require_active_user(user)
    if user.organisation.has_only_roles({Role.REGULATOR}):
        raise PermissionDenied("监管部门为只读角色，不能办理业务", code="read_only")


def require_checker(prepared_by_id: int | None, approver) -> None:
    """Maker-checker: the approver must be a different user from the preparer."""
    if prepared_by_id is None:
        raise DomainError("not_prepared", "该事项尚未经经办人初审，不能复核")
    if prepared_by_id == approver.pk:
        raise PermissionDenied("复核人不能与经办人为同一人（双人复核）", code="same_maker_checker")

