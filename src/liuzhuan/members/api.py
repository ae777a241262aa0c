"""Members API: registration, review, organisation status, users, tokens, notifications."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import BeforeValidator, Strict

from liuzhuan.core.api_pages import paged, rows
from liuzhuan.core.api_types import Flag, Id, TokenDays
from liuzhuan.core.uploads import read_limited

from . import actions, queries
from .api_auth import acting_user
from .documents import DOCUMENT_LIMIT
from .models import ApiToken

router = Router(tags=["会员与机构"])


class OrgOut(Schema):
    id: int
    name: str
    org_type: str
    org_type_label: str
    legal_id: str
    status: str
    status_label: str
    status_reason: str
    channel: str
    industry: str
    enterprise_size: str
    ownership: str = ""
    roles: list[str]
    registered_at: dt.datetime
    capacity_declared_at: dt.datetime | None

    @staticmethod
    def from_org(org) -> OrgOut:
        return OrgOut(
            id=org.pk,
            name=org.name,
            org_type=org.org_type,
            org_type_label=org.get_org_type_display(),
            legal_id=org.legal_id,
            status=org.status,
            status_label=org.get_status_display(),
            status_reason=org.status_reason,
            channel=org.channel,
            industry=org.industry,
            enterprise_size=org.enterprise_size,
            ownership=org.ownership,
            roles=sorted(r.role for r in org.roles.all()),
            registered_at=org.registered_at,
            capacity_declared_at=org.capacity_declared_at,
        )


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    position: str
    organisation: OrgOut | None


class RegistrationIn(Schema):
    name: str = Field(..., max_length=200)
    org_type: str = Field(..., max_length=20)
    legal_id: str = Field(..., max_length=30)
    legal_representative: str = Field("", max_length=60)
    contact_name: str = Field("", max_length=60)
    contact_phone: str = Field("", max_length=30)
    address: str = Field("", max_length=200)
    industry: str = Field("", max_length=1, description="国民经济行业分类门类 A–T（可空）")
    enterprise_size: str = Field("", max_length=10, description="large / medium / small / micro（可空）")
    roles: list[str] = Field(["member"], max_length=9)
    username: str = Field("", max_length=150)
    password: str = Field("", max_length=128)
    display_name: str = Field("", max_length=60)
    capacity_declared: Flag = Field(False, description="声明具备完全民事权利能力和民事行为能力；自然人必须为 true（且须年满18周岁）")

    def to_input(self) -> actions.RegistrationInput:
        data = self.dict()
        data["roles"] = tuple(data["roles"])
        return actions.RegistrationInput(**data)


#: a multipart form's flag arrives as text: exactly "true" or "false" (anything else is refused)
FormFlag = Annotated[bool, BeforeValidator(lambda v: {"true": True, "false": False}.get(v, v) if isinstance(v, str) else v),
                     Strict()]


class SelfRegistrationIn(RegistrationIn):
    """网上自助注册 arrives as a multipart form (with the documents)."""

    capacity_declared: FormFlag = Field(False, description="声明具备完全民事权利能力和民事行为能力；自然人必须为 true（且须年满18周岁）")


class ReviewIn(Schema):
    decision: str
    method: str
    reason: str = Field("", max_length=500)


class ReviewOut(Schema):
    id: int
    organisation_id: int
    stage: str
    decision: str
    method: str
    reason: str
    reviewer: str
    reviewed_at: dt.datetime


class StatusIn(Schema):
    action: str
    reason: str = Field(..., max_length=300)


class UserIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=128)
    display_name: str = Field("", max_length=60)
    position: str = "staff"


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    position: str
    is_active: bool
    organisation_id: int | None


class PasswordIn(Schema):
    password: str


class TokenIn(Schema):
    name: str = Field(..., max_length=100)
    scope: str = "read"
    days: TokenDays | None = 365


class TokenOut(Schema):
    id: int
    name: str
    key_id: str
    scope: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str


class NotificationOut(Schema):
    id: int
    title: str
    body: str
    kind: str
    object_type: str
    object_id: str
    created_at: dt.datetime
    requires_ack: bool
    acknowledged_at: dt.datetime | None


def _user_out(u) -> UserOut:
    return UserOut(id=u.pk, username=u.username, display_name=u.display_name, position=u.position, is_active=u.is_active, organisation_id=u.organisation_id)


def _token_out(t: ApiToken, cls=TokenOut, **extra):
    return cls(
        id=t.pk, name=t.name, key_id=t.key_id, scope=t.scope, created_at=t.created_at,
        expires_at=t.expires_at, last_used_at=t.last_used_at, revoked_at=t.revoked_at, **extra,
    )


@router.get("/me", response=MeOut, summary="当前用户")
def me(request: HttpRequest):
    user = acting_user(request)
    return MeOut(
        id=user.pk, username=user.username, display_name=user.display_name, position=user.position,
        organisation=OrgOut.from_org(user.organisation) if user.organisation_id else None,
    )


@router.post("/registrations", response={201: OrgOut}, auth=None,
             summary="会员网上自助注册（multipart：表单字段及证件文件 business_licence、legal_rep_id 或 person_id；PDF/PNG/JPEG）")
def self_register(request: HttpRequest, payload: Form[SelfRegistrationIn], business_licence: File[UploadedFile] = None,
                  legal_rep_id: File[UploadedFile] = None, person_id: File[UploadedFile] = None):
    files = {"business_licence": business_licence, "legal_rep_id": legal_rep_id, "person_id": person_id}
    documents = {kind: read_limited(f, DOCUMENT_LIMIT, kind) for kind, f in files.items() if f is not None}
    org = actions.register_organisation(None, payload.to_input(), documents)
    return Status(201, OrgOut.from_org(org))


@router.post("/organisations", response={201: OrgOut}, summary="运营机构现场代为录入注册")
def operator_register(request: HttpRequest, payload: RegistrationIn):
    org = actions.register_organisation(acting_user(request, write=True), payload.to_input())
    return Status(201, OrgOut.from_org(org))


@router.get("/organisations", response=list[OrgOut], summary="机构列表（按权限）")
@paged(500)
def list_organisations(request: HttpRequest, status: str | None = None):
    qs = queries.visible_organisations(acting_user(request))
    if status:
        qs = qs.filter(status=status)
    return rows(qs, OrgOut.from_org)


@router.get("/organisations/{org_id}", response=OrgOut, summary="机构详情")
def get_organisation(request: HttpRequest, org_id: Id):
    return OrgOut.from_org(queries.get_visible_organisation(acting_user(request), org_id))


def _review_out(r) -> ReviewOut:
    return ReviewOut(id=r.pk, organisation_id=r.organisation_id, stage=r.stage, decision=r.decision, method=r.method,
                     reason=r.reason, reviewer=r.reviewer.username, reviewed_at=r.reviewed_at)


@router.post("/organisations/{org_id}/first-review", response=ReviewOut, summary="网上注册初审（经办）")
def first_review(request: HttpRequest, org_id: Id, payload: ReviewIn):
    return _review_out(actions.first_review_registration(acting_user(request, write=True), org_id, payload.decision,
                                                         payload.method, payload.reason))


@router.post("/organisations/{org_id}/review", response=ReviewOut, summary="注册复核（与初审或现场录入人不同的另一人）")
def review(request: HttpRequest, org_id: Id, payload: ReviewIn):
    r = actions.review_registration(acting_user(request, write=True), org_id, payload.decision, payload.method, payload.reason)
    return _review_out(r)


@router.post("/organisations/{org_id}/status", response=OrgOut, summary="暂停、恢复或注销机构")
def change_status(request: HttpRequest, org_id: Id, payload: StatusIn):
    org = actions.change_status(acting_user(request, write=True), org_id, payload.action, payload.reason)
    return OrgOut.from_org(org)


@router.get("/organisations/{org_id}/users", response=list[UserOut], summary="机构用户")
def list_users(request: HttpRequest, org_id: Id):
    user = acting_user(request)
    org = queries.get_visible_organisation(user, org_id)
    return [_user_out(u) for u in queries.visible_users(user, org)]


@router.post("/organisations/{org_id}/users", response={201: UserOut}, summary="添加用户")
def add_user(request: HttpRequest, org_id: Id, payload: UserIn):
    user = acting_user(request, write=True)
    queries.get_visible_organisation(user, org_id)
    u = actions.create_user(user, org_id, payload.username, payload.password, payload.display_name, payload.position)
    return Status(201, _user_out(u))


@router.post("/users/{user_id}/reset-password", response=UserOut, summary="运营机构重置密码")
def reset_password(request: HttpRequest, user_id: Id, payload: PasswordIn):
    return _user_out(actions.reset_password(acting_user(request, write=True), user_id, payload.password))


@router.get("/tokens", response=list[TokenOut], summary="我的 API 令牌")
def list_tokens(request: HttpRequest):
    user = acting_user(request)
    return [_token_out(t) for t in ApiToken.objects.filter(user=user).order_by("-id")]


@router.post("/tokens", response={201: TokenCreated}, summary="申请 API 令牌（明文仅返回一次）")
def create_token(request: HttpRequest, payload: TokenIn):
    token, text = actions.issue_api_token(acting_user(request, write=True), payload.name, payload.scope, payload.days)
    return Status(201, _token_out(token, TokenCreated, token=text))


@router.post("/tokens/{token_id}/revoke", response=TokenOut, summary="撤销令牌")
def revoke_token(request: HttpRequest, token_id: Id):
    return _token_out(actions.revoke_api_token(acting_user(request, write=True), token_id))


@router.get("/notifications", response=list[NotificationOut], summary="站内通知")
@paged(200)
def notifications(request: HttpRequest, unread: bool = False):
    return queries.inbox(acting_user(request), unread_only=unread)


@router.post("/notifications/{note_id}/ack", response=NotificationOut, summary="确认已读")
def ack(request: HttpRequest, note_id: Id):
    return actions.acknowledge(acting_user(request, write=True), note_id)
