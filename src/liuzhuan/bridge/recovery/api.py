"""Recovery endpoints (/api/v1/bridge/applications/{id}/fraud, /recovery-cases…)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Schema
from ninja.responses import Status

from liuzhuan.core.api_types import Date, Id
from liuzhuan.members.api_auth import acting_user

from ..application.api import visible_application
from ..fund.api import StageRouter, require_overseer
from ..models.recovery import RecoveryCase
from . import actions

router = StageRouter()


class FraudIn(Schema):
    findings: str
    legal_referral: str = ""


class FraudOut(Schema):
    id: int
    organisation_id: int
    application_id: int
    declared_on: dt.date
    banned_until: dt.date


class CaseOut(Schema):
    id: int
    application_id: int
    number: str
    kind: str
    status: str
    opened_on: dt.date
    plan: str
    actions: list[dict]


class PlanIn(Schema):
    plan: str


class CaseActionIn(Schema):
    taken_on: Date
    description: str


def _case_out(c: RecoveryCase) -> dict:
    return {"id": c.pk, "application_id": c.application_id, "number": c.application.number, "kind": c.kind, "status": c.status,
            "opened_on": c.opened_on, "plan": c.plan,
            "actions": [{"taken_on": a.taken_on.isoformat(), "description": a.description} for a in c.actions.all()]}


@router.post("/applications/{app_id}/fraud", response={201: FraudOut}, summary="认定虚报、瞒报、骗取（追缴、移送、5年禁入）")
def application_fraud(request: HttpRequest, app_id: Id, payload: FraudIn):
    user = acting_user(request, write=True)
    visible_application(user, app_id)
    f = actions.declare_fraud(user, app_id, findings=payload.findings, legal_referral=payload.legal_referral)
    return Status(201, {"id": f.pk, "organisation_id": f.organisation_id, "application_id": f.application_id,
                        "declared_on": f.declared_on, "banned_until": f.banned_until})


# ---------------------------------------------------------------------------------------------
# Recovery cases (第十三条)
# ---------------------------------------------------------------------------------------------


@router.get("/recovery-cases", response=list[CaseOut], summary="追偿案件")
def cases(request: HttpRequest):
    require_overseer(acting_user(request))
    return [_case_out(c) for c in RecoveryCase.objects.select_related("application").prefetch_related("actions")]


@router.post("/recovery-cases/{case_id}/plan", response=CaseOut, summary="提出追偿方案")
def case_plan(request: HttpRequest, case_id: Id, payload: PlanIn):
    c = actions.set_recovery_plan(acting_user(request, write=True), case_id, plan=payload.plan)
    return _case_out(RecoveryCase.objects.select_related("application").get(pk=c.pk))


@router.post("/recovery-cases/{case_id}/actions", response={201: CaseOut}, summary="登记追偿措施")
def case_action(request: HttpRequest, case_id: Id, payload: CaseActionIn):
    a = actions.add_recovery_action(acting_user(request, write=True), case_id, taken_on=payload.taken_on, description=payload.description)
    return Status(201, _case_out(RecoveryCase.objects.select_related("application").get(pk=a.case_id)))
