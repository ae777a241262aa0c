"""Oversight endpoints (/api/v1/bridge/inspections, /sanctions): the bureau writes; the manager,
the bureau and the regulator read."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.responses import Status

from liuzhuan.core.api_pages import paged, rows
from liuzhuan.core.api_types import Date, Flag, IdIn
from liuzhuan.members.api_auth import acting_user

from ..fund.api import StageRouter, require_overseer
from ..models.oversight import Inspection, Sanction
from . import actions

router = StageRouter()


class InspectionIn(Schema):
    inspected_on: Date
    kind: str = Field(..., description="regular / irregular / audit")
    inspector: str
    findings: str
    follow_up: str = ""
    bank_id: IdIn | None = None


class InspectionOut(Schema):
    id: int
    inspected_on: dt.date
    kind: str
    inspector: str
    bank_id: int | None
    findings: str
    follow_up: str


class SanctionIn(Schema):
    item: str = Field(..., description="extra_fees / fraud_or_loss / other (第十八条第一至三项)")
    findings: str
    officer_id: IdIn | None = None
    cancel_qualification: Flag = False
    legal_liability: Flag = False
    regulator_referral: Flag = False
    referral_note: str = ""


class SanctionOut(Schema):
    id: int
    organisation_id: int
    officer_id: int | None
    item: str
    findings: str
    decided_on: dt.date
    cancel_qualification: bool
    legal_liability: bool
    regulator_referral: bool
    referral_note: str


def _inspection_out(i: Inspection) -> dict:
    return {"id": i.pk, "inspected_on": i.inspected_on, "kind": i.kind, "inspector": i.inspector, "bank_id": i.bank_id,
            "findings": i.findings, "follow_up": i.follow_up}


def _sanction_out(s: Sanction) -> dict:
    return {"id": s.pk, "organisation_id": s.organisation_id, "officer_id": s.officer_id, "item": s.item, "findings": s.findings,
            "decided_on": s.decided_on, "cancel_qualification": s.cancel_qualification, "legal_liability": s.legal_liability,
            "regulator_referral": s.regulator_referral, "referral_note": s.referral_note}


@router.get("/inspections", response=list[InspectionOut], summary="市财政局监督检查记录（第十四条、第二十六条）")
@paged(500)
def inspections(request: HttpRequest):
    require_overseer(acting_user(request))
    return rows(Inspection.objects.order_by("-inspected_on", "-id"), _inspection_out)


@router.post("/inspections", response={201: InspectionOut}, summary="登记监督检查（市财政局）")
def inspection_create(request: HttpRequest, payload: InspectionIn):
    i = actions.record_inspection(acting_user(request, write=True), **payload.dict())
    return Status(201, _inspection_out(i))


@router.get("/sanctions", response=list[SanctionOut], summary="管理机构及其经办人员违规处理（第十八条）")
@paged(500)
def sanctions(request: HttpRequest):
    require_overseer(acting_user(request))
    return rows(Sanction.objects.order_by("-decided_on", "-id"), _sanction_out)


@router.post("/sanctions", response={201: SanctionOut}, summary="登记违规处理、提请金融监管支局处理（市财政局）")
def sanction_create(request: HttpRequest, payload: SanctionIn):
    s = actions.record_sanction(acting_user(request, write=True), **payload.dict())
    return Status(201, _sanction_out(s))
