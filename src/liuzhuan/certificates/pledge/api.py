"""Pledge API (mounted under /api/v1/certificates)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from liuzhuan.core.api_pages import paged, rows
from liuzhuan.core.api_types import Date, Fen, Flag, Id, IdIn, QueryCount
from liuzhuan.core.errors import DomainError
from liuzhuan.core.permissions import require_role
from liuzhuan.core.roles import Role
from liuzhuan.members.api_auth import acting_user

from ..fees.api import FeePayerIn, FeeSharePct, FeeTermOut
from ..ledger.schemas import CertificateReasonIn
from . import actions, queries
from .models import Pledge, PledgedTransfer

router = Router()


class PledgeIn(Schema):
    pledgee_id: IdIn
    amount_fen: Fen = Field(..., description="质押金额（分）；小于分段金额时先拆分")
    contract_ref: str
    secured_fen: Fen = Field(..., description="担保主债权金额（分）")
    start_date: Date
    end_date: Date
    registration_required: Flag | None = Field(None, description="已停用：登记范围由规则确定（应收账款质押均属登记范围），"
                                               "出质人不能选择；传 false 将被拒绝")
    fee_payer: FeePayerIn | None = Field(None, description="质押合同约定的服务费付费方（transferor=出质人，transferee=质权人，split=分担）；不填按收费标准")
    fee_share_pct: FeeSharePct | None = None


class PledgeOut(FeeTermOut):
    id: int
    number: str
    certificate: str
    piece_id: int
    piece: str
    pledgor_id: int
    pledgor: str
    pledgee_id: int
    pledgee: str
    amount_fen: int
    secured_fen: int
    contract_ref: str
    start_date: dt.date
    end_date: dt.date
    registration_required: bool
    registration_no: str
    registration_date: dt.date | None
    status: str
    status_label: str
    close_reason: str
    enforcement_registration_no: str | None
    fee_fen: int

    @staticmethod
    def of(p: Pledge) -> PledgeOut:
        return PledgeOut(
            id=p.pk, number=p.number, certificate=p.certificate.number, piece_id=p.piece_id, piece=p.piece.number,
            pledgor_id=p.pledgor_id, pledgor=p.pledgor.name, pledgee_id=p.pledgee_id, pledgee=p.pledgee.name, amount_fen=p.amount_fen,
            secured_fen=p.secured_fen, contract_ref=p.contract_ref, start_date=p.start_date, end_date=p.end_date,
            registration_required=p.registration_required, registration_no=p.registration_no, registration_date=p.registration_date,
            status=p.status, status_label=p.get_status_display(), close_reason=p.close_reason,
            enforcement_registration_no=p.enforcement.registration_no if p.enforcement_id else None, fee_fen=p.fee_fen,
            **FeeTermOut.fields(p),
        )


class PledgeBookOut(Schema):
    effective_fen: int
    pending_fen: int
    secured_fen: int
    pledges: list[PledgeOut] = Field(..., description="本页质押（limit/offset 分页）")
    count: int = Field(..., description="质押给本行的总笔数（全部，不止本页）")
    limit: int
    offset: int


class RegisterIn(Schema):
    registration_no: str = ""
    registration_date: Date | None = None


class EnforceIn(Schema):
    default_date: Date
    reason: str
    agreement_ref: str = Field(..., description="折价协议或变卖协议编号")
    buyer_org_id: IdIn | None = Field(None, description="变卖给第三方时填写；为空则由质权人折价受让")


class PledgedTransferIn(Schema):
    to_org_id: IdIn
    agreement_ref: str


class DecisionIn(Schema):
    agree: Flag
    note: str = Field("", description="同意时填写转让价款安排（提前清偿或提存）；不同意时填写理由")


class PledgedTransferOut(Schema):
    id: int
    pledge: str
    to_org_id: int
    agreement_ref: str
    status: str
    status_label: str
    proceeds_arrangement: str
    registration_no: str | None

    @staticmethod
    def of(r: PledgedTransfer) -> PledgedTransferOut:
        return PledgedTransferOut(id=r.pk, pledge=r.pledge.number, to_org_id=r.to_org_id, agreement_ref=r.agreement_ref, status=r.status,
                                  status_label=r.get_status_display(), proceeds_arrangement=r.proceeds_arrangement,
                                  registration_no=r.transfer.registration_no if r.transfer_id else None)


class AcceptIn(Schema):
    agree: Flag = True
    reason: str = ""


@router.post("/pieces/{piece_id}/pledge", response={201: PledgeOut}, summary="质押（持有人向质权人出质，全部或部分）")
def create_pledge(request: HttpRequest, piece_id: Id, payload: PledgeIn):
    user = acting_user(request, write=True)
    if payload.registration_required is False:  # the pledgor no longer decides; say so rather than ignore it
        raise DomainError("registration_scope_by_rule", "登记范围由规则确定：应收账款质押属统一登记范围，须由质权人登记后生效，出质人不能选择不登记",
                          field="registration_required")
    p = actions.create_pledge(user, piece_id, payload.pledgee_id, payload.amount_fen, payload.contract_ref,
                              payload.secured_fen, payload.start_date, payload.end_date, payload.fee_payer, payload.fee_share_pct)
    return Status(201, PledgeOut.of(p))


@router.get("/pledges", response=list[PledgeOut], summary="质押（本机构作为出质人或质权人；运营与监管可见全部）")
@paged(1000)
def list_pledges(request: HttpRequest, status: str | None = None):
    qs = queries.visible_pledges(acting_user(request))
    if status:
        qs = qs.filter(status=status)
    return rows(qs, PledgeOut.of)


@router.get("/pledgee/pledges", response=PledgeBookOut, summary="质押给本行的全部凭证分段（合作银行）")
def pledge_book(request: HttpRequest, limit: Annotated[int, Field(ge=1, le=2000)] = 2000, offset: QueryCount = 0):
    user = acting_user(request)
    require_role(user, Role.BANK, active_org=False)
    org_id = user.organisation_id
    qs = queries.pledges_to(org_id)
    return PledgeBookOut(**queries.pledge_book_totals(org_id), pledges=[PledgeOut.of(p) for p in qs[offset:offset + limit]],
                         count=qs.count(), limit=limit, offset=offset)


@router.get("/pledges/{pledge_id}", response=PledgeOut, summary="质押详情")
def get_pledge(request: HttpRequest, pledge_id: Id):
    return PledgeOut.of(queries.get_pledge(acting_user(request), pledge_id))


@router.post("/pledges/{pledge_id}/register", response=PledgeOut, summary="质权人录入统一登记编号与日期（质押生效）")
def register_pledge(request: HttpRequest, pledge_id: Id, payload: RegisterIn):
    return PledgeOut.of(actions.register_pledge(acting_user(request, write=True), pledge_id, payload.registration_no, payload.registration_date))


@router.post("/pledges/{pledge_id}/cancel", response=PledgeOut, summary="生效前撤销质押（出质人或质权人）")
def cancel_pledge(request: HttpRequest, pledge_id: Id, payload: CertificateReasonIn):
    return PledgeOut.of(actions.cancel_pledge(acting_user(request, write=True), pledge_id, payload.reason))


@router.post("/pledges/{pledge_id}/release", response=PledgeOut, summary="解押（质权人）")
def release_pledge(request: HttpRequest, pledge_id: Id, payload: CertificateReasonIn):
    return PledgeOut.of(actions.release_pledge(acting_user(request, write=True), pledge_id, payload.reason))


@router.post("/pledges/{pledge_id}/enforce", response=PledgeOut, summary="质权实现（违约后转让给质权人或其指定的受让人）")
def enforce_pledge(request: HttpRequest, pledge_id: Id, payload: EnforceIn):
    return PledgeOut.of(actions.enforce_pledge(acting_user(request, write=True), pledge_id, default_date=payload.default_date,
                                               reason=payload.reason, agreement_ref=payload.agreement_ref, buyer_org_id=payload.buyer_org_id))


@router.post("/pledges/{pledge_id}/transfer-requests", response={201: PledgedTransferOut}, summary="出质人申请转让质押分段（须质权人同意）")
def request_pledged_transfer(request: HttpRequest, pledge_id: Id, payload: PledgedTransferIn):
    r = actions.request_pledged_transfer(acting_user(request, write=True), pledge_id, payload.to_org_id, payload.agreement_ref)
    return Status(201, PledgedTransferOut.of(r))


@router.post("/pledged-transfers/{req_id}/consent", response=PledgedTransferOut, summary="质权人同意或不同意转让")
def consent_pledged_transfer(request: HttpRequest, req_id: Id, payload: DecisionIn):
    return PledgedTransferOut.of(actions.consent_pledged_transfer(acting_user(request, write=True), req_id, payload.agree, payload.note))


@router.post("/pledged-transfers/{req_id}/accept", response=PledgedTransferOut, summary="受让方接收或拒收（接收后质押解除）")
def accept_pledged_transfer(request: HttpRequest, req_id: Id, payload: AcceptIn):
    return PledgedTransferOut.of(actions.accept_pledged_transfer(acting_user(request, write=True), req_id, payload.agree, payload.reason))


@router.post("/pledged-transfers/{req_id}/withdraw", response=PledgedTransferOut, summary="出质人撤回转让申请")
def withdraw_pledged_transfer(request: HttpRequest, req_id: Id):
    return PledgedTransferOut.of(actions.withdraw_pledged_transfer(acting_user(request, write=True), req_id))
