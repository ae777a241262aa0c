"""Offset API: assets, offset applications from apply to completion."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from liuzhuan.core.api_pages import paged, rows
from liuzhuan.core.api_types import Date, Fen, Id, IdIn
from liuzhuan.members.api_auth import acting_user

from ..ledger.schemas import CertificateReasonIn
from . import actions, queries
from .models import OffsetApplication, OffsetAsset

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
    kind: str = Field(..., description="asset（资产抵付）或 consumption（消费抵付）")
    amount_fen: Fen
    note: str = ""


class OptionsIn(Schema):
    asset_ids: list[IdIn] = []
    consumption_scope: str = ""


class PriceIn(Schema):
    price_fen: Fen
    asset_id: IdIn | None = None


class CompleteIn(Schema):
    delivery_ref: str
    title_registration_ref: str = ""
    settlement_ref: str = ""
    cash_top_up_ref: str = ""
    cash_top_up_date: Date | None = None


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

    @staticmethod
    def of(o: OffsetApplication) -> OffsetOut:
        return OffsetOut(
            id=o.pk, number=o.number, kind=o.kind, certificate=o.certificate.number, piece_id=o.piece_id, piece=o.piece.number,
            holder_id=o.holder_id, debtor_id=o.debtor_id, amount_fen=o.amount_fen, status=o.status, status_label=o.get_status_display(),
            offered_asset_ids=sorted(a.pk for a in o.offered_assets.all()), consumption_scope=o.consumption_scope,
            asset_id=o.asset_id, price_fen=o.price_fen, proposed_by_org_id=o.proposed_by_org_id, offset_fen=o.offset_fen,
            remainder_piece=o.remainder_piece.number if o.remainder_piece_id else None, cash_top_up_fen=o.cash_top_up_fen,
            delivery_ref=o.delivery_ref, title_registration_ref=o.title_registration_ref, settlement_ref=o.settlement_ref,
        )


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
    o = actions.apply_offset(acting_user(request, write=True), piece_id, payload.kind, payload.amount_fen, payload.note)
    return Status(201, OffsetOut.of(o))


@router.get("/offsets", response=list[OffsetOut], summary="抵付申请（持有人或债务人）")
@paged(1000)
def list_offsets(request: HttpRequest, status: str | None = None):
    qs = queries.visible_offsets(acting_user(request)).prefetch_related("offered_assets").select_related("remainder_piece")
    if status:
        qs = qs.filter(status=status)
    return rows(qs, OffsetOut.of)


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


@router.post("/offsets/{offset_id}/complete", response=OffsetOut, summary="债务人确认交付与权属登记（或消费结算），注销债权")
def complete_offset(request: HttpRequest, offset_id: Id, payload: CompleteIn):
    return OffsetOut.of(actions.complete_offset(acting_user(request, write=True), offset_id, **payload.dict()))


@router.post("/offsets/{offset_id}/close", response=OffsetOut, summary="债务人不予办理（须说明理由）或持有人撤回")
def close_offset(request: HttpRequest, offset_id: Id, payload: CertificateReasonIn):
    return OffsetOut.of(actions.close_offset(acting_user(request, write=True), offset_id, payload.reason))
