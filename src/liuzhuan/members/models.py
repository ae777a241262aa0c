"""Organisations (members), their roles, users, registration reviews and API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone

from liuzhuan.core.roles import DEPARTMENT_CHOICES, ROLE_CHOICES, Role

from .classification import INDUSTRIES, OWNERSHIPS, SIZES
from .identity import ric_birth_date


class OrgType(models.TextChoices):
    ENTERPRISE = "enterprise", "企业法人"
    INSTITUTION = "institution", "事业法人"
    OTHER = "other", "其他经济组织"
    PERSON = "person", "自然人"


class OrgStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    NEEDS_INFO = "needs_info", "待补充材料"
    REJECTED = "rejected", "审核未通过"
    ACTIVE = "active", "正常"
    SUSPENDED = "suspended", "已暂停"
    CLOSED = "closed", "已注销"


class RegistrationChannel(models.TextChoices):
    ONLINE = "online", "网上自助注册"
    ON_SITE = "on_site", "现场代为录入"


class ReviewMethod(models.TextChoices):
    ON_SITE = "on_site", "现场审核"
    ONLINE = "online", "网络审核"


class Organisation(models.Model):
    name = models.CharField("名称", max_length=200)
    org_type = models.CharField("主体类型", max_length=20, choices=OrgType.choices)
    #: 统一社会信用代码 (18 chars) for organisations, 居民身份证号码 for natural persons
    legal_id = models.CharField("统一社会信用代码/身份证号", max_length=18, unique=True)
    legal_representative = models.CharField("法定代表人/负责人", max_length=60, blank=True)
    contact_name = models.CharField("联系人", max_length=60, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    #: for the regulator's breakdowns: GB/T 4754 门类 and the SME size class (blank: not given)
    industry = models.CharField("所属行业", max_length=1, choices=INDUSTRIES, blank=True)
    enterprise_size = models.CharField("企业规模", max_length=10, choices=SIZES, blank=True)
    ownership = models.CharField("所有制", max_length=10, choices=OWNERSHIPS, blank=True, default="", db_default="")
    #: for oversight organisations: which department's dashboard is theirs (blank: the finance bureau
    #: by its role, any other regulator the general 监管部门 view); set by the operator
    department = models.CharField("监管部门类别", max_length=20, choices=DEPARTMENT_CHOICES, blank=True, default="",
                                  db_default="")
    status = models.CharField("状态", max_length=20, choices=OrgStatus.choices, default=OrgStatus.PENDING)
    channel = models.CharField("注册渠道", max_length=20, choices=RegistrationChannel.choices)
    registered_at = models.DateTimeField("注册时间", default=timezone.now)
    #: the operator user who registered it on site (现场注册); that user may not also approve it
    registered_by = models.ForeignKey("members.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                      db_index=False, verbose_name="现场登记经办人")
    status_reason = models.CharField("状态说明", max_length=300, blank=True)
    #: when the registrant declared full civil capacity (具备完全民事权利能力和行为能力); required of a
    #: natural person, whose age is also checked by the ID number (identity.check_full_capacity)
    capacity_declared_at = models.DateTimeField("民事行为能力声明时间", null=True, blank=True)
    #: an online registration's first review (初审, the maker): the final review (复核) is by another
    #: user; cleared when the registrant resubmits after being asked for more material
    first_reviewed_by = models.ForeignKey("members.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                          db_index=False, verbose_name="初审人")
    first_reviewed_at = models.DateTimeField("初审时间", null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "机构"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in OrgStatus]), name="org_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def birth_date(self):
        """A natural person's birth date from the ID number (None for organisations)."""
        return ric_birth_date(self.legal_id) if self.org_type == OrgType.PERSON else None

    # roles ---------------------------------------------------------------------------------
    @property
    def role_set(self) -> frozenset[str]:
        cache = getattr(self, "_role_cache", None)
        if cache is None:
            prefetched = getattr(self, "_prefetched_objects_cache", {}).get("roles")
            if prefetched is not None:  # list pages prefetch roles: no query per organisation
                cache = frozenset(r.role for r in prefetched)
            else:
                cache = frozenset(self.roles.values_list("role", flat=True))
            self._role_cache = cache
        return cache

    def has_role(self, role: Role | str) -> bool:
        return str(role) in self.role_set

    def has_any_role(self, roles) -> bool:
        return any(str(r) in self.role_set for r in roles)

    def has_only_roles(self, roles) -> bool:
        return bool(self.role_set) and self.role_set <= {str(r) for r in roles}

    def role_labels(self) -> list[str]:
        return [Role(r).label for r in sorted(self.role_set, key=lambda r: list(Role).index(Role(r)))]


