"""Housing API (/api/v1/housing): the pool, the four scenarios and the registration checklist,
mirroring the actions. Schema names carry the ``Housing`` prefix; errors are ``{code, message,
field}`` with a Chinese message naming the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from liuzhuan.certificates.ledger.uploads import upload_limit
from liuzhuan.core.api_pages import paged, rows
from liuzhuan.core.api_types import Date, Flag, Id, IdIn, PositiveFen
from liuzhuan.core.uploads import read_limited
from liuzhuan.members.api_auth import acting_user

from . import actions, offsetting, queries
from .filters import TransactionFilter, UnitFilter, filtered
from .models import HousingTransaction, Unit

router = Router(tags=["存量房盘活"])


class HousingUnitIn(Schema):
    kind: str = Field(..., max_length=12, description="new 一手房 / resale 二手房 / stalled 烂尾楼 / foreclosed 抵债房")
    project: str = Field(..., max_length=100)
    building: str = Field(..., max_length=30)
    unit_no: str = Field(..., max_length=30)
    area_m2: Decimal = Field(..., max_digits=9, decimal_places=2, description="建筑面积（平方米）")
    use: str = Field("home", max_length=10, description="home 住宅 / shop 商业 / parking 车位 / other 其他")
    valuation_fen: PositiveFen
    valuation_basis: str = Field(..., max_length=200)
    valuation_date: Date
    title_no: str = Field("", max_length=100)
    mortgaged: Flag = False
    encumbrances: str = Field("", max_length=300)


class HousingUnitAddIn(HousingUnitIn):
    owner_id: IdIn | None = Field(None, description="原权利人（默认本机构）")


class HousingHandoverIn(HousingUnitIn):
    owner_id: IdIn
    agreed_fen: PositiveFen
    agreement_ref: str = Field(..., max_length=60)
    contract_date: Date
    maturity_date: Date


class HousingUnitOut(Schema):
    id: int
    number: str
    kind: str
    kind_label: str
    project: str
    building: str
    unit_no: str
    area_m2: Decimal
    use: str
    valuation_fen: int
    valuation_basis: str
    valuation_date: dt.date
    owner_id: int
    manager_id: int
    mortgaged: bool
    encumbrances: str
    status: str
    status_label: str
    asset_id: int | None

    @staticmethod
    def of(u: Unit) -> HousingUnitOut:
        return HousingUnitOut(id=u.pk, number=u.number, kind=u.kind, kind_label=u.get_kind_display(), project=u.project, building=u.building,
                              unit_no=u.unit_no, area_m2=u.area_m2, use=u.use, valuation_fen=u.valuation_fen, valuation_basis=u.valuation_basis,
                              valuation_date=u.valuation_date, owner_id=u.owner_id, manager_id=u.manager_id, mortgaged=u.mortgaged,
                              encumbrances=u.encumbrances, status=u.status, status_label=u.get_status_display(), asset_id=u.asset_id)


class HousingStepOut(Schema):
    step: str
    label: str
    required: bool
    ref_no: str | None
    done_on: dt.date | None
    recorded_by_id: int | None


class HousingShareOut(Schema):
    holder_id: int
    offset_id: int
    offset_number: str
    piece: str
    amount_fen: int
    offset_status: str


class HousingTxOut(Schema):
    id: int
    number: str
    kind: str
    kind_label: str
    unit_id: int
    manager_id: int
    counterparty_id: int
    co_holder_ids: list[int]
    price_fen: int
    agreement_ref: str
    status: str
    status_label: str
    application_id: int | None
    payment_fen: int
    payer: str
    payment_ref: str
    payment_date: dt.date | None
    credit_fen: int
    checklist: list[HousingStepOut]
    missing_steps: list[str]
    shares: list[HousingShareOut]
    completed_at: dt.datetime | None
    closed_reason: str

    @staticmethod
    def of(t: HousingTransaction) -> HousingTxOut:
        return HousingTxOut(
            id=t.pk, number=t.number, kind=t.kind, kind_label=t.get_kind_display(), unit_id=t.unit_id, manager_id=t.manager_id,
            counterparty_id=t.counterparty_id, co_holder_ids=sorted(t.co_holders.values_list("pk", flat=True)), price_fen=t.price_fen,
            agreement_ref=t.agreement_ref, status=t.status, status_label=t.get_status_display(), application_id=t.application_id,
            payment_fen=t.payment_fen, payer=t.payer, payment_ref=t.payment_ref, payment_date=t.payment_date, credit_fen=offsetting.credit_fen(t),
            checklist=[HousingStepOut(step=c["code"], label=c["label"], required=c["required"], ref_no=c["row"].ref_no if c["row"] else None,
                                      done_on=c["row"].done_on if c["row"] else None, recorded_by_id=c["row"].recorded_by_id if c["row"] else None)
                       for c in queries.checklist(t)],
            missing_steps=actions.missing_steps(t),
            shares=[HousingShareOut(holder_id=s.holder_id, offset_id=s.offset_id, offset_number=s.offset.number, piece=s.offset.piece.number,
                                    amount_fen=s.amount_fen, offset_status=s.offset.status)
                    for s in t.shares.select_related("offset", "offset__piece")],
            completed_at=t.completed_at, closed_reason=t.closed_reason,
        )


class HousingRevalueIn(Schema):
    valuation_fen: PositiveFen
    valuation_basis: str = Field(..., max_length=200)
    valuation_date: Date


class HousingReasonIn(Schema):
    reason: str = Field("", max_length=300)


class HousingSaleIn(Schema):
    buyer_id: IdIn
    price_fen: PositiveFen
    agreement_ref: str = Field(..., max_length=60)


class HousingExchangeIn(Schema):
    price_fen: PositiveFen
    agreement_ref: str = Field(..., max_length=60)


class HousingOffsetIn(Schema):
    co_holder_ids: list[IdIn] = Field([], max_length=20, description="共同抵付的持有人")


class HousingPaymentIn(Schema):
    amount_fen: PositiveFen
    payer: str = Field(..., max_length=100)
    bank_ref: str = Field(..., max_length=60)
    paid_on: Date


class HousingTopUpIn(Schema):
    payer: str = Field(..., max_length=100)
    bank_ref: str = Field(..., max_length=60)
    paid_on: Date
    account_no: str = Field("", max_length=40, description="资金监管账号（有生效的监管协议时必填）")


class HousingStepIn(Schema):
    step: str = Field(..., max_length=20, description="net_sign 网签备案 / net_sign_cancel 网签撤销 / pre_registration 预告登记 / "
                                                       "mortgage 抵押登记 / mortgage_release 抵押注销登记 / transfer 不动产转移登记")
    ref_no: str = Field(..., max_length=60)
    done_on: Date


class HousingPieceIn(Schema):
    piece_id: IdIn
    amount_fen: PositiveFen


@router.get("/units", response=list[HousingUnitOut], summary="房源池（本机构可见的房源）")
@paged(500)
def list_units(request: HttpRequest, status: str | None = None, kind: str | None = None):
    return rows(filtered(UnitFilter, {"status": status, "kind": kind}, queries.visible_units(acting_user(request))), HousingUnitOut.of)


@router.get("/units/{unit_id}", response=HousingUnitOut, summary="房源详情")
def get_unit(request: HttpRequest, unit_id: Id):
    return HousingUnitOut.of(queries.get_unit(acting_user(request), unit_id))


@router.post("/units", response={201: HousingUnitOut}, summary="登记房源入池（存量房盘活主体）")
def add_unit(request: HttpRequest, payload: HousingUnitAddIn):
    return Status(201, HousingUnitOut.of(actions.add_unit(acting_user(request, write=True), **payload.dict())))


@router.post("/units/{unit_id}/revalue", response=HousingUnitOut, summary="重新评估")
def revalue(request: HttpRequest, unit_id: Id, payload: HousingRevalueIn):
    return HousingUnitOut.of(actions.revalue_unit(acting_user(request, write=True), unit_id, payload.valuation_fen, payload.valuation_basis,
                                                  payload.valuation_date))


@router.post("/units/{unit_id}/withdraw", response=HousingUnitOut, summary="房源退出盘活")
def withdraw(request: HttpRequest, unit_id: Id, payload: HousingReasonIn):
    return HousingUnitOut.of(actions.withdraw_unit(acting_user(request, write=True), unit_id, payload.reason))


@router.post("/handovers", response={201: HousingTxOut}, summary="登记房产移交并发起凭证开具申请（盘活主体为债务人）")
def open_handover(request: HttpRequest, payload: HousingHandoverIn):
    d = payload.dict()
    owner_id = d.pop("owner_id")
    return Status(201, HousingTxOut.of(actions.open_handover(acting_user(request, write=True), owner_id, **d)))


@router.post("/units/{unit_id}/exchange-back", response={201: HousingTxOut}, summary="登记房产换回")
def open_exchange_back(request: HttpRequest, unit_id: Id, payload: HousingExchangeIn):
    return Status(201, HousingTxOut.of(actions.open_exchange_back(acting_user(request, write=True), unit_id, **payload.dict())))


@router.post("/units/{unit_id}/cash-sale", response={201: HousingTxOut}, summary="登记房产现金销售")
def open_cash_sale(request: HttpRequest, unit_id: Id, payload: HousingSaleIn):
    return Status(201, HousingTxOut.of(actions.open_cash_sale(acting_user(request, write=True), unit_id, **payload.dict())))


@router.post("/units/{unit_id}/certificate-offset", response={201: HousingTxOut}, summary="以凭证债权认购房源（锁定房源）")
def open_offset(request: HttpRequest, unit_id: Id, payload: HousingOffsetIn):
    return Status(201, HousingTxOut.of(offsetting.open_offset(acting_user(request, write=True), unit_id, payload.co_holder_ids)))


@router.get("/transactions", response=list[HousingTxOut], summary="盘活业务")
@paged(200)
def list_transactions(request: HttpRequest, status: str | None = None, kind: str | None = None):
    qs = queries.visible_transactions(acting_user(request))
    return rows(filtered(TransactionFilter, {"status": status, "kind": kind}, qs), HousingTxOut.of)


@router.get("/transactions/{tx_id}", response=HousingTxOut, summary="盘活业务详情（含登记事项清单）")
def get_transaction(request: HttpRequest, tx_id: Id):
    return HousingTxOut.of(queries.get_transaction(acting_user(request), tx_id))


def _fresh(request, tx_id: int) -> HousingTxOut:
    return HousingTxOut.of(queries.get_transaction(acting_user(request), tx_id))


@router.post("/transactions/{tx_id}/steps", response={201: HousingTxOut}, summary="登记网签/不动产登记事项")
def record_step(request: HttpRequest, tx_id: Id, payload: HousingStepIn):
    actions.record_step(acting_user(request, write=True), tx_id, payload.step, payload.ref_no, payload.done_on)
    return Status(201, _fresh(request, tx_id))


@router.post("/transactions/{tx_id}/payment", response=HousingTxOut, summary="登记收款（换回、现金销售）")
def record_payment(request: HttpRequest, tx_id: Id, payload: HousingPaymentIn):
    actions.record_payment(acting_user(request, write=True), tx_id, **payload.dict())
    return _fresh(request, tx_id)


@router.post("/transactions/{tx_id}/pieces", response={201: HousingTxOut}, summary="持有人加入凭证分段（其余部分继续持有）")
def add_piece(request: HttpRequest, tx_id: Id, payload: HousingPieceIn):
    offsetting.add_piece(acting_user(request, write=True), tx_id, payload.piece_id, payload.amount_fen)
    return Status(201, _fresh(request, tx_id))


@router.post("/transactions/{tx_id}/agree", response=HousingTxOut, summary="盘活主体确认凭证抵付")
def agree(request: HttpRequest, tx_id: Id):
    offsetting.agree(acting_user(request, write=True), tx_id)
    return _fresh(request, tx_id)


@router.post("/transactions/{tx_id}/top-up", response=HousingTxOut, summary="登记持有人现金补足款")
def record_top_up(request: HttpRequest, tx_id: Id, payload: HousingTopUpIn):
    offsetting.record_top_up(acting_user(request, write=True), tx_id, **payload.dict())
    return _fresh(request, tx_id)


@router.post("/transactions/{tx_id}/deliver", response=HousingTxOut, summary="登记房产交付（上传交付确认书与登记证明，PDF/PNG/JPEG）")
def deliver(request: HttpRequest, tx_id: Id, delivery_doc: File[UploadedFile], title_doc: File[UploadedFile]):
    offsetting.deliver(acting_user(request, write=True), tx_id, delivery_doc=read_limited(delivery_doc, upload_limit(), "delivery_doc"),
                       title_doc=read_limited(title_doc, upload_limit(), "title_doc"), delivery_name=delivery_doc.name or "交付确认书.pdf",
                       title_name=title_doc.name or "登记证明.pdf")
    return _fresh(request, tx_id)


@router.post("/transactions/{tx_id}/receipt", response=HousingTxOut, summary="持有人确认收到房产")
def confirm_receipt(request: HttpRequest, tx_id: Id):
    offsetting.confirm_receipt(acting_user(request, write=True), tx_id)
    return _fresh(request, tx_id)


@router.post("/transactions/{tx_id}/complete", response=HousingTxOut,
             summary="办结（移交/换回/现金销售由盘活主体；凭证抵付由运营机构办理注销登记）")
def complete(request: HttpRequest, tx_id: Id):
    user = acting_user(request, write=True)
    tx = queries.get_transaction(user, tx_id)
    (offsetting.complete if tx.kind == "certificate_offset" else actions.complete)(user, tx_id)
    return _fresh(request, tx_id)


@router.post("/transactions/{tx_id}/cancel", response=HousingTxOut, summary="撤销（房源回池，凭证分段解除锁定）")
def cancel(request: HttpRequest, tx_id: Id, payload: HousingReasonIn):
    user = acting_user(request, write=True)
    tx = queries.get_transaction(user, tx_id)
    (offsetting.cancel if tx.kind == "certificate_offset" else actions.cancel)(user, tx_id, payload.reason)
    return _fresh(request, tx_id)
