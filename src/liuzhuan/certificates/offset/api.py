"""Offset API: assets, offset applications from apply to the operator's cancellation registration."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from liuzhuan.core.api_pages import paged, rows
from liuzhuan.core.api_types import Date, Fen, Id, IdIn
from liuzhuan.core.uploads import read_limited
from liuzhuan.members.api_auth import acting_user

from ..ledger.schemas import CertificateReasonIn
from ..ledger.uploads import upload_limit
from . import actions, queries
from .models import OffsetApplication, OffsetAsset, OffsetEvidence

router = Router()


class AssetIn(Schema):
    kind: str
    name: str
    list_price_fen: Fen
    location: str = ""
    title_no: str = ""


class AssetOut(Schema):
    id: int
    owner_id: int
    owner: str
    kind: str
    name: str
    location: str
    title_no: str
    list_price_fen: int
    status: str

    @staticmethod
    def of(a: OffsetAsset) -> AssetOut:
        return AssetOut(id=a.pk, owner_id=a.owner_id, owner=a.owner.name, kind=a.kind, name=a.name, location=a.location,
                        title_no=a.title_no, list_price_fen=a.list_price_fen, status=a.status)


class OffsetIn(Schema):
    kind: str = Field(..., description="asset（资产抵付）、consumption（消费抵付）或 debt（抵偿债务：以持有人对债务人的应付债务抵偿）")
    amount_fen: Fen
    note: str = ""
    payable_contract_ref: str = Field("", description="抵偿债务：持有人对债务人应付债务的合同编号")
    payable_fen: Fen | None = Field(None, description="抵偿债务：应付债务金额（分）")
    payable_due_date: Date | None = Field(None, description="抵偿债务：应付债务到期日")


class OptionsIn(Schema):
    asset_ids: list[IdIn] = []
    consumption_scope: str = ""


class PriceIn(Schema):
    price_fen: Fen
    asset_id: IdIn | None = None


class DeliveryIn(Schema):
    delivery_ref: str
    title_registration_ref: str = ""
    settlement_ref: str = ""
    cash_top_up_ref: str = ""
    cash_top_up_date: Date | None = None
    cash_top_up_account_no: str = Field("", description="补足款进入的资金监管账号（资金监管协议生效期间必填）")


class OffsetOut(Schema):
    id: int
    number: str
    kind: str
    certificate: str
    piece_id: int
    piece: str
    holder_id: int
    debtor_id: int
    amount_fen: int
    status: str
    status_label: str
    offered_asset_ids: list[int]
    consumption_scope: str
    asset_id: int | None
    price_fen: int | None
    proposed_by_org_id: int | None
    offset_fen: int | None
    remainder_piece: str | None
    cash_top_up_fen: int
    delivery_ref: str
    title_registration_ref: str
    settlement_ref: str
    cash_top_up_ref: str
    cash_top_up_account_no: str | None
    payable_contract_ref: str
    payable_fen: int | None
    payable_due_date: dt.date | None
    delivered_at: dt.datetime | None
    received_at: dt.datetime | None
    returned_reason: str
    cancellation_no: str | None
    cancelled_by_id: int | None
    cancelled_at: dt.datetime | None

    @staticmethod
    def of(o: OffsetApplication) -> OffsetOut:
        return OffsetOut(
            id=o.pk, number=o.number, kind=o.kind, certificate=o.certificate.number, piece_id=o.piece_id, piece=o.piece.number,
            holder_id=o.holder_id, debtor_id=o.debtor_id, amount_fen=o.amount_fen, status=o.status, status_label=o.get_status_display(),
            offered_asset_ids=sorted(a.pk for a in o.offered_assets.all()), consumption_scope=o.consumption_scope,
            asset_id=o.asset_id, price_fen=o.price_fen, proposed_by_org_id=o.proposed_by_org_id, offset_fen=o.offset_fen,
            remainder_piece=o.remainder_piece.number if o.remainder_piece_id else None, cash_top_up_fen=o.cash_top_up_fen,
            delivery_ref=o.delivery_ref, title_registration_ref=o.title_registration_ref, settlement_ref=o.settlement_ref,
            cash_top_up_ref=o.cash_top_up_ref,
            cash_top_up_account_no=o.cash_top_up_account.account_no if o.cash_top_up_account_id else None,
            payable_contract_ref=o.payable_contract_ref, payable_fen=o.payable_fen, payable_due_date=o.payable_due_date, delivered_at=o.delivered_at, received_at=o.received_at, returned_reason=o.returned_reason,
            cancellation_no=o.cancellation_no, cancelled_by_id=None if o.is_legacy_completion else o.completed_by_id,
            cancelled_at=None if o.is_legacy_completion else o.completed_at,
        )


class EvidenceOut(Schema):
    id: int
    kind: str
    kind_label: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by_id: int
    uploaded_at: dt.datetime

    @staticmethod
    def of(e: OffsetEvidence) -> EvidenceOut:
        return EvidenceOut(id=e.pk, kind=e.kind, kind_label=e.get_kind_display(), original_name=e.original_name, content_type=e.content_type,
                           size=e.size, sha256=e.sha256, uploaded_by_id=e.uploaded_by_id, uploaded_at=e.uploaded_at)


@router.post("/assets", response={201: AssetOut}, summary="登记可抵付资产（债务人或存量房盘活主体）")
def add_asset(request: HttpRequest, payload: AssetIn):
    a = actions.add_asset(acting_user(request, write=True), kind=payload.kind, name=payload.name, list_price_fen=payload.list_price_fen,
                          location=payload.location, title_no=payload.title_no)
    return Status(201, AssetOut.of(a))


@router.get("/assets", response=list[AssetOut], summary="本机构登记的资产")
def list_assets(request: HttpRequest):
    return [AssetOut.of(a) for a in queries.own_assets(acting_user(request).organisation_id).select_related("owner")]


@router.post("/assets/{asset_id}/withdraw", response=AssetOut, summary="下架资产")
def withdraw_asset(request: HttpRequest, asset_id: Id):
    return AssetOut.of(actions.withdraw_asset(acting_user(request, write=True), asset_id))


@router.post("/pieces/{piece_id}/offset", response={201: OffsetOut}, summary="向债务人申请资产抵付或消费抵付（锁定分段）")
def apply_offset(request: HttpRequest, piece_id: Id, payload: OffsetIn):
    o = actions.apply_offset(acting_user(request, write=True), piece_id, payload.kind, payload.amount_fen, payload.note,
                             payable_contract_ref=payload.payable_contract_ref, payable_fen=payload.payable_fen,
                             payable_due_date=payload.payable_due_date)
    return Status(201, OffsetOut.of(o))


@router.get("/offsets", response=list[OffsetOut], summary="抵付申请（持有人或债务人）")
@paged(1000)
def list_offsets(request: HttpRequest, status: str | None = None):
    qs = queries.visible_offsets(acting_user(request)).prefetch_related("offered_assets").select_related("remainder_piece")
    if status:
        qs = qs.filter(status=status)
    return rows(qs, OffsetOut.of)


# before /offsets/{offset_id}: Django matches paths in order, and that GET route would take this one
class CancellationsIn(Schema):
    offset_ids: list[IdIn] = Field(..., min_length=1, max_length=actions.MAX_BATCH_REGISTRATIONS,
                                  description="待注销登记的抵付申请（全部办理或全部不办理）")


@router.post("/offsets/cancellations", response=list[OffsetOut], summary="运营机构批量注销登记（如特约商户柜台消费抵付）；全部成功或全部不办理")
def register_cancellations(request: HttpRequest, payload: CancellationsIn):
    return [OffsetOut.of(o) for o in actions.register_offset_cancellations(acting_user(request, write=True), payload.offset_ids)]


@router.get("/offsets/{offset_id}", response=OffsetOut, summary="抵付申请详情")
def get_offset(request: HttpRequest, offset_id: Id):
    return OffsetOut.of(queries.get_offset(acting_user(request), offset_id))


@router.post("/offsets/{offset_id}/options", response=OffsetOut, summary="债务人核查后提供资产清单或消费范围")
def offer_options(request: HttpRequest, offset_id: Id, payload: OptionsIn):
    return OffsetOut.of(actions.offer_offset_options(acting_user(request, write=True), offset_id, asset_ids=payload.asset_ids,
                                                     consumption_scope=payload.consumption_scope))


@router.post("/offsets/{offset_id}/price", response=OffsetOut, summary="提出抵付价款（及选定资产）")
def propose_price(request: HttpRequest, offset_id: Id, payload: PriceIn):
    return OffsetOut.of(actions.propose_offset_price(acting_user(request, write=True), offset_id, payload.price_fen, payload.asset_id))


@router.post("/offsets/{offset_id}/agree", response=OffsetOut, summary="对方确认价款")
def agree_price(request: HttpRequest, offset_id: Id):
    return OffsetOut.of(actions.accept_offset_price(acting_user(request, write=True), offset_id))


@router.post("/offsets/{offset_id}/evidence", response={201: EvidenceOut},
             summary="上传证明材料（交付确认 delivery / 权属转移登记 title / 消费结算单 settlement / 补足款凭证 top_up / "
                     "应付债务合同 payable / 其他 other；PDF/PNG/JPEG）")
def add_evidence(request: HttpRequest, offset_id: Id, kind: Form[str], file: File[UploadedFile]):
    e = actions.add_offset_evidence(acting_user(request, write=True), offset_id, kind, file.name, read_limited(file, upload_limit()))
    return Status(201, EvidenceOut.of(e))


@router.get("/offsets/{offset_id}/evidence", response=list[EvidenceOut], summary="证明材料列表（名称、大小、SHA-256）")
def list_evidence(request: HttpRequest, offset_id: Id):
    return [EvidenceOut.of(e) for e in queries.get_offset(acting_user(request), offset_id).evidence.all()]


@router.post("/offsets/{offset_id}/delivery", response=OffsetOut,
             summary="债务人登记交付与权属转移登记（或消费结算），须已上传证明材料；待持有人确认")
def record_delivery(request: HttpRequest, offset_id: Id, payload: DeliveryIn):
    return OffsetOut.of(actions.record_offset_delivery(acting_user(request, write=True), offset_id, **payload.dict()))


@router.post("/offsets/{offset_id}/debt-confirmation", response=OffsetOut,
             summary="抵偿债务：债务人确认持有人的应付债务及抵偿（须持有人已上传应付债务合同）；待运营机构注销登记")
def confirm_debt_setoff(request: HttpRequest, offset_id: Id):
    return OffsetOut.of(actions.confirm_debt_setoff(acting_user(request, write=True), offset_id))


@router.post("/offsets/{offset_id}/receipt", response=OffsetOut, summary="持有人确认收到资产（及权属）或消费；待运营机构注销登记")
def confirm_receipt(request: HttpRequest, offset_id: Id):
    return OffsetOut.of(actions.confirm_offset_receipt(acting_user(request, write=True), offset_id))


@router.post("/offsets/{offset_id}/return", response=OffsetOut, summary="退回债务人补正（持有人确认前，或运营机构注销登记前；须说明理由）")
def return_delivery(request: HttpRequest, offset_id: Id, payload: CertificateReasonIn):
    return OffsetOut.of(actions.return_offset_delivery(acting_user(request, write=True), offset_id, payload.reason))


@router.post("/offsets/{offset_id}/cancellation", response=OffsetOut, summary="运营机构注销登记：注销抵付债权（剩余部分继续持有）")
def register_cancellation(request: HttpRequest, offset_id: Id):
    return OffsetOut.of(actions.register_offset_cancellation(acting_user(request, write=True), offset_id))


@router.post("/offsets/{offset_id}/close", response=OffsetOut, summary="债务人不予办理（须说明理由）或持有人撤回")
def close_offset(request: HttpRequest, offset_id: Id, payload: CertificateReasonIn):
    return OffsetOut.of(actions.close_offset(acting_user(request, write=True), offset_id, payload.reason))