class OrganisationRole(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="roles")
    role = models.CharField("角色", max_length=20, choices=ROLE_CHOICES)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "role"], name="org_role_unique")]
        verbose_name = "机构角色"

    def __str__(self) -> str:
        return f"{self.organisation_id}:{self.role}"


class Position(models.TextChoices):
    STAFF = "staff", "经办人员"
    MANAGER = "manager", "负责人"
    FINANCE = "finance", "财务人员"


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="users", null=True, blank=True, verbose_name="所属机构"
    )
    position = models.CharField("岗位", max_length=20, choices=Position.choices, default=Position.STAFF)
    display_name = models.CharField("姓名", max_length=60, blank=True)
    phone = models.CharField("手机", max_length=30, blank=True)
    must_change_password = models.BooleanField(default=False)

    objects = UserManager()

    class Meta:
        verbose_name = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def label(self) -> str:
        return f"{self.display_name or self.username}（{self.organisation.name if self.organisation_id else '—'}）"


class ReviewDecision(models.TextChoices):
    APPROVE = "approve", "通过"
    REJECT = "reject", "不通过"
    REQUEST_INFO = "request_info", "要求补充材料"


class ReviewStage(models.TextChoices):
    FIRST = "first", "初审"
    FINAL = "final", "复核"


class RegistrationReview(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="reviews")
    #: reviews made before two-step online review are final decisions
    stage = models.CharField("审核环节", max_length=10, choices=ReviewStage.choices, default=ReviewStage.FINAL,
                             db_default=ReviewStage.FINAL)
    decision = models.CharField("审核结论", max_length=20, choices=ReviewDecision.choices)
    method = models.CharField("审核方式", max_length=20, choices=ReviewMethod.choices)
    reason = models.CharField("意见", max_length=500, blank=True)
    reviewer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="审核人")
    reviewed_at = models.DateTimeField("审核时间", default=timezone.now)

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        verbose_name = "注册审核"

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.decision}"


class DocumentKind(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", "营业执照"
    LEGAL_REP_ID = "legal_rep_id", "法定代表人身份证件"
    PERSON_ID = "person_id", "身份证件"


class RegistrationDocument(models.Model):
    """A document the registrant uploaded (营业执照, 身份证件); one current file per kind, a
    resubmission replaces it. The content was checked by its magic bytes (core.uploads)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("证件类型", max_length=20, choices=DocumentKind.choices)
    file = models.CharField("存储文件", max_length=255)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        ordering = ["organisation_id", "kind"]
        verbose_name = "注册证件"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="regdoc_org_kind_unique"),
            models.CheckConstraint(condition=models.Q(kind__in=[k.value for k in DocumentKind]), name="regdoc_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}:{self.kind}"


class Notification(models.Model):
    """Inbox notice to an organisation (optionally one user); acknowledgement is recorded."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="notifications")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    kind = models.CharField(max_length=60, blank=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    requires_ack = models.BooleanField(default=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "acknowledged_at"], name="notif_org_ack_idx")]
        verbose_name = "通知"

    def __str__(self) -> str:
        return self.title


TOKEN_PREFIX = "lz"


class TokenScope(models.TextChoices):
    READ = "read", "只读"
    WRITE = "write", "读写"


class ApiToken(models.Model):
    """A machine client's credential. Only a SHA-256 of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField("名称", max_length=100)
    key_id = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scope = models.CharField("权限范围", max_length=10, choices=TokenScope.choices, default=TokenScope.READ)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def new_credentials(cls) -> tuple[str, str, str]:
        """(key_id, secret, full token text to hand to the client once)."""
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        return key_id, secret, f"{TOKEN_PREFIX}_{key_id}_{secret}"

    def matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.secret_hash, self.hash_secret(secret))

    @property
    def is_usable(self) -> bool:
        if self.revoked_at is not None:
            return False
        return not (self.expires_at and self.expires_at <= timezone.now())


class LoginFailure(models.Model):
    """Failed logins from one client address for one username as typed, known or not.

    Keyed by (username, address), so a stranger cannot lock a known user out from elsewhere, and an
    unknown username is counted (and locked) exactly like a known one: the login page's answers
    never tell which usernames exist. A success from the address, or an operator's password reset,
    clears the row; rows untouched for a day are pruned on the next failure.
    """

    username = models.CharField(max_length=150)
    ip = models.CharField("客户端地址", max_length=45)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "登录失败记录"
        constraints = [models.UniqueConstraint(fields=["username", "ip"], name="loginfailure_username_ip")]

    def __str__(self) -> str:
        return f"{self.username}@{self.ip}"
