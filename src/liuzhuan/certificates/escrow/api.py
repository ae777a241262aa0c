"""资金监管 API: supervised-account agreements (operator records, bank confirms, operator ends)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from liuzhuan.core.api_pages import paged, rows
from liuzhuan.core.api_types import Date, Flag, Id, IdIn
from liuzhuan.members.api_auth import acting_user

from ..ledger.schemas import CertificateReasonIn
from . import actions, queries
from .models import SupervisedAccount

router = Router()


class EscrowAgreementIn(Schema):
    bank_id: IdIn
    account_name: str
    account_no: str
    scopes: list[str] = Field(..., description="offset_top_up（抵付补足款）、sale_proceeds（收购价款）")
    start_date: Date
    end_date: Date | None = None


class EscrowDecisionIn(Schema):
    confirm: Flag
    reason: str = ""


class EscrowAgreementOut(Schema):
    id: int
    number: str
    operator_id: int
    bank_id: int
    bank: str
    account_name: str
    account_no: str
    scopes: list[str]
    start_date: dt.date
    end_date: dt.date | None
    status: str
    status_label: str
    recorded_by_id: int
    decided_by_id: int | None
    decided_at: dt.datetime | None
    reason: str

    @staticmethod
    def of(a: SupervisedAccount) -> EscrowAgreementOut:
        scopes = [s for s, on in (("offset_top_up", a.covers_top_ups), ("sale_proceeds", a.covers_sale_proceeds)) if on]
        return EscrowAgreementOut(id=a.pk, number=a.number, operator_id=a.operator_id, bank_id=a.bank_id, bank=a.bank.name,
                            account_name=a.account_name, account_no=a.account_no, scopes=scopes, start_date=a.start_date,
                            end_date=a.end_date, status=a.status, status_label=a.get_status_display(), recorded_by_id=a.recorded_by_id,
                            decided_by_id=a.decided_by_id, decided_at=a.decided_at, reason=a.reason)


@router.post("/escrow-accounts", response={201: EscrowAgreementOut}, summary="运营机构登记资金监管协议（待合作银行确认）")
def record_agreement(request: HttpRequest, payload: EscrowAgreementIn):
    return Status(201, EscrowAgreementOut.of(actions.record_agreement(acting_user(request, write=True), **payload.dict())))


@router.get("/escrow-accounts", response=list[EscrowAgreementOut], summary="资金监管协议（运营机构与监管部门全部；银行仅本行）")
@paged(1000)
def list_agreements(request: HttpRequest, status: str | None = None):
    qs = queries.visible_agreements(acting_user(request))
    if status:
        qs = qs.filter(status=status)
    return rows(qs, EscrowAgreementOut.of)


@router.get("/escrow-accounts/{agreement_id}", response=EscrowAgreementOut, summary="资金监管协议详情")
def get_agreement(request: HttpRequest, agreement_id: Id):
    return EscrowAgreementOut.of(queries.get_agreement(acting_user(request), agreement_id))


@router.post("/escrow-accounts/{agreement_id}/decision", response=EscrowAgreementOut, summary="合作银行确认或不予确认（须说明理由）")
def decide_agreement(request: HttpRequest, agreement_id: Id, payload: EscrowDecisionIn):
    return EscrowAgreementOut.of(actions.decide_agreement(acting_user(request, write=True), agreement_id, payload.confirm, payload.reason))


@router.post("/escrow-accounts/{agreement_id}/end", response=EscrowAgreementOut, summary="运营机构终止资金监管协议（须说明理由）")
def end_agreement(request: HttpRequest, agreement_id: Id, payload: CertificateReasonIn):
    return EscrowAgreementOut.of(actions.end_agreement(acting_user(request, write=True), agreement_id, payload.reason))
