"""Loan endpoints on an application (/api/v1/bridge/applications/{id}/dues, disburse, renewal,
repayments): visibility first (404), then the action decides the permission (403)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.responses import Status

from liuzhuan.core.api_types import Date, Fen, Id, QueryDate
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError
from liuzhuan.members.api_auth import acting_user

from ..application.api import BridgeApplicationOut, visible_application, write_application
from ..fund.api import StageRouter
from . import actions
from .queries import dues

router = StageRouter()


class DisburseIn(Schema):
    account: str
    voucher: str


class RenewalIn(Schema):
    renewed_on: Date
    contract_no: str
    amount_fen: Fen
    loan_type: str = Field(..., description="续贷贷款种类：仅 working_capital（本行自营流动资金贷款，第十条（四））")


class RepaymentIn(Schema):
    paid_on: Date
    principal_fen: Fen = 0
    fee_fen: Fen = 0
    penalty_fen: Fen = 0
    payer: str = "borrower"
    reference: str


class DuesOut(Schema):
    as_of: dt.date
    principal_fen: int
    fee_due_fen: int
    penalty_due_fen: int
    fee_accrued_fen: int
    penalty_accrued_fen: int
    overdue_days: int
    total_fen: int


@router.get("/applications/{app_id}/dues", response=DuesOut, summary="截至某日应还本金、占用费、违约金")
def application_dues(request: HttpRequest, app_id: Id, as_of: QueryDate | None = None):
    app = visible_application(acting_user(request), app_id)
    if not app.disbursed_on:
        raise DomainError("not_disbursed", "尚未放款")
    d = dues(app, as_of or today_china())
    return {"as_of": d.as_of, "principal_fen": d.principal_fen, "fee_due_fen": d.fee_due_fen, "penalty_due_fen": d.penalty_due_fen,
            "fee_accrued_fen": d.fee_accrued_fen, "penalty_accrued_fen": d.penalty_accrued_fen, "overdue_days": d.overdue_days,
            "total_fen": d.total_fen}


@router.post("/applications/{app_id}/disburse", response=BridgeApplicationOut, summary="放款（直接划入原贷款还款账户）")
def application_disburse(request: HttpRequest, app_id: Id, payload: DisburseIn):
    return write_application(request, app_id, lambda u: actions.disburse(u, app_id, account=payload.account, voucher=payload.voucher))


@router.post("/applications/{app_id}/renewal", response=BridgeApplicationOut, summary="银行登记续贷发放")
def application_renewal(request: HttpRequest, app_id: Id, payload: RenewalIn):
    return write_application(request, app_id, lambda u: actions.record_renewal(u, app_id, **payload.dict()))


@router.post("/applications/{app_id}/repayments", response={201: BridgeApplicationOut}, summary="登记还款（本金、占用费、违约金；含银行连带代偿）")
def application_repay(request: HttpRequest, app_id: Id, payload: RepaymentIn):
    return Status(201, write_application(request, app_id, lambda u: actions.record_repayment(u, app_id, **payload.dict())))
