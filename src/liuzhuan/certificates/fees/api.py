"""Fees API: the schedule, the operator's parameters, the statement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from liuzhuan.core.api_pages import paged, rows
from liuzhuan.core.api_types import Date, Days, Fen, Id, QueryDate
from liuzhuan.members.api_auth import acting_user

from ..ledger import actions as ledger_actions
from . import actions, queries

router = Router()


class FeeRuleIn(Schema):
    op_type: str
    rate_per_10k: Decimal
    min_fen: Fen = 0
    max_fen: Fen | None = None
    payer: str
    effective_date: Date


class FeeChargeOut(Schema):
    id: int
    org_id: int
    op_type: str
    base_fen: int
    amount_fen: int
    reference: str
    charged_on: dt.date
    certificate: str
    reverses_id: int | None = Field(None, description="冲销行：被冲销的收费 id（金额为负）")


@router.post("/fees/rules", response={201: dict}, summary="设置收费标准（运营机构）")
def set_rule(request: HttpRequest, payload: FeeRuleIn):
    rule = actions.set_fee_rule(acting_user(request, write=True), payload.op_type, payload.rate_per_10k, payload.min_fen,
                                payload.max_fen, payload.payer, payload.effective_date)
    return Status(201, {"id": rule.pk, "op_type": rule.op_type, "rate_per_10k": str(rule.rate_per_10k), "effective_date": rule.effective_date})


class ConfigIn(Schema):
    min_unit_fen: Fen = Field(..., description="最小拆分单位（分）")
    offer_days: Days = Field(..., description="受让方接收期限（天）")


@router.post("/config", response=ConfigIn, summary="设置凭证业务参数（运营机构）")
def set_config(request: HttpRequest, payload: ConfigIn):
    config = ledger_actions.set_config(acting_user(request, write=True), min_unit_fen=payload.min_unit_fen, offer_days=payload.offer_days)
    return ConfigIn(min_unit_fen=config.min_unit_fen, offer_days=config.offer_days)


@router.get("/fees/statement", response=list[FeeChargeOut], summary="服务费明细（会员看本机构；运营与监管可指定机构）")
@paged(5000)
def statement(request: HttpRequest, org_id: Id | None = None, start: QueryDate | None = None, end: QueryDate | None = None):
    org_id = queries.fee_statement_org(acting_user(request), org_id)
    return rows(queries.fee_statement(org_id, start, end), lambda f: FeeChargeOut(
        id=f.pk, org_id=f.org_id, op_type=f.op_type, base_fen=f.base_fen, amount_fen=f.amount_fen, reference=f.reference,
        charged_on=f.charged_on, certificate=f.certificate.number, reverses_id=f.reverses_id))
