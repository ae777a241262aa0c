"""Non-tax revenue endpoints (/api/v1/bridge/revenue, /deposit-interest, /remittances)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Schema
from ninja.responses import Status

from liuzhuan.core.api_types import Date, Fen
from liuzhuan.members.api_auth import acting_user

from ..fund.api import OkOut, StageRouter, require_overseer
from . import actions
from .queries import revenue_balance

router = StageRouter()


class InterestIn(Schema):
    period_start: Date
    period_end: Date
    received_on: Date
    amount_fen: Fen
    reference: str


class RemittanceIn(Schema):
    remitted_on: Date
    fee_fen: Fen = 0
    interest_fen: Fen = 0
    penalty_fen: Fen = 0
    voucher_no: str


class RevenueOut(Schema):
    fee_collected_fen: int
    interest_collected_fen: int
    penalty_collected_fen: int
    fee_remitted_fen: int
    interest_remitted_fen: int
    penalty_remitted_fen: int
    unremitted_fen: int


@router.get("/revenue", response=RevenueOut, summary="非税收入：已收、已缴、未缴")
def revenue(request: HttpRequest):
    require_overseer(acting_user(request))
    b = revenue_balance()
    return {**b.__dict__, "unremitted_fen": b.fee_unremitted_fen + b.interest_unremitted_fen + b.penalty_unremitted_fen}


@router.post("/deposit-interest", response={201: OkOut}, summary="登记存款利息")
def deposit_interest(request: HttpRequest, payload: InterestIn):
    r = actions.record_deposit_interest(acting_user(request, write=True), **payload.dict())
    return Status(201, {"id": r.pk, "status": "ok"})


@router.post("/remittances", response={201: OkOut}, summary="登记非税收入上缴市财政")
def remittance(request: HttpRequest, payload: RemittanceIn):
    r = actions.record_remittance(acting_user(request, write=True), **payload.dict())
    return Status(201, {"id": r.pk, "status": "ok"})
