"""Market purchase API: purchases, the purchaser's book, the certificate application."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from liuzhuan.core.api_pages import paged, rows
from liuzhuan.core.api_types import Count, Date, Days, Fen, Id, IdIn
from liuzhuan.core.permissions import require_role
from liuzhuan.core.roles import Role
from liuzhuan.members.api_auth import acting_user

from ..issuance.rules import GUARANTEE_MAX_CHARS, MATURITY_TEXT
from ..ledger.schemas import CertificateReasonIn
from ..purchase.api import CommitmentOut
from . import actions, queries
from .models import ReceivablePurchase

router = Router()


class ReceivablePurchaseIn(Schema):
    seller_id: IdIn
    original_debtor_name: str
    receivable_fen: Fen
    price_fen: Fen
    agreement_ref: str
    agreement_date: Date
    description: str = ""
    original_debtor_id: IdIn | None = None


class PurchaseApplyIn(Schema):
    maturity_date: Date = Field(..., description=MATURITY_TEXT)
    offset_scope: list[str] = Field(default_factory=list, max_length=6, description="可抵付范围（同凭证申请 offset_scope）")
    extension_days: Days | None = None
    extension_max: Count | None = None
    extension_conditions: list[str] = Field(default_factory=list, max_length=3, description="展期约定情形（同凭证申请 extension_conditions）")
    guarantee_text: str = Field("", max_length=GUARANTEE_MAX_CHARS)


class ReceivablePurchaseOut(Schema):
    id: int
    number: str
    purchaser_id: int
    seller_id: int
    seller: str
    original_debtor_name: str
    receivable_fen: int
    price_fen: int
    agreement_ref: str
    agreement_date: dt.date
    status: str
    status_label: str
    application: str | None
    application_status: str | None
    certificate: str | None

    @staticmethod
    def of(rp: ReceivablePurchase) -> ReceivablePurchaseOut:
        cert = queries.purchase_certificate(rp)
        return ReceivablePurchaseOut(
            id=rp.pk, number=rp.number, purchaser_id=rp.purchaser_id, seller_id=rp.seller_id, seller=rp.seller.name,
            original_debtor_name=rp.original_debtor_name, receivable_fen=rp.receivable_fen, price_fen=rp.price_fen,
            agreement_ref=rp.agreement_ref, agreement_date=rp.agreement_date, status=rp.status, status_label=rp.get_status_display(),
            application=rp.application.number if rp.application_id else None,
            application_status=rp.application.status if rp.application_id else None, certificate=cert.number if cert else None,
        )


class PurchaserBookOut(Schema):
    receivable_fen: int
    price_fen: int
    certified_fen: int
    outstanding_as_debtor_fen: int
    offset_as_debtor_fen: int
    bought_amount_fen: int
    bought_price_fen: int
    purchases: list[ReceivablePurchaseOut]
    commitments: list[CommitmentOut]


@router.post("/receivable-purchases", response={201: ReceivablePurchaseOut}, summary="市场化收购主体登记收购中小微企业应收账款")
def record_purchase(request: HttpRequest, payload: ReceivablePurchaseIn):
    rp = actions.record_receivable_purchase(acting_user(request, write=True), **payload.dict())
    return Status(201, ReceivablePurchaseOut.of(rp))


@router.get("/receivable-purchases", response=list[ReceivablePurchaseOut], summary="收购记录（收购方或出让企业）")
@paged(1000)
def list_purchases(request: HttpRequest):
    return rows(queries.visible_purchases(acting_user(request)), ReceivablePurchaseOut.of)


@router.get("/receivable-purchases/book", response=PurchaserBookOut, summary="市场化收购主体台账")
def purchaser_book(request: HttpRequest):
    user = acting_user(request)
    require_role(user, Role.PURCHASER, active_org=False)
    book = queries.purchaser_book(user.organisation_id)
    return PurchaserBookOut(
        **{k: v for k, v in book.items() if k not in ("purchases", "commitments")},
        purchases=[ReceivablePurchaseOut.of(rp) for rp in book["purchases"]],
        commitments=[CommitmentOut.of(c) for c in book["commitments"]],
    )


@router.post("/receivable-purchases/{rp_id}/apply", response=ReceivablePurchaseOut, summary="以收购方为债务人申请向出让企业开具凭证")
def apply_purchase_certificate(request: HttpRequest, rp_id: Id, payload: PurchaseApplyIn):
    return ReceivablePurchaseOut.of(actions.apply_for_purchase_certificate(acting_user(request, write=True), rp_id, **payload.dict()))


@router.post("/receivable-purchases/{rp_id}/cancel", response=ReceivablePurchaseOut, summary="撤销收购记录")
def cancel_purchase(request: HttpRequest, rp_id: Id, payload: CertificateReasonIn):
    return ReceivablePurchaseOut.of(actions.cancel_receivable_purchase(acting_user(request, write=True), rp_id, payload.reason))
