"""Circulation API: transfer offers (one, or a batch), accept, decline, cancel."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from liuzhuan.core.api_types import Fen, Id, IdIn
from liuzhuan.members.api_auth import acting_user

from ..fees.api import FeePayerIn, FeeSharePct, FeeTermOut
from ..ledger.models import Transfer
from . import actions, queries

router = Router()


class TransferIn(Schema):
    to_org_id: IdIn
    amount_fen: Fen
    agreement_ref: str = Field(..., max_length=100)
    fee_payer: FeePayerIn | None = Field(None, description="转让合同约定的服务费付费方；不填按收费标准")
    fee_share_pct: FeeSharePct | None = None


class BatchTransferItem(TransferIn):
    piece_id: IdIn


class BatchTransferIn(Schema):
    items: list[BatchTransferItem] = Field(..., max_length=actions.MAX_BATCH, description=f"至多 {actions.MAX_BATCH} 笔；同一分段可出现多次（拆分给多家）")


class BatchAcceptIn(Schema):
    transfer_ids: list[IdIn] = Field(..., max_length=actions.MAX_BATCH, description=f"至多 {actions.MAX_BATCH} 笔")


class TransferOut(FeeTermOut):
    id: int
    piece: str
    from_org_id: int
    to_org_id: int
    amount_fen: int
    agreement_ref: str
    status: str
    deadline: dt.date
    registration_no: str | None
    new_piece: str | None
    fee_fen: int
    managed_by: str = Field("", description="所属业务（如“特约商户订单 DD…”）：非空时只能在该业务中结算或撤销")

    @staticmethod
    def of(t: Transfer) -> TransferOut:
        return TransferOut(id=t.pk, piece=t.piece.number, from_org_id=t.from_org_id, to_org_id=t.to_org_id, amount_fen=t.amount_fen,
                           agreement_ref=t.agreement_ref, status=t.status, deadline=t.deadline, registration_no=t.registration_no,
                           new_piece=t.new_piece.number if t.new_piece_id else None, fee_fen=t.fee_fen,
                           managed_by=t.managed_by, **FeeTermOut.fields(t))


class DeclineIn(Schema):
    reason: str = Field("", max_length=300)


@router.post("/pieces/{piece_id}/transfer", response={201: TransferOut}, summary="转让（全部或部分；部分转让即拆分）")
def transfer(request: HttpRequest, piece_id: Id, payload: TransferIn):
    offer = actions.offer_transfers(acting_user(request, write=True), [actions.OfferItem(
        piece_id, payload.to_org_id, payload.amount_fen, payload.agreement_ref, payload.fee_payer, payload.fee_share_pct)])[0]
    return Status(201, TransferOut.of(offer))


@router.post("/transfers/batch", response={201: list[TransferOut]}, summary="批量转让（一次提交多笔，全部成功或全部不办理）")
def transfer_batch(request: HttpRequest, payload: BatchTransferIn):
    items = [actions.OfferItem(i.piece_id, i.to_org_id, i.amount_fen, i.agreement_ref, i.fee_payer, i.fee_share_pct) for i in payload.items]
    return Status(201, [TransferOut.of(t) for t in actions.offer_transfers(acting_user(request, write=True), items)])


@router.post("/offers/accept", response=list[TransferOut], summary="批量接收（签收）多笔转让，全部成功或全部不办理")
def accept_batch(request: HttpRequest, payload: BatchAcceptIn):
    return [TransferOut.of(t) for t in actions.accept_offers(acting_user(request, write=True), payload.transfer_ids)]


@router.get("/offers", response=list[TransferOut], summary="待处理的转让（收到的与发出的）")
def offers(request: HttpRequest):
    org_id = acting_user(request).organisation_id
    return [TransferOut.of(t) for t in [*queries.offers_in(org_id), *queries.offers_out(org_id)]]


@router.post("/offers/{transfer_id}/accept", response=TransferOut, summary="受让方接收（签收）")
def accept(request: HttpRequest, transfer_id: Id):
    return TransferOut.of(actions.accept_offer(acting_user(request, write=True), transfer_id))


@router.post("/offers/{transfer_id}/decline", response=TransferOut, summary="受让方拒收")
def decline(request: HttpRequest, transfer_id: Id, payload: DeclineIn):
    return TransferOut.of(actions.decline_offer(acting_user(request, write=True), transfer_id, payload.reason))


@router.post("/offers/{transfer_id}/cancel", response=TransferOut, summary="转让方撤回")
def cancel(request: HttpRequest, transfer_id: Id):
    return TransferOut.of(actions.cancel_offer(acting_user(request, write=True), transfer_id))
