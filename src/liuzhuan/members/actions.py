"""Member business operations. The only code that changes organisations, users and tokens.

Every function: checks who is asking, validates, locks what it changes, writes, appends an
audit event — all inside one transaction. A ``DomainError`` means nothing was changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied
from liuzhuan.core.permissions import require_active_user, require_manager, require_role
from liuzhuan.core.roles import Department, Role

from .classification import INDUSTRY_LABELS, OWNERSHIP_LABELS, SIZE_LABELS
from .documents import check_documents, documents_needed, missing_documents, store_documents
from .identity import check_full_capacity, clean_legal_id
from .models import (
    ApiToken,
    LoginFailure,
    Organisation,
    OrganisationRole,
    OrgStatus,
    OrgType,
    Position,
    RegistrationChannel,
    TokenScope,
    User,
)
from .notices import Notice, acknowledge, notice, notify, notify_all, notify_role, notify_select
from .review import first_review_registration, review_registration

__all__ = ["Notice", "acknowledge", "first_review_registration", "notice", "notify", "notify_all", "notify_role",
           "notify_select", "review_registration"]  # re-exported: callers keep using actions.<name>

#: roles an organisation may ask for when registering itself; the rest are granted by the operator
SELF_SERVICE_ROLES = frozenset({Role.MEMBER, Role.MERCHANT})


@dataclass(frozen=True)
class RegistrationInput:
    name: str
    org_type: str
    legal_id: str
    legal_representative: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    address: str = ""
    industry: str = ""
    enterprise_size: str = ""
    roles: tuple[str, ...] = (Role.MEMBER.value,)
    username: str = ""
    password: str = ""
    display_name: str = ""
    #: the registrant declares full civil capacity; required of a natural person
    capacity_declared: bool = False


CAPACITY_DECLARATION = "本人/本机构声明：具备完全民事权利能力和民事行为能力，依法独立享有权利、承担义务"


def _validate_registration(data: RegistrationInput, *, by_operator: bool) -> tuple[str, list[str]]:
    name = (data.name or "").strip()
    if not name:
        raise DomainError("name_required", "请填写机构或个人名称", field="name")
    if len(name) > 200:
        raise DomainError("name_too_long", "名称不能超过200个字", field="name")
    if data.org_type not in OrgType.values:
        raise DomainError("org_type_invalid", "主体类型不正确", field="org_type")
    legal_id = clean_legal_id(data.org_type, data.legal_id)
    check_full_capacity(data.org_type, legal_id, today_china())
    if data.org_type == OrgType.PERSON and not data.capacity_declared:
        raise DomainError("capacity_declaration_required", "自然人注册须声明具备完全民事权利能力和民事行为能力",
                          field="capacity_declared")
    check_classification(data.industry, data.enterprise_size)
    roles = list(dict.fromkeys(data.roles or (Role.MEMBER.value,)))
    for r in roles:
        if r not in {x.value for x in Role}:
            raise DomainError("role_invalid", f"角色“{r}”不存在", field="roles")
        if not by_operator and Role(r) not in SELF_SERVICE_ROLES:
            raise DomainError("role_not_self_service", f"“{Role(r).label}”角色须由运营机构授予", field="roles")
    return legal_id, roles


def check_classification(industry: str | None, enterprise_size: str | None) -> None:
    if industry and industry not in INDUSTRY_LABELS:
        raise DomainError("industry_invalid", "所属行业应为国民经济行业分类门类代码 A–T", field="industry")
    if enterprise_size and enterprise_size not in SIZE_LABELS:
        raise DomainError("size_invalid", "企业规模应为大型、中型、小型或微型", field="enterprise_size")


def create_login(org: Organisation, *, username: str, password: str, display_name: str = "", position: str) -> User:
    """A login for ``org``: a free username and a password the validators accept (hashed)."""
    username = (username or "").strip()
    if not username:
        raise DomainError("username_required", "请填写登录用户名", field="username")
    if User.objects.filter(username=username).exists():
        raise DomainError("username_taken", f"用户名“{username}”已被使用", field="username")
    user = User(username=username, organisation=org, position=position, display_name=(display_name or "").strip())
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError("password_weak", "；".join(exc.messages), field="password") from exc
    user.set_password(password)
    user.save()
    return user


def register_organisation(actor: User | None, data: RegistrationInput, documents: Mapping[str, bytes | None] | None = None
                          ) -> Organisation:
    """会员注册: online by the organisation itself (actor None) or on site by operator staff.

    ``documents``: kind → file content. Online, every document its type requires must be given;
    at the counter (against the originals) they are optional."""
    by_operator = actor is not None
    if by_operator:
        require_role(actor, Role.OPERATOR)
    legal_id, roles = _validate_registration(data, by_operator=by_operator)
    checked = check_documents(data.org_type, documents or {}, must=() if by_operator else None)
    try:
        with transaction.atomic():
            if Organisation.objects.filter(legal_id=legal_id).exists():
                raise DomainError("legal_id_taken", f"证件号码“{legal_id}”已注册", field="legal_id")
            org = Organisation.objects.create(
                name=data.name.strip(),
                org_type=data.org_type,
                legal_id=legal_id,
                legal_representative=data.legal_representative.strip(),
                contact_name=data.contact_name.strip(),
                contact_phone=data.contact_phone.strip(),
                address=data.address.strip(),
                industry=data.industry or "",
                enterprise_size=data.enterprise_size or "",
                channel=RegistrationChannel.ON_SITE if by_operator else RegistrationChannel.ONLINE,
                status=OrgStatus.PENDING,
                registered_by=actor if by_operator else None,
                capacity_declared_at=timezone.now() if data.capacity_declared else None,
            )
            OrganisationRole.objects.bulk_create([OrganisationRole(organisation=org, role=r) for r in roles])
            stored = store_documents(org, checked, actor)
            user = None
            if data.username or not by_operator:
                user = create_login(org, username=data.username, password=data.password, display_name=data.display_name,
                                    position=Position.MANAGER)
            audit.record(
                actor or "self-registration",
                "member.register",
                org,
                summary={
                    "after": {"name": org.name, "legal_id": legal_id, "status": org.status, "roles": roles,
                              "capacity_declared": bool(data.capacity_declared)},
                    "channel": org.channel,
                    "login": user.username if user else None,
                    "documents": stored,
                },
            )
            notify_role(Role.OPERATOR, "新会员注册待审核", f"{org.name}（{legal_id}）提交了会员注册，请审核。", obj=org)
            return org
    except IntegrityError as exc:  # a concurrent registration of the same id or username
        raise DomainError("duplicate", "证件号码或用户名已被占用，请重试", field="legal_id") from exc


def _lock_org(org_id: int) -> Organisation:
    """Lock an organisation to change it. A no-key lock: rows that reference it (notices, fees)
    can still be inserted meanwhile, so an audited action cannot deadlock with the change."""
    org = Organisation.objects.select_for_update(no_key=True).filter(pk=org_id).first()
    if org is None:
        raise NotFound("机构不存在")
    return org


def resubmit_registration(actor: User, changes: dict, documents: Mapping[str, bytes | None] | None = None) -> Organisation:
    """After 'ask for more material' the organisation's manager updates details, uploads documents
    (those still missing are required; others replace the file on record) and resubmits. The
    registration goes back to the first review."""
    require_active_user(actor)
    require_manager(actor)
    with transaction.atomic():
        org = _lock_org(actor.organisation_id)
        if org.status != OrgStatus.NEEDS_INFO:
            raise DomainError("not_needs_info", "只有“待补充材料”的注册可以重新提交")
        check_classification(changes.get("industry"), changes.get("enterprise_size"))
        changes = dict(changes)
        declared = changes.pop("capacity_declared", False) is True
        if org.org_type == OrgType.PERSON and org.capacity_declared_at is None and not declared:
            raise DomainError("capacity_declaration_required", "自然人须声明具备完全民事权利能力和民事行为能力后再提交",
                              field="capacity_declared")
        before = {k: getattr(org, k) for k in changes}
        for key in ("legal_representative", "contact_name", "contact_phone", "address", "industry", "enterprise_size"):
            if key in changes:
                setattr(org, key, str(changes[key]).strip())
        if declared and org.capacity_declared_at is None:
            org.capacity_declared_at = timezone.now()
            changes["capacity_declared"] = True
        checked = check_documents(org.org_type, documents or {},
                                  must=tuple(missing_documents(org)) if documents_needed(org) else ())
        stored = store_documents(org, checked, actor)
        org.status = OrgStatus.PENDING
        org.first_reviewed_by, org.first_reviewed_at = None, None
        org.save()
        audit.record(actor, "member.resubmit", org, summary={"before": before, "after": changes, "documents": stored})
        notify_role(Role.OPERATOR, "会员补充材料待审核", f"{org.name} 已补充材料，请重新审核。", obj=org)
        return org


def set_classification(actor: User, org_id: int, industry: str, enterprise_size: str, ownership: str | None = None) -> Organisation:
    """The operator records (or corrects) a member's industry, size class and ownership (None: left
    as it is) for the regulator's figures and the market purchase's 中小微/民营 check."""
    require_role(actor, Role.OPERATOR)
    check_classification(industry, enterprise_size)
    if ownership and ownership not in OWNERSHIP_LABELS:
        raise DomainError("ownership_invalid", "所有制应为民营、国有、集体、外资或其他", field="ownership")
    with transaction.atomic():
        org = _lock_org(org_id)
        before = {"industry": org.industry, "enterprise_size": org.enterprise_size, "ownership": org.ownership}
        org.industry, org.enterprise_size = industry or "", enterprise_size or ""
        if ownership is not None:
            org.ownership = ownership
        org.save(update_fields=["industry", "enterprise_size", "ownership"])
        audit.record(actor, "member.classify", org, summary={"before": before, "after": {
            "industry": org.industry, "enterprise_size": org.enterprise_size, "ownership": org.ownership}})
        return org


def set_department(actor: User, org_id: int, department: str) -> Organisation:
    """The operator's manager records which department an oversight organisation is (its dashboard
    opens by it, supervision/departments.py); "" clears it. Only regulator or finance-bureau
    organisations have a department."""
    require_role(actor, Role.OPERATOR)
    require_manager(actor)
    if department and department not in {d.value for d in Department}:
        raise DomainError("department_invalid", f"部门“{department}”不存在", field="department")
    with transaction.atomic():
        org = _lock_org(org_id)
        if not (org.has_role(Role.REGULATOR) or org.has_role(Role.BUREAU)):
            raise DomainError("not_oversight", "只有监管部门或财政局可以设定所属部门", field="department")
        before = org.department
        if before == department:
            raise DomainError("department_unchanged", "所属部门未改变", field="department")
        org.department = department
        org.save(update_fields=["department"])
        audit.record(actor, "member.department", org, summary={"before": before, "after": department})
        return org


_STATUS_ACTIONS = {
    # action: (allowed from, to, audit name, Chinese verb)
    "suspend": ({OrgStatus.ACTIVE}, OrgStatus.SUSPENDED, "member.suspend", "暂停"),
    "reactivate": ({OrgStatus.SUSPENDED}, OrgStatus.ACTIVE, "member.reactivate", "恢复"),
    "close": ({OrgStatus.ACTIVE, OrgStatus.SUSPENDED, OrgStatus.REJECTED}, OrgStatus.CLOSED, "member.close", "注销"),
}


def change_status(actor: User, org_id: int, action: str, reason: str) -> Organisation:
    """Suspend / reactivate / close an organisation (operator only, reason required)."""
    require_role(actor, Role.OPERATOR)
    if action not in _STATUS_ACTIONS:
        raise DomainError("action_invalid", "操作不正确", field="action")
    allowed, target, audit_name, verb = _STATUS_ACTIONS[action]
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", f"{verb}机构须填写原因", field="reason")
    with transaction.atomic():
        org = _lock_org(org_id)
        if org.pk == actor.organisation_id:
            raise PermissionDenied("不能变更本机构的状态", code="self_status")
        if org.status not in allowed:
            raise DomainError("status_transition", f"机构当前状态为“{org.get_status_display()}”，不能{verb}")
        before = org.status
        org.status = target
        org.status_reason = reason
        org.save(update_fields=["status", "status_reason"])
        if target == OrgStatus.CLOSED:
            User.objects.filter(organisation=org).update(is_active=False)
        audit.record(actor, audit_name, org, summary={"before": {"status": before}, "after": {"status": target}, "reason": reason})
        notify(org, f"机构状态变更：{org.get_status_display()}", reason, obj=org)
        return org


def grant_role(actor: User, org_id: int, role: str) -> Organisation:
    require_role(actor, Role.OPERATOR)
    if role not in [r.value for r in Role]:
        raise DomainError("role_invalid", f"角色“{role}”不存在", field="role")
    with transaction.atomic():
        org = _lock_org(org_id)
        if org.has_role(role):
            raise DomainError("role_exists", f"该机构已具有“{Role(role).label}”角色", field="role")
        OrganisationRole.objects.create(organisation=org, role=role)
        org._role_cache = None  # has_role() above cached the roles before this one was added
        audit.record(actor, "member.grant_role", org, summary={"role": role})
        return org


def create_user(actor: User, org_id: int, username: str, password: str, display_name: str = "", position: str = Position.STAFF) -> User:
    """Add a user to an organisation: its own manager, or operator staff for any organisation."""
    require_active_user(actor)
    is_operator = actor.organisation.has_role(Role.OPERATOR) and actor.organisation.status == OrgStatus.ACTIVE
    if not is_operator and (actor.organisation_id != org_id or actor.position != Position.MANAGER):
        raise PermissionDenied("只有本机构负责人或运营机构可以添加用户")
    if not is_operator and actor.organisation.status not in (OrgStatus.ACTIVE, OrgStatus.PENDING, OrgStatus.NEEDS_INFO):
        raise PermissionDenied(f"机构当前状态为“{actor.organisation.get_status_display()}”，不能添加用户", code="org_inactive")
    if position not in Position.values:
        raise DomainError("position_invalid", "岗位不正确", field="position")
    with transaction.atomic():
        org = _lock_org(org_id)
        if org.status == OrgStatus.CLOSED:
            raise DomainError("org_closed", "机构已注销，不能添加用户")
        try:
            with transaction.atomic():
                user = create_login(org, username=username, password=password, display_name=display_name, position=position)
        except IntegrityError as exc:
            raise DomainError("username_taken", f"用户名“{username}”已被使用", field="username") from exc
        audit.record(actor, "user.create", user, summary={"after": {"username": user.username, "organisation": org.pk, "position": position}})
        return user


def set_user_active(actor: User, user_id: int, active: bool) -> User:
    require_active_user(actor)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound("用户不存在")
        is_operator = actor.organisation.has_role(Role.OPERATOR) and actor.organisation.status == OrgStatus.ACTIVE
        same_org_manager = actor.organisation_id == user.organisation_id and actor.position == Position.MANAGER
        if not (is_operator or same_org_manager):
            raise NotFound("用户不存在")
        if user.pk == actor.pk:
            raise DomainError("self_disable", "不能停用自己的账号")
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit.record(actor, "user.enable" if active else "user.disable", user, summary={"after": {"is_active": active}})
        return user


def reset_password(actor: User, user_id: int, new_password: str) -> User:
    """Password reset by an operator manager (the user must change it at next login).

    Oversight organisations (regulator, bureau) and superusers manage their own credentials:
    an operator cannot take over the accounts that supervise it.
    """
    require_role(actor, Role.OPERATOR)
    if actor.position != Position.MANAGER:
        raise PermissionDenied("重置密码须由运营机构负责人办理", code="manager_required")
    with transaction.atomic():
        user = User.objects.select_for_update(of=("self",)).select_related("organisation").filter(pk=user_id).first()
        if user is None:
            raise NotFound("用户不存在")
        if user.pk == actor.pk:
            raise DomainError("self_reset", "请在“修改密码”页面修改自己的密码")
        if user.is_superuser or (user.organisation and user.organisation.has_any_role([Role.REGULATOR, Role.BUREAU])):
            raise PermissionDenied("监管部门、财政局和系统管理员的密码由其本机构自行管理", code="protected_account")
        try:
            validate_password(new_password, user)
        except ValidationError as exc:
            raise DomainError("password_weak", "；".join(exc.messages), field="password") from exc
        user.set_password(new_password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        LoginFailure.objects.filter(username=user.username).delete()  # lifts its locks from every address
        audit.record(actor, "user.reset_password", user, summary={"username": user.username})
        return user


def change_own_password(actor: User, old_password: str, new_password: str) -> User:
    require_active_user(actor)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        if not user.check_password(old_password):
            raise DomainError("old_password_wrong", "原密码不正确", field="old_password")
        try:
            validate_password(new_password, user)
        except ValidationError as exc:
            raise DomainError("password_weak", "；".join(exc.messages), field="new_password") from exc
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        audit.record(user, "user.change_password", user, summary={})
        return user


# --- login throttling -----------------------------------------------------------------------


def login_locked_until(username: str, ip: str) -> dt.datetime | None:
    """Until when logins of ``username`` from ``ip`` are refused (``None``: not locked)."""
    return (LoginFailure.objects.filter(username=username, ip=ip, locked_until__gt=timezone.now())
            .values_list("locked_until", flat=True).first())


#: failure rows untouched this long are pruned (a lock never lasts that long)
LOGIN_FAILURE_KEEP = dt.timedelta(days=1)


def record_login_failure(username: str, ip: str) -> dt.datetime | None:
    """Count a failed login of ``username`` (existing or not) from ``ip``; returns the lock's end
    once ``LOGIN_MAX_FAILURES`` failures within ``LOGIN_LOCK_MINUTES`` of each other are reached."""
    now = timezone.now()
    window = dt.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    with transaction.atomic():
        LoginFailure.objects.filter(updated_at__lt=now - LOGIN_FAILURE_KEEP).delete()
        LoginFailure.objects.bulk_create([LoginFailure(username=username, ip=ip, updated_at=now)], ignore_conflicts=True)
        row = LoginFailure.objects.select_for_update().get(username=username, ip=ip)
        if row.failures and row.updated_at < now - window:  # old failures no longer count
            row.failures = 0
        row.failures += 1
        row.updated_at = now
        locked = row.failures >= settings.LOGIN_MAX_FAILURES
        if locked:
            row.locked_until = now + window
            row.failures = 0
        row.save(update_fields=["failures", "updated_at", "locked_until"])
        if locked:
            user = User.objects.filter(username=username).first()
            if user is not None:  # an unknown username is locked the same way, with nothing to audit
                audit.record("system", "user.locked", user, summary={"until": row.locked_until.isoformat(), "ip": ip})
            return row.locked_until
    return None


def record_login_success(username: str, ip: str) -> None:
    LoginFailure.objects.filter(username=username, ip=ip).delete()


# --- API tokens -------------------------------------------------------------------------------


def issue_api_token(actor: User, name: str, scope: str = TokenScope.READ, days: int | None = 365) -> tuple[ApiToken, str]:
    """Create a token for the acting user; the clear text is returned once and never stored."""
    require_active_user(actor)
    name = (name or "").strip()
    if not name:
        raise DomainError("name_required", "请填写令牌名称", field="name")
    if scope not in TokenScope.values:
        raise DomainError("scope_invalid", "权限范围只能是 read 或 write", field="scope")
    if actor.organisation.has_only_roles({Role.REGULATOR}) and scope == TokenScope.WRITE:
        raise PermissionDenied("监管部门只能申请只读令牌", field="scope")
    key_id, secret, text = ApiToken.new_credentials()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor,
            name=name,
            key_id=key_id,
            secret_hash=ApiToken.hash_secret(secret),
            scope=scope,
            expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
        )
        audit.record(actor, "token.issue", token, summary={"name": name, "scope": scope, "key_id": key_id})
    return token, text


def revoke_api_token(actor: User, token_id: int) -> ApiToken:
    require_active_user(actor)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().select_related("user").filter(pk=token_id).first()
        is_operator = actor.organisation.has_role(Role.OPERATOR) and actor.organisation.status == OrgStatus.ACTIVE
        if token is None or not (token.user_id == actor.pk or is_operator or (
            actor.position == Position.MANAGER and token.user.organisation_id == actor.organisation_id
        )):
            raise NotFound("令牌不存在")
        if token.revoked_at:
            raise DomainError("already_revoked", "该令牌已撤销")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor, "token.revoke", token, summary={"key_id": token.key_id})
        return token
