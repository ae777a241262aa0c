"""Partner bank endpoints (/api/v1/bridge/agreements…): banks see only their own agreement."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.responses import Status

from liuzhuan.core.api_types import Date, Flag, Id, IdIn
from liuzhuan.core.errors import NotFound
from liuzhuan.members.api_auth import acting_user

from ..fund.api import StageRouter
from ..fund.queries import sees_all
from ..models.banks import AgreementStatusChange, BankAgreement
from . import actions

router = StageRouter()


class AgreementIn(Schema):
    bank_id: IdIn
    number: str
    signed_on: Date
    valid_from: Date
    valid_until: Date
    joint_liability_principal: Flag
    joint_liability_fee: Flag
    entrusted_allowed: Flag = False
    branch_region: str | None = Field(None, max_length=6, description="经办行所在地行政区划代码（6 位）；为空取银行统一社会信用代码第 3–8 位")


class AgreementStatusIn(Schema):
    action: str = Field(..., description="suspend / reactivate / terminate")
    reason: str
    article: str = Field("other", description="art18 / art20 / other")


class AgreementOut(Schema):
    id: int
    bank_id: int
    bank: str
    number: str
    signed_on: dt.date
    valid_from: dt.date
    valid_until: dt.date
    joint_liability_principal: bool
    joint_liability_fee: bool
    entrusted_allowed: bool
    branch_region: str
    status: str
    status_reason: str


def _agreement_out(a: BankAgreement) -> dict:
    return {"id": a.pk, "bank_id": a.bank_id, "bank": a.bank.name, "number": a.number, "signed_on": a.signed_on,
            "valid_from": a.valid_from, "valid_until": a.valid_until, "joint_liability_principal": a.joint_liability_principal,
            "joint_liability_fee": a.joint_liability_fee, "entrusted_allowed": a.entrusted_allowed, "branch_region": a.branch_region, "status": a.status,
            "status_reason": a.status_reason}


@router.get("/agreements", response=list[AgreementOut], summary="合作监管协议（银行只看本行）")
def agreements(request: HttpRequest):
    user = acting_user(request)
    qs = BankAgreement.objects.select_related("bank").order_by("id")
    if not sees_all(user):
        qs = qs.filter(bank_id=user.organisation_id)
    return [_agreement_out(a) for a in qs]


@router.post("/agreements", response={201: AgreementOut}, summary="登记合作监管协议（须约定本金、占用费连带责任）")
def agreement_create(request: HttpRequest, payload: AgreementIn):
    a = actions.create_agreement(acting_user(request, write=True), **payload.dict())
    return Status(201, _agreement_out(a))


@router.post("/agreements/{agreement_id}/status", response=AgreementOut, summary="暂停（第二十条）、恢复或取消（第十八条）合作")
def agreement_status(request: HttpRequest, agreement_id: Id, payload: AgreementStatusIn):
    user = acting_user(request, write=True)
    if not sees_all(user):
        raise NotFound("合作协议不存在")
    a = actions.change_agreement_status(user, agreement_id, action=payload.action, reason=payload.reason, article=payload.article)
    return _agreement_out(a)


@router.get("/agreements/{agreement_id}/history", response=list[dict], summary="合作状态变更记录")
def agreement_history(request: HttpRequest, agreement_id: Id):
    user = acting_user(request)
    a = BankAgreement.objects.filter(pk=agreement_id).first()
    if a is None or not (sees_all(user) or a.bank_id == user.organisation_id):
        raise NotFound("合作协议不存在")
    return [{"from": c.from_status, "to": c.to_status, "article": c.article, "reason": c.reason,
             "decided_by": c.decided_by.username, "decided_at": c.decided_at.isoformat()}
            for c in AgreementStatusChange.objects.filter(agreement=a).select_related("decided_by")]
