"""Fees API: the schedule, the operator's parameters, the statement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from liuzhuan.core.api_pages import paged, rows
from liuzhuan.core.api_types import Date, Days, Fen, Id, QueryDate
from liuzhuan.core.dates import today_china
from liuzhuan.members.api_auth import acting_user

from ..ledger import actions as ledger_actions
from . import actions, queries, rules
from .models import FeeCharge

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
    status: str = Field(..., description="paid 已缴 / unpaid 未缴（未到期）/ arrears 欠费（逾期未缴）/ reversed 已冲销")
    due_date: dt.date = Field(..., description=f"缴费期限：计费日后 {rules.DUE_DAYS} 天")
    paid_on: dt.date | None = None
    payment_ref: str = ""
    settled_by: str = Field("", description="缴费登记人")

    @staticmethod
    def of(f: FeeCharge, today: dt.date) -> FeeChargeOut:
        return FeeChargeOut(
            id=f.pk, org_id=f.org_id, op_type=f.op_type, base_fen=f.base_fen, amount_fen=f.amount_fen, reference=f.reference,
            charged_on=f.charged_on, certificate=f.certificate.number, reverses_id=f.reverses_id, status=queries.charge_status(f, today),
            due_date=rules.due_date(f.charged_on), paid_on=f.paid_on, payment_ref=f.payment_ref,
            settled_by=f.settled_by.username if f.settled_by_id else "")


#: the agreed fee term of a transfer or pledge contract, as the API takes it (blank: the schedule's default)
FeePayerIn = Literal["transferor", "transferee", "split"]
FeeSharePct = Annotated[Decimal, Field(ge=0, le=100, description="双方分担时转让方/出质人承担的比例（%，最多两位小数）；空则各半")]


class FeeTermOut(Schema):
    fee_payer: str = Field(..., description="约定的服务费付费方：transferor / transferee / split；空为早于约定记录的旧数据")
    fee_share_pct: Decimal | None = Field(None, description="转让方/出质人承担比例（%）")
    fee_term: str

    @staticmethod
    def fields(contract) -> dict:
        return {"fee_payer": contract.fee_payer, "fee_share_pct": contract.fee_share_pct, "fee_term": contract.fee_term_label}


StatusFilter = Literal["", "paid", "unpaid", "arrears", "reversed"]


class FeeTotalsOut(Schema):
    total_fen: int = Field(..., description="净额（收费减冲销）")
    paid_fen: int
    unpaid_fen: int = Field(..., description="未缴且未到期")
    arrears_fen: int = Field(..., description="欠费：逾期未缴")
    outstanding_fen: int = Field(..., description="未缴合计（未缴 + 欠费）")
    reversed_fen: int = Field(..., description="已冲销（原收费与冲销行，未缴部分）")


class PaidIn(Schema):
    paid_on: Date
    payment_ref: str = Field(..., max_length=60)


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


@router.get("/fees/statement", response=list[FeeChargeOut], summary="服务费明细（会员看本机构；运营与监管可指定机构；可按缴费状态筛选）")
@paged(5000)
def statement(request: HttpRequest, org_id: Id | None = None, start: QueryDate | None = None, end: QueryDate | None = None,
              status: StatusFilter = ""):
    org_id = queries.fee_statement_org(acting_user(request), org_id)
    today = today_china()
    return rows(queries.fee_statement(org_id, start, end, status, today), lambda f: FeeChargeOut.of(f, today))


@router.get("/fees/statement/totals", response=FeeTotalsOut, summary="服务费合计：已缴、未缴、欠费")
def statement_totals(request: HttpRequest, org_id: Id | None = None, start: QueryDate | None = None, end: QueryDate | None = None):
    org_id = queries.fee_statement_org(acting_user(request), org_id)
    t = queries.fee_totals(queries.fee_statement(org_id, start, end), today_china())
    return FeeTotalsOut(total_fen=t["total"], paid_fen=t["paid"], unpaid_fen=t["unpaid"], arrears_fen=t["arrears"],
                        outstanding_fen=t["outstanding"], reversed_fen=t["reversed"])


@router.post("/fees/charges/{charge_id}/paid", response=FeeChargeOut, summary="缴费登记（运营机构财务人员）")
def mark_paid(request: HttpRequest, charge_id: Id, payload: PaidIn):
    actions.record_fee_paid(acting_user(request, write=True), charge_id, payload.paid_on, payload.payment_ref)
    return FeeChargeOut.of(queries.fee_statement(None).get(pk=charge_id), today_china())
