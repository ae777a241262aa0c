"""Certificates API: applications, review, pieces, transfers, chain of title, fees."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from liuzhuan.api import acting_user
from liuzhuan.core.errors import NotFound

from . import actions, queries
from .models import Application, Piece, Transfer

router = Router(tags=["应收账款债权凭证"])


class ApplicationIn(Schema):
    counterparty_id: int
    role: str = Field(..., description="本机构身份：creditor 或 debtor")
    contract_no: str = Field(..., max_length=60)
    contract_title: str = Field(..., max_length=200)
    contract_date: dt.date
    amount_fen: int = Field(..., description="金额（分）")
    maturity_date: dt.date
    settle_by_asset: bool = False
    settle_by_consumption: bool = False
    non_cash_declared: bool = Field(False, description="必须为 true：双方约定以非货币方式清偿")
    accepted_categories: str = Field("", max_length=300)
    extension_days: int | None = None
    extension_max: int | None = None
    guarantee_text: str = Field("", max_length=2000)
    purchase_commitment_ref: str = Field("", max_length=200)

    def to_input(self) -> actions.ApplicationInput:
        return actions.ApplicationInput(**self.dict())


class ApplicationOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    creditor_id: int
    creditor: str
    debtor_id: int
    debtor: str
    contract_no: str
    contract_title: str
    amount_fen: int
    maturity_date: dt.date
    settlement: str
    extension: str
    creditor_confirmed: bool
    debtor_confirmed: bool
    prepared_action: str
    certificate: str | None

    @staticmethod
    def of(a: Application) -> ApplicationOut:
        cert = getattr(a, "certificate", None) if a.status == "issued" else None
        return ApplicationOut(
            id=a.pk, number=a.number, status=a.status, status_label=a.get_status_display(), creditor_id=a.creditor_id,
            creditor=a.creditor.name, debtor_id=a.debtor_id, debtor=a.debtor.name, contract_no=a.contract_no,
            contract_title=a.contract_title, amount_fen=a.amount_fen, maturity_date=a.maturity_date,
            settlement=a.settlement_label, extension=a.extension_label, creditor_confirmed=bool(a.creditor_confirmed_at),
            debtor_confirmed=bool(a.debtor_confirmed_at), prepared_action=a.prepared_action, certificate=cert.number if cert else None,
        )


class AttachmentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    sha256: str


class PrepareIn(Schema):
    action: str
    reason: str = Field("", max_length=500)


class DecideIn(Schema):
    agree: bool
    reason: str = Field("", max_length=500)


class PieceOut(Schema):
    id: int
    number: str
    certificate: str
    holder_id: int
    holder: str
    debtor: str
    amount_fen: int
    status: str
    status_label: str
    maturity_date: dt.date

    @staticmethod
    def of(p: Piece) -> PieceOut:
        return PieceOut(id=p.pk, number=p.number, certificate=p.certificate.number, holder_id=p.holder_id, holder=p.holder.name,
                        debtor=p.certificate.debtor.name, amount_fen=p.amount_fen, status=p.status,
                        status_label=p.get_status_display(), maturity_date=p.certificate.maturity_date)


class TransferIn(Schema):
    to_org_id: int
    amount_fen: int
    agreement_ref: str = Field(..., max_length=100)


class BatchTransferItem(Schema):
    piece_id: int
    to_org_id: int
    amount_fen: int
    agreement_ref: str = Field(..., max_length=100)


class BatchTransferIn(Schema):
    items: list[BatchTransferItem] = Field(..., max_length=actions.MAX_BATCH, description=f"至多 {actions.MAX_BATCH} 笔；同一分段可出现多次（拆分给多家）")


class BatchAcceptIn(Schema):
    transfer_ids: list[int] = Field(..., max_length=actions.MAX_BATCH, description=f"至多 {actions.MAX_BATCH} 笔")


class TransferOut(Schema):
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

    @staticmethod
    def of(t: Transfer) -> TransferOut:
        return TransferOut(id=t.pk, piece=t.piece.number, from_org_id=t.from_org_id, to_org_id=t.to_org_id, amount_fen=t.amount_fen,
                           agreement_ref=t.agreement_ref, status=t.status, deadline=t.deadline, registration_no=t.registration_no,
                           new_piece=t.new_piece.number if t.new_piece_id else None, fee_fen=t.fee_fen)


class DeclineIn(Schema):
    reason: str = Field("", max_length=300)


class ChainStepOut(Schema):
    piece: str
    kind: str
    label: str
    holder: str
    amount_fen: int
    date: str
    registration_no: str
    fee_fen: int
    counterparty: str


class FeeRuleIn(Schema):
    op_type: str
    rate_per_10k: Decimal
    min_fen: int = 0
    max_fen: int | None = None
    payer: str
    effective_date: dt.date


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


def _app_for(user, app_id: int) -> Application:
    app = queries.visible_applications(user).filter(pk=app_id).first()
    if app is None:
        raise NotFound("申请不存在")
    return app


def _piece_for(user, piece_id: int) -> Piece:
    piece = Piece.objects.select_related("certificate", "holder", "certificate__debtor").filter(pk=piece_id).first()
    if piece is None or not queries.can_view_piece(user, piece):
        raise NotFound("凭证分段不存在")
    return piece


@router.post("/applications", response={201: ApplicationOut}, summary="发起凭证联合申请（债权人或债务人）")
def create_application(request: HttpRequest, payload: ApplicationIn):
    app = actions.create_application(acting_user(request, write=True), payload.to_input())
    return Status(201, ApplicationOut.of(app))


@router.get("/applications", response=list[ApplicationOut], summary="凭证申请（本机构相关；运营与监管可见全部）")
def list_applications(request: HttpRequest, status: str | None = None):
    qs = queries.visible_applications(acting_user(request))
    if status:
        qs = qs.filter(status=status)
    return [ApplicationOut.of(a) for a in qs[:500]]


@router.get("/applications/{app_id}", response=ApplicationOut, summary="申请详情")
def get_application(request: HttpRequest, app_id: int):
    return ApplicationOut.of(_app_for(acting_user(request), app_id))


@router.post("/applications/{app_id}/confirm", response=ApplicationOut, summary="申请方在线确认（债务人确认后方可审核）")
def confirm(request: HttpRequest, app_id: int):
    return ApplicationOut.of(actions.confirm_application(acting_user(request, write=True), app_id))


@router.post("/applications/{app_id}/withdraw", response=ApplicationOut, summary="撤回申请")
def withdraw(request: HttpRequest, app_id: int):
    return ApplicationOut.of(actions.withdraw_application(acting_user(request, write=True), app_id))


@router.post("/applications/{app_id}/resubmit", response=ApplicationOut, summary="修改被退回的申请")
def resubmit(request: HttpRequest, app_id: int, payload: ApplicationIn):
    return ApplicationOut.of(actions.resubmit_application(acting_user(request, write=True), app_id, payload.to_input()))


@router.post("/applications/{app_id}/attachments", response={201: AttachmentOut}, summary="上传基础合同附件（PDF/PNG/JPEG）")
def upload(request: HttpRequest, app_id: int, file: File[UploadedFile]):
    content = file.read()
    att = actions.add_attachment(acting_user(request, write=True), app_id, file.name, content)
    return Status(201, AttachmentOut(id=att.pk, original_name=att.original_name, content_type=att.content_type, size=att.size, sha256=att.sha256))


@router.get("/applications/{app_id}/attachments", response=list[AttachmentOut], summary="附件列表")
def attachments(request: HttpRequest, app_id: int):
    app = _app_for(acting_user(request), app_id)
    return [AttachmentOut(id=a.pk, original_name=a.original_name, content_type=a.content_type, size=a.size, sha256=a.sha256) for a in app.attachments.all()]


@router.post("/applications/{app_id}/prepare", response=ApplicationOut, summary="运营机构初审（经办）")
def prepare(request: HttpRequest, app_id: int, payload: PrepareIn):
    return ApplicationOut.of(actions.prepare_review(acting_user(request, write=True), app_id, payload.action, payload.reason))


@router.post("/applications/{app_id}/decide", response=ApplicationOut, summary="运营机构复核（不同于经办人）")
def decide(request: HttpRequest, app_id: int, payload: DecideIn):
    return ApplicationOut.of(actions.decide_review(acting_user(request, write=True), app_id, payload.agree, payload.reason))


@router.get("/pieces", response=list[PieceOut], summary="本机构持有的凭证分段")
def list_pieces(request: HttpRequest, all_statuses: bool = False):
    user = acting_user(request)
    qs = queries.visible_pieces(user) if all_statuses else queries.held_pieces(user.organisation_id)
    return [PieceOut.of(p) for p in qs[:1000]]


@router.get("/pieces/{piece_id}", response=PieceOut, summary="分段详情")
def get_piece(request: HttpRequest, piece_id: int):
    return PieceOut.of(_piece_for(acting_user(request), piece_id))


@router.get("/pieces/{piece_id}/chain", response=list[ChainStepOut], summary="权属链：从开具到本分段的每次拆分与转让")
def chain(request: HttpRequest, piece_id: int):
    piece = _piece_for(acting_user(request), piece_id)
    return [ChainStepOut(piece=s.piece.number, kind=s.kind, label=s.label, holder=s.holder, amount_fen=s.amount_fen, date=s.date,
                         registration_no=s.registration_no, fee_fen=s.fee_fen, counterparty=s.counterparty) for s in queries.chain_of_title(piece)]


@router.post("/pieces/{piece_id}/pdf", summary="打印纸质凭证 PDF（每次记录打印序号，故为 POST）")
def piece_pdf(request: HttpRequest, piece_id: int):
    from .pdf import render_piece_pdf

    piece, n = actions.print_piece(acting_user(request, write=True), piece_id)
    pdf = render_piece_pdf(piece, reprint_no=n, verify_url=request.build_absolute_uri(f"/verify/{piece.number}"))
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="{piece.number}.pdf"'
    return resp


@router.post("/pieces/{piece_id}/transfer", response={201: TransferOut}, summary="转让（全部或部分；部分转让即拆分）")
def transfer(request: HttpRequest, piece_id: int, payload: TransferIn):
    offer = actions.offer_transfer(acting_user(request, write=True), piece_id, payload.to_org_id, payload.amount_fen, payload.agreement_ref)
    return Status(201, TransferOut.of(offer))


@router.post("/transfers/batch", response={201: list[TransferOut]}, summary="批量转让（一次提交多笔，全部成功或全部不办理）")
def transfer_batch(request: HttpRequest, payload: BatchTransferIn):
    items = [actions.OfferItem(i.piece_id, i.to_org_id, i.amount_fen, i.agreement_ref) for i in payload.items]
    return Status(201, [TransferOut.of(t) for t in actions.offer_transfers(acting_user(request, write=True), items)])


@router.post("/offers/accept", response=list[TransferOut], summary="批量接收（签收）多笔转让，全部成功或全部不办理")
def accept_batch(request: HttpRequest, payload: BatchAcceptIn):
    return [TransferOut.of(t) for t in actions.accept_offers(acting_user(request, write=True), payload.transfer_ids)]


@router.get("/offers", response=list[TransferOut], summary="待处理的转让（收到的与发出的）")
def offers(request: HttpRequest):
    org_id = acting_user(request).organisation_id
    return [TransferOut.of(t) for t in [*queries.offers_in(org_id), *queries.offers_out(org_id)]]


@router.post("/offers/{transfer_id}/accept", response=TransferOut, summary="受让方接收（签收）")
def accept(request: HttpRequest, transfer_id: int):
    return TransferOut.of(actions.accept_offer(acting_user(request, write=True), transfer_id))


@router.post("/offers/{transfer_id}/decline", response=TransferOut, summary="受让方拒收")
def decline(request: HttpRequest, transfer_id: int, payload: DeclineIn):
    return TransferOut.of(actions.decline_offer(acting_user(request, write=True), transfer_id, payload.reason))


@router.post("/offers/{transfer_id}/cancel", response=TransferOut, summary="转让方撤回")
def cancel(request: HttpRequest, transfer_id: int):
    return TransferOut.of(actions.cancel_offer(acting_user(request, write=True), transfer_id))


@router.post("/fees/rules", response={201: dict}, summary="设置收费标准（运营机构）")
def set_rule(request: HttpRequest, payload: FeeRuleIn):
    rule = actions.set_fee_rule(acting_user(request, write=True), payload.op_type, payload.rate_per_10k, payload.min_fen,
                                payload.max_fen, payload.payer, payload.effective_date)
    return Status(201, {"id": rule.pk, "op_type": rule.op_type, "rate_per_10k": str(rule.rate_per_10k), "effective_date": rule.effective_date})


class ConfigIn(Schema):
    min_unit_fen: int = Field(..., description="最小拆分单位（分）")
    offer_days: int = Field(..., description="受让方接收期限（天）")


@router.post("/config", response=ConfigIn, summary="设置凭证业务参数（运营机构）")
def set_config(request: HttpRequest, payload: ConfigIn):
    config = actions.set_config(acting_user(request, write=True), min_unit_fen=payload.min_unit_fen, offer_days=payload.offer_days)
    return ConfigIn(min_unit_fen=config.min_unit_fen, offer_days=config.offer_days)


@router.get("/fees/statement", response=list[FeeChargeOut], summary="服务费明细（会员看本机构；运营与监管可指定机构）")
def statement(request: HttpRequest, org_id: int | None = None, start: dt.date | None = None, end: dt.date | None = None):
    org_id = queries.fee_statement_org(acting_user(request), org_id)
    return [FeeChargeOut(id=f.pk, org_id=f.org_id, op_type=f.op_type, base_fen=f.base_fen, amount_fen=f.amount_fen,
                         reference=f.reference, charged_on=f.charged_on, certificate=f.certificate.number, reverses_id=f.reverses_id)
            for f in queries.fee_statement(org_id, start, end)[:5000]]

from .lifecycle_api import router as lifecycle_router  # noqa: E402 - pledge, purchase, offset, void, maturity

router.add_router("", lifecycle_router)
