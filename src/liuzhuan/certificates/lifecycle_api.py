"""Certificate lifecycle API (mounted under /api/v1/certificates): pledge, purchase with lock-up,
offset, void, maturity, market purchase. Thin: parse, call a lifecycle action, serialise."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from liuzhuan.api import acting_user
from liuzhuan.core.errors import NotFound
from liuzhuan.core.permissions import require_role
from liuzhuan.core.roles import Role
from liuzhuan.members.queries import sees_all

from . import lifecycle
from . import lifecycle_queries as lq
from .models import (
    Certificate,
    CertificateVoid,
    OffsetApplication,
    OffsetAsset,
    Pledge,
    PledgedTransfer,
    PurchaseCommitment,
    PurchaseProvider,
    PurchaseSale,
    ReceivablePurchase,
)

router = Router(tags=["凭证生命周期：质押、收购、抵付、作废、展期"])


# --- schemas -----------------------------------------------------------------------------------


class PledgeIn(Schema):
    pledgee_id: int
    amount_fen: int = Field(..., description="质押金额（分）；小于分段金额时先拆分")
    contract_ref: str
    secured_fen: int = Field(..., description="担保主债权金额（分）")
    start_date: dt.date
    end_date: dt.date
    registration_required: bool = Field(True, description="属《动产和权利担保统一登记办法》登记范围：登记后生效")


class PledgeOut(Schema):
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
        )


class PledgeBookOut(Schema):
    effective_fen: int
    pending_fen: int
    secured_fen: int
    pledges: list[PledgeOut]


class RegisterIn(Schema):
    registration_no: str = ""
    registration_date: dt.date | None = None


class ReasonIn(Schema):
    reason: str = ""


class EnforceIn(Schema):
    default_date: dt.date
    reason: str
    agreement_ref: str = Field(..., description="折价协议或变卖协议编号")
    buyer_org_id: int | None = Field(None, description="变卖给第三方时填写；为空则由质权人折价受让")


class PledgedTransferIn(Schema):
    to_org_id: int
    agreement_ref: str


class DecisionIn(Schema):
    agree: bool
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
    agree: bool = True
    reason: str = ""


class ProviderIn(Schema):
    org_id: int
    capacity_fen: int
    note: str = ""


class ProviderDecideIn(Schema):
    agree: bool
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
            outstanding_fen = lifecycle.provider_outstanding_fen(p.org_id)
        return ProviderOut(id=p.pk, org_id=p.org_id, org=p.org.name, capacity_fen=p.capacity_fen, approved=p.is_approved,
                           proposed_capacity_fen=p.proposed_capacity_fen, outstanding_fen=outstanding_fen)


class CommitmentIn(Schema):
    provider_org_id: int
    price_kind: str = Field(..., description="percent（债权金额比例）或 fixed（全额固定价，按金额比例分摊）")
    price_bp: int | None = Field(None, description="percent 时：债权金额的万分比，如 9500 = 95%")
    fixed_price_fen: int | None = None
    lockup_end: dt.date = Field(..., description="锁定期最后一天；次日起可申请收购")
    expiry: dt.date
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
    commitment_id: int
    amount_fen: int


class SaleConfirmIn(Schema):
    payment_fen: int
    payment_date: dt.date
    payment_ref: str


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
    registration_no: str | None
    new_piece: str | None

    @staticmethod
    def of(s: PurchaseSale) -> SaleOut:
        t = s.transfer if s.transfer_id else None
        return SaleOut(id=s.pk, number=s.number, commitment=s.commitment.number, piece_id=s.piece_id, piece=s.piece.number,
                       holder_id=s.holder_id, amount_fen=s.amount_fen, price_fen=s.price_fen, status=s.status,
                       status_label=s.get_status_display(), payment_fen=s.payment_fen, payment_date=s.payment_date,
                       payment_ref=s.payment_ref, registration_no=t.registration_no if t else None,
                       new_piece=t.new_piece.number if t else None)


class AssetIn(Schema):
    kind: str
    name: str
    list_price_fen: int
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
    amount_fen: int
    note: str = ""


class OptionsIn(Schema):
    asset_ids: list[int] = []
    consumption_scope: str = ""


class PriceIn(Schema):
    price_fen: int
    asset_id: int | None = None


class CompleteIn(Schema):
    delivery_ref: str
    title_registration_ref: str = ""
    settlement_ref: str = ""
    cash_top_up_ref: str = ""
    cash_top_up_date: dt.date | None = None


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


class VoidIn(Schema):
    reason: str


class VoidOut(Schema):
    id: int
    certificate: str
    reason: str
    status: str
    status_label: str

    @staticmethod
    def of(v: CertificateVoid) -> VoidOut:
        return VoidOut(id=v.pk, certificate=v.certificate.number, reason=v.reason, status=v.status, status_label=v.get_status_display())


class ExtensionOut(Schema):
    seq: int
    from_date: dt.date
    to_date: dt.date
    run_date: dt.date
    outstanding_fen: int


class MaturityOut(Schema):
    certificate: str
    original_maturity: dt.date
    maturity_date: dt.date
    extension_days: int | None
    extension_max: int | None
    extension_count: int
    overdue_since: dt.date | None
    rule: str
    extensions: list[ExtensionOut]


class ReceivablePurchaseIn(Schema):
    seller_id: int
    original_debtor_name: str
    receivable_fen: int
    price_fen: int
    agreement_ref: str
    agreement_date: dt.date
    description: str = ""
    original_debtor_id: int | None = None


class PurchaseApplyIn(Schema):
    maturity_date: dt.date
    settle_by_asset: bool = True
    settle_by_consumption: bool = False
    accepted_categories: str = ""
    extension_days: int | None = None
    extension_max: int | None = None
    guarantee_text: str = ""


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
        cert = lq.purchase_certificate(rp)
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


# --- pledge ------------------------------------------------------------------------------------


@router.post("/pieces/{piece_id}/pledge", response={201: PledgeOut}, summary="质押（持有人向质权人出质，全部或部分）")
def create_pledge(request: HttpRequest, piece_id: int, payload: PledgeIn):
    p = lifecycle.create_pledge(acting_user(request, write=True), piece_id, payload.pledgee_id, payload.amount_fen, payload.contract_ref,
                                payload.secured_fen, payload.start_date, payload.end_date, payload.registration_required)
    return Status(201, PledgeOut.of(p))


@router.get("/pledges", response=list[PledgeOut], summary="质押（本机构作为出质人或质权人；运营与监管可见全部）")
def list_pledges(request: HttpRequest, status: str | None = None):
    qs = lq.visible_pledges(acting_user(request))
    if status:
        qs = qs.filter(status=status)
    return [PledgeOut.of(p) for p in qs[:1000]]


@router.get("/pledgee/pledges", response=PledgeBookOut, summary="质押给本行的全部凭证分段（合作银行）")
def pledge_book(request: HttpRequest):
    user = acting_user(request)
    require_role(user, Role.BANK, active_org=False)
    org_id = user.organisation_id
    return PledgeBookOut(**lq.pledge_book_totals(org_id), pledges=[PledgeOut.of(p) for p in lq.pledges_to(org_id)[:2000]])


@router.get("/pledges/{pledge_id}", response=PledgeOut, summary="质押详情")
def get_pledge(request: HttpRequest, pledge_id: int):
    return PledgeOut.of(lq.get_pledge(acting_user(request), pledge_id))


@router.post("/pledges/{pledge_id}/register", response=PledgeOut, summary="质权人录入统一登记编号与日期（质押生效）")
def register_pledge(request: HttpRequest, pledge_id: int, payload: RegisterIn):
    return PledgeOut.of(lifecycle.register_pledge(acting_user(request, write=True), pledge_id, payload.registration_no, payload.registration_date))


@router.post("/pledges/{pledge_id}/cancel", response=PledgeOut, summary="生效前撤销质押（出质人或质权人）")
def cancel_pledge(request: HttpRequest, pledge_id: int, payload: ReasonIn):
    return PledgeOut.of(lifecycle.cancel_pledge(acting_user(request, write=True), pledge_id, payload.reason))


@router.post("/pledges/{pledge_id}/release", response=PledgeOut, summary="解押（质权人）")
def release_pledge(request: HttpRequest, pledge_id: int, payload: ReasonIn):
    return PledgeOut.of(lifecycle.release_pledge(acting_user(request, write=True), pledge_id, payload.reason))


@router.post("/pledges/{pledge_id}/enforce", response=PledgeOut, summary="质权实现（违约后转让给质权人或其指定的受让人）")
def enforce_pledge(request: HttpRequest, pledge_id: int, payload: EnforceIn):
    return PledgeOut.of(lifecycle.enforce_pledge(acting_user(request, write=True), pledge_id, default_date=payload.default_date,
                                                 reason=payload.reason, agreement_ref=payload.agreement_ref, buyer_org_id=payload.buyer_org_id))


@router.post("/pledges/{pledge_id}/transfer-requests", response={201: PledgedTransferOut}, summary="出质人申请转让质押分段（须质权人同意）")
def request_pledged_transfer(request: HttpRequest, pledge_id: int, payload: PledgedTransferIn):
    r = lifecycle.request_pledged_transfer(acting_user(request, write=True), pledge_id, payload.to_org_id, payload.agreement_ref)
    return Status(201, PledgedTransferOut.of(r))


@router.post("/pledged-transfers/{req_id}/consent", response=PledgedTransferOut, summary="质权人同意或不同意转让")
def consent_pledged_transfer(request: HttpRequest, req_id: int, payload: DecisionIn):
    return PledgedTransferOut.of(lifecycle.consent_pledged_transfer(acting_user(request, write=True), req_id, payload.agree, payload.note))


@router.post("/pledged-transfers/{req_id}/accept", response=PledgedTransferOut, summary="受让方接收或拒收（接收后质押解除）")
def accept_pledged_transfer(request: HttpRequest, req_id: int, payload: AcceptIn):
    return PledgedTransferOut.of(lifecycle.accept_pledged_transfer(acting_user(request, write=True), req_id, payload.agree, payload.reason))


@router.post("/pledged-transfers/{req_id}/withdraw", response=PledgedTransferOut, summary="出质人撤回转让申请")
def withdraw_pledged_transfer(request: HttpRequest, req_id: int):
    return PledgedTransferOut.of(lifecycle.withdraw_pledged_transfer(acting_user(request, write=True), req_id))


# --- purchase with lock-up ---------------------------------------------------------------------


@router.get("/purchase-providers", response=list[ProviderOut], summary="经认可的收购服务提供方及额度")
def list_providers(request: HttpRequest):
    user = acting_user(request)
    providers = PurchaseProvider.objects.select_related("org").order_by("id")
    if sees_all(user):
        outstanding = lifecycle.providers_outstanding_fen([p.org_id for p in providers])
        return [ProviderOut.of(p, outstanding[p.org_id]) for p in providers]
    # members see approved providers and their capacity, not pending proposals or utilisation
    return [ProviderOut(id=p.pk, org_id=p.org_id, org=p.org.name, capacity_fen=p.capacity_fen, approved=True,
                        proposed_capacity_fen=None, outstanding_fen=0) for p in providers if p.is_approved]


@router.post("/purchase-providers", response={201: ProviderOut}, summary="运营机构拟认可服务提供方或调整额度（经办）")
def prepare_provider(request: HttpRequest, payload: ProviderIn):
    p = lifecycle.prepare_provider(acting_user(request, write=True), payload.org_id, payload.capacity_fen, payload.note)
    return Status(201, ProviderOut.of(p))


@router.post("/purchase-providers/{provider_id}/decide", response=ProviderOut, summary="复核认可（不同于经办人）")
def decide_provider(request: HttpRequest, provider_id: int, payload: ProviderDecideIn):
    return ProviderOut.of(lifecycle.decide_provider(acting_user(request, write=True), provider_id, payload.agree, payload.reason))


@router.post("/certs/{cert_id}/commitments", response={201: CommitmentOut}, summary="委托提供附带锁定期的收购承诺")
def request_commitment(request: HttpRequest, cert_id: int, payload: CommitmentIn):
    c = lifecycle.request_commitment(acting_user(request, write=True), cert_id, payload.provider_org_id, price_kind=payload.price_kind,
                                     price_bp=payload.price_bp, fixed_price_fen=payload.fixed_price_fen, lockup_end=payload.lockup_end,
                                     expiry=payload.expiry, conditions=payload.conditions, agreement_ref=payload.agreement_ref)
    return Status(201, CommitmentOut.of(c))


@router.get("/commitments", response=list[CommitmentOut], summary="收购承诺（本机构相关）")
def list_commitments(request: HttpRequest, cert_id: int | None = None):
    qs = lq.visible_commitments(acting_user(request))
    if cert_id:
        qs = qs.filter(certificate_id=cert_id)
    return [CommitmentOut.of(c) for c in qs[:1000]]


@router.get("/commitments/{commitment_id}", response=CommitmentOut, summary="收购承诺详情")
def get_commitment(request: HttpRequest, commitment_id: int):
    return CommitmentOut.of(lq.get_commitment(acting_user(request), commitment_id))


@router.post("/commitments/{commitment_id}/accept", response=CommitmentOut, summary="服务提供方接受（不超过认可额度）")
def accept_commitment(request: HttpRequest, commitment_id: int):
    return CommitmentOut.of(lifecycle.accept_commitment(acting_user(request, write=True), commitment_id))


@router.post("/commitments/{commitment_id}/close", response=CommitmentOut, summary="接受前：服务方拒绝或委托方撤回")
def close_commitment(request: HttpRequest, commitment_id: int, payload: ReasonIn):
    return CommitmentOut.of(lifecycle.close_commitment(acting_user(request, write=True), commitment_id, payload.reason))


@router.post("/pieces/{piece_id}/sell", response={201: SaleOut}, summary="锁定期满后申请按承诺转让给服务提供方")
def apply_sale(request: HttpRequest, piece_id: int, payload: SaleIn):
    s = lifecycle.apply_sale(acting_user(request, write=True), piece_id, payload.commitment_id, payload.amount_fen)
    return Status(201, SaleOut.of(s))


@router.get("/sales", response=list[SaleOut], summary="收购申请（持有人或服务提供方）")
def list_sales(request: HttpRequest):
    return [SaleOut.of(s) for s in lq.visible_sales(acting_user(request)).select_related("transfer", "transfer__new_piece")[:1000]]


@router.post("/sales/{sale_id}/confirm", response=SaleOut, summary="服务提供方确认付款，债权转至服务提供方")
def confirm_sale(request: HttpRequest, sale_id: int, payload: SaleConfirmIn):
    return SaleOut.of(lifecycle.confirm_sale(acting_user(request, write=True), sale_id, payment_fen=payload.payment_fen,
                                             payment_date=payload.payment_date, payment_ref=payload.payment_ref))


@router.post("/sales/{sale_id}/close", response=SaleOut, summary="服务提供方拒绝（须说明理由）或持有人撤回")
def close_sale(request: HttpRequest, sale_id: int, payload: ReasonIn):
    return SaleOut.of(lifecycle.close_sale(acting_user(request, write=True), sale_id, payload.reason))


# --- offset ------------------------------------------------------------------------------------


@router.post("/assets", response={201: AssetOut}, summary="登记可抵付资产（债务人或存量房盘活主体）")
def add_asset(request: HttpRequest, payload: AssetIn):
    a = lifecycle.add_asset(acting_user(request, write=True), kind=payload.kind, name=payload.name, list_price_fen=payload.list_price_fen,
                            location=payload.location, title_no=payload.title_no)
    return Status(201, AssetOut.of(a))


@router.get("/assets", response=list[AssetOut], summary="本机构登记的资产")
def list_assets(request: HttpRequest):
    return [AssetOut.of(a) for a in lq.own_assets(acting_user(request).organisation_id).select_related("owner")]


@router.post("/assets/{asset_id}/withdraw", response=AssetOut, summary="下架资产")
def withdraw_asset(request: HttpRequest, asset_id: int):
    return AssetOut.of(lifecycle.withdraw_asset(acting_user(request, write=True), asset_id))


@router.post("/pieces/{piece_id}/offset", response={201: OffsetOut}, summary="向债务人申请资产抵付或消费抵付（锁定分段）")
def apply_offset(request: HttpRequest, piece_id: int, payload: OffsetIn):
    o = lifecycle.apply_offset(acting_user(request, write=True), piece_id, payload.kind, payload.amount_fen, payload.note)
    return Status(201, OffsetOut.of(o))


@router.get("/offsets", response=list[OffsetOut], summary="抵付申请（持有人或债务人）")
def list_offsets(request: HttpRequest, status: str | None = None):
    qs = lq.visible_offsets(acting_user(request)).prefetch_related("offered_assets").select_related("remainder_piece")
    if status:
        qs = qs.filter(status=status)
    return [OffsetOut.of(o) for o in qs[:1000]]


@router.get("/offsets/{offset_id}", response=OffsetOut, summary="抵付申请详情")
def get_offset(request: HttpRequest, offset_id: int):
    return OffsetOut.of(lq.get_offset(acting_user(request), offset_id))


@router.post("/offsets/{offset_id}/options", response=OffsetOut, summary="债务人核查后提供资产清单或消费范围")
def offer_options(request: HttpRequest, offset_id: int, payload: OptionsIn):
    return OffsetOut.of(lifecycle.offer_offset_options(acting_user(request, write=True), offset_id, asset_ids=payload.asset_ids,
                                                       consumption_scope=payload.consumption_scope))


@router.post("/offsets/{offset_id}/price", response=OffsetOut, summary="提出抵付价款（及选定资产）")
def propose_price(request: HttpRequest, offset_id: int, payload: PriceIn):
    return OffsetOut.of(lifecycle.propose_offset_price(acting_user(request, write=True), offset_id, payload.price_fen, payload.asset_id))


@router.post("/offsets/{offset_id}/agree", response=OffsetOut, summary="对方确认价款")
def agree_price(request: HttpRequest, offset_id: int):
    return OffsetOut.of(lifecycle.accept_offset_price(acting_user(request, write=True), offset_id))


@router.post("/offsets/{offset_id}/complete", response=OffsetOut, summary="债务人确认交付与权属登记（或消费结算），注销债权")
def complete_offset(request: HttpRequest, offset_id: int, payload: CompleteIn):
    return OffsetOut.of(lifecycle.complete_offset(acting_user(request, write=True), offset_id, **payload.dict()))


@router.post("/offsets/{offset_id}/close", response=OffsetOut, summary="债务人不予办理（须说明理由）或持有人撤回")
def close_offset(request: HttpRequest, offset_id: int, payload: ReasonIn):
    return OffsetOut.of(lifecycle.close_offset(acting_user(request, write=True), offset_id, payload.reason))


# --- void and maturity -------------------------------------------------------------------------


@router.post("/certs/{cert_id}/void", response={201: VoidOut}, summary="作废错误开具的凭证（运营经办；无任何流转时）")
def prepare_void(request: HttpRequest, cert_id: int, payload: VoidIn):
    return Status(201, VoidOut.of(lifecycle.prepare_void(acting_user(request, write=True), cert_id, payload.reason)))


@router.post("/voids/{void_id}/decide", response=VoidOut, summary="作废复核（不同于经办人）")
def decide_void(request: HttpRequest, void_id: int, payload: ProviderDecideIn):
    return VoidOut.of(lifecycle.decide_void(acting_user(request, write=True), void_id, payload.agree, payload.reason))


def _cert_for(user, cert_id: int) -> Certificate:
    cert = Certificate.objects.select_related("application").filter(pk=cert_id).first()
    if cert is None or not lq.can_see_certificate(user, cert):
        raise NotFound("凭证不存在")
    return cert


@router.get("/certs/{cert_id}/maturity", response=MaturityOut, summary="到期、展期与逾期情况")
def maturity(request: HttpRequest, cert_id: int):
    cert = _cert_for(acting_user(request), cert_id)
    app = cert.application
    return MaturityOut(
        certificate=cert.number, original_maturity=app.maturity_date, maturity_date=cert.maturity_date, extension_days=app.extension_days,
        extension_max=app.extension_max, extension_count=cert.extension_count, overdue_since=cert.overdue_since, rule=app.extension_label,
        extensions=[ExtensionOut(seq=e.seq, from_date=e.from_date, to_date=e.to_date, run_date=e.run_date, outstanding_fen=e.outstanding_fen)
                    for e in cert.extensions.all()],
    )


# --- market purchase ---------------------------------------------------------------------------


@router.post("/receivable-purchases", response={201: ReceivablePurchaseOut}, summary="市场化收购主体登记收购中小微企业应收账款")
def record_purchase(request: HttpRequest, payload: ReceivablePurchaseIn):
    rp = lifecycle.record_receivable_purchase(acting_user(request, write=True), **payload.dict())
    return Status(201, ReceivablePurchaseOut.of(rp))


@router.get("/receivable-purchases", response=list[ReceivablePurchaseOut], summary="收购记录（收购方或出让企业）")
def list_purchases(request: HttpRequest):
    return [ReceivablePurchaseOut.of(rp) for rp in lq.visible_purchases(acting_user(request))[:1000]]


@router.get("/receivable-purchases/book", response=PurchaserBookOut, summary="市场化收购主体台账")
def purchaser_book(request: HttpRequest):
    user = acting_user(request)
    require_role(user, Role.PURCHASER, active_org=False)
    book = lq.purchaser_book(user.organisation_id)
    return PurchaserBookOut(
        **{k: v for k, v in book.items() if k not in ("purchases", "commitments")},
        purchases=[ReceivablePurchaseOut.of(rp) for rp in book["purchases"]],
        commitments=[CommitmentOut.of(c) for c in book["commitments"]],
    )


@router.post("/receivable-purchases/{rp_id}/apply", response=ReceivablePurchaseOut, summary="以收购方为债务人申请向出让企业开具凭证")
def apply_purchase_certificate(request: HttpRequest, rp_id: int, payload: PurchaseApplyIn):
    return ReceivablePurchaseOut.of(lifecycle.apply_for_purchase_certificate(acting_user(request, write=True), rp_id, **payload.dict()))


@router.post("/receivable-purchases/{rp_id}/cancel", response=ReceivablePurchaseOut, summary="撤销收购记录")
def cancel_purchase(request: HttpRequest, rp_id: int, payload: ReasonIn):
    return ReceivablePurchaseOut.of(lifecycle.cancel_receivable_purchase(acting_user(request, write=True), rp_id, payload.reason))
