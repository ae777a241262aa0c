"""Purchase-with-lock-up API: providers, commitments, sales."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from liuzhuan.core.api_pages import paged, rows
from liuzhuan.core.api_types import Count, Date, Fen, Flag, Id, IdIn
from liuzhuan.members.api_auth import acting_user
from liuzhuan.members.queries import sees_all

from ..ledger.schemas import CertificateReasonIn
from . import actions, queries
from .models import PurchaseCommitment, PurchaseProvider, PurchaseSale

router = Router()


class ProviderIn(Schema):
    org_id: IdIn
    capacity_fen: Fen
    note: str = ""


class ProviderDecideIn(Schema):
    agree: Flag
    reason: str = ""


class ProviderOut(Schema):
    id: int
    org_id: int
    org: str
    capacity_fen: int
    approved: bool
    proposed_capacity_fen: int | None
    outstanding_fen: int

    @staticmethod
    def of(p: PurchaseProvider, outstanding_fen: int | None = None) -> ProviderOut:
        if outstanding_fen is None:
            outstanding_fen = queries.provider_outstanding_fen(p.org_id)
        return ProviderOut(id=p.pk, org_id=p.org_id, org=p.org.name, capacity_fen=p.capacity_fen, approved=p.is_approved,
                           proposed_capacity_fen=p.proposed_capacity_fen, outstanding_fen=outstanding_fen)


class CommitmentIn(Schema):
    provider_org_id: IdIn
    price_kind: str = Field(..., description="percent（债权金额比例）或 fixed（全额固定价，按金额比例分摊）")
    price_bp: Count | None = Field(None, description="percent 时：债权金额的万分比，如 9500 = 95%")
    fixed_price_fen: Fen | None = None
    lockup_end: Date = Field(..., description="锁定期最后一天；次日起可申请收购")
    expiry: Date
    conditions: str = ""
    agreement_ref: str


class CommitmentOut(Schema):
    id: int
    number: str
    certificate_id: int
    certificate: str
    provider_id: int
    provider: str
    entrusted_by_id: int
    price_kind: str
    price_bp: int | None
    fixed_price_fen: int | None
    price_label: str
    limit_fen: int
    used_fen: int
    lockup_end: dt.date
    expiry: dt.date
    conditions: str
    agreement_ref: str
    status: str
    status_label: str

    @staticmethod
    def of(c: PurchaseCommitment) -> CommitmentOut:
        return CommitmentOut(
            id=c.pk, number=c.number, certificate_id=c.certificate_id, certificate=c.certificate.number, provider_id=c.provider_id,
            provider=c.provider.name, entrusted_by_id=c.entrusted_by_id, price_kind=c.price_kind, price_bp=c.price_bp,
            fixed_price_fen=c.fixed_price_fen, price_label=c.price_label, limit_fen=c.limit_fen, used_fen=c.used_fen,
            lockup_end=c.lockup_end, expiry=c.expiry, conditions=c.conditions, agreement_ref=c.agreement_ref, status=c.status,
            status_label=c.get_status_display(),
        )


class SaleIn(Schema):
    commitment_id: IdIn
    amount_fen: Fen


class SaleConfirmIn(Schema):
    payment_fen: Fen
    payment_date: Date
    payment_ref: str
    payment_account_no: str = Field("", description="收款的资金监管账号（资金监管协议生效期间必填）")


class SaleOut(Schema):
    id: int
    number: str
    commitment: str
    piece_id: int
    piece: str
    holder_id: int
    amount_fen: int
    price_fen: int
    status: str
    status_label: str
    payment_fen: int | None
    payment_date: dt.date | None
    payment_ref: str
    payment_account_no: str | None
    registration_no: str | None
    new_piece: str | None

    @staticmethod
    def of(s: PurchaseSale) -> SaleOut:
        t = s.transfer if s.transfer_id else None
        return SaleOut(id=s.pk, number=s.number, commitment=s.commitment.number, piece_id=s.piece_id, piece=s.piece.number,
                       holder_id=s.holder_id, amount_fen=s.amount_fen, price_fen=s.price_fen, status=s.status,
                       status_label=s.get_status_display(), payment_fen=s.payment_fen, payment_date=s.payment_date,
                       payment_ref=s.payment_ref, payment_account_no=s.payment_account.account_no if s.payment_account_id else None,
                       registration_no=t.registration_no if t else None,
                       new_piece=t.new_piece.number if t else None)


@router.get("/purchase-providers", response=list[ProviderOut], summary="经认可的收购服务提供方及额度")
def list_providers(request: HttpRequest):
    user = acting_user(request)
    providers = PurchaseProvider.objects.select_related("org").order_by("id")
    if sees_all(user):
        outstanding = queries.providers_outstanding_fen([p.org_id for p in providers])
        return [ProviderOut.of(p, outstanding[p.org_id]) for p in providers]
    # members see approved providers and their capacity, not pending proposals or utilisation
    return [ProviderOut(id=p.pk, org_id=p.org_id, org=p.org.name, capacity_fen=p.capacity_fen, approved=True,
                        proposed_capacity_fen=None, outstanding_fen=0) for p in providers if p.is_approved]


@router.post("/purchase-providers", response={201: ProviderOut}, summary="运营机构拟认可服务提供方或调整额度（经办）")
def prepare_provider(request: HttpRequest, payload: ProviderIn):
    p = actions.prepare_provider(acting_user(request, write=True), payload.org_id, payload.capacity_fen, payload.note)
    return Status(201, ProviderOut.of(p))


@router.post("/purchase-providers/{provider_id}/decide", response=ProviderOut, summary="复核认可（不同于经办人）")
def decide_provider(request: HttpRequest, provider_id: Id, payload: ProviderDecideIn):
    return ProviderOut.of(actions.decide_provider(acting_user(request, write=True), provider_id, payload.agree, payload.reason))


@router.post("/certs/{cert_id}/commitments", response={201: CommitmentOut}, summary="委托提供附带锁定期的收购承诺")
def request_commitment(request: HttpRequest, cert_id: Id, payload: CommitmentIn):
    c = actions.request_commitment(acting_user(request, write=True), cert_id, payload.provider_org_id, price_kind=payload.price_kind,
                                   price_bp=payload.price_bp, fixed_price_fen=payload.fixed_price_fen, lockup_end=payload.lockup_end,
                                   expiry=payload.expiry, conditions=payload.conditions, agreement_ref=payload.agreement_ref)
    return Status(201, CommitmentOut.of(c))


@router.get("/commitments", response=list[CommitmentOut], summary="收购承诺（本机构相关）")
@paged(1000)
def list_commitments(request: HttpRequest, cert_id: Id | None = None):
    qs = queries.visible_commitments(acting_user(request))
    if cert_id:
        qs = qs.filter(certificate_id=cert_id)
    return rows(qs, CommitmentOut.of)


@router.get("/commitments/{commitment_id}", response=CommitmentOut, summary="收购承诺详情")
def get_commitment(request: HttpRequest, commitment_id: Id):
    return CommitmentOut.of(queries.get_commitment(acting_user(request), commitment_id))


@router.post("/commitments/{commitment_id}/accept", response=CommitmentOut, summary="服务提供方接受（不超过认可额度）")
def accept_commitment(request: HttpRequest, commitment_id: Id):
    return CommitmentOut.of(actions.accept_commitment(acting_user(request, write=True), commitment_id))


@router.post("/commitments/{commitment_id}/close", response=CommitmentOut, summary="接受前：服务方拒绝或委托方撤回")
def close_commitment(request: HttpRequest, commitment_id: Id, payload: CertificateReasonIn):
    return CommitmentOut.of(actions.close_commitment(acting_user(request, write=True), commitment_id, payload.reason))


@router.post("/pieces/{piece_id}/sell", response={201: SaleOut}, summary="锁定期满后申请按承诺转让给服务提供方")
def apply_sale(request: HttpRequest, piece_id: Id, payload: SaleIn):
    s = actions.apply_sale(acting_user(request, write=True), piece_id, payload.commitment_id, payload.amount_fen)
    return Status(201, SaleOut.of(s))


@router.get("/sales", response=list[SaleOut], summary="收购申请（持有人或服务提供方）")
@paged(1000)
def list_sales(request: HttpRequest):
    return rows(queries.visible_sales(acting_user(request)).select_related("transfer", "transfer__new_piece"), SaleOut.of)


@router.post("/sales/{sale_id}/confirm", response=SaleOut, summary="服务提供方确认付款，债权转至服务提供方")
def confirm_sale(request: HttpRequest, sale_id: Id, payload: SaleConfirmIn):
    return SaleOut.of(actions.confirm_sale(acting_user(request, write=True), sale_id, payment_fen=payload.payment_fen,
                                           payment_date=payload.payment_date, payment_ref=payload.payment_ref,
                                           payment_account_no=payload.payment_account_no))


@router.post("/sales/{sale_id}/close", response=SaleOut, summary="服务提供方拒绝（须说明理由）或持有人撤回")
def close_sale(request: HttpRequest, sale_id: Id, payload: CertificateReasonIn):
    return SaleOut.of(actions.close_sale(acting_user(request, write=True), sale_id, payload.reason))
