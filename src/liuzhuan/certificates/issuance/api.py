"""Issuance API: joint applications, attachments, review."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from liuzhuan.core.api_pages import paged, rows
from liuzhuan.core.api_types import Count, Date, Days, Fen, Flag, Id, IdIn
from liuzhuan.core.errors import NotFound, PermissionDenied
from liuzhuan.core.uploads import read_limited
from liuzhuan.members.api_auth import acting_user
from liuzhuan.members.queries import sees_all

from . import actions, legacy, queries
from .models import Application
from .rules import GUARANTEE_MAX_CHARS, MATURITY_TEXT, REVIEW_CHECKS, missing_checks

router = Router()


class CertificateApplicationIn(Schema):
    counterparty_id: IdIn
    role: str = Field(..., description="本机构身份：creditor 或 debtor")
    contract_no: str = Field(..., max_length=60)
    contract_title: str = Field(..., max_length=200)
    contract_date: Date
    amount_fen: Fen = Field(..., description="金额（分）")
    maturity_date: Date = Field(..., description=MATURITY_TEXT)
    offset_scope: list[str] = Field(default_factory=list, max_length=6,
                                    description="可抵付范围：house 商品房 / parking 车位 / shop 商铺 / "
                                    "goods 商品/货物 / other 其他资产 / consumption 消费；至少一项")
    non_cash_declared: Flag = Field(False, description="必须为 true：双方约定以非货币方式清偿")
    extension_days: Days | None = None
    extension_max: Count | None = None
    extension_conditions: list[str] = Field(default_factory=list, max_length=3,
                                            description="展期约定情形：applied 债务人到期前申请 / no_dispute 持有人无异议 / "
                                            "debtor_not_in_default 债务人无其他逾期凭证；仅在有展期条款时")
    guarantee_text: str = Field("", max_length=GUARANTEE_MAX_CHARS)
    purchase_commitment_ref: str = Field("", max_length=200)

    def to_input(self) -> actions.ApplicationInput:
        return actions.ApplicationInput(**{**self.dict(), "offset_scope": tuple(self.offset_scope),
                                           "extension_conditions": tuple(self.extension_conditions)})


class ReviewCheckOut(Schema):
    item: str
    label: str
    note: str
    checked_by: str
    checked_at: dt.datetime


class CertificateApplicationOut(Schema):
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
    attachment_count: int
    checks: list[ReviewCheckOut]
    missing_checks: list[str]
    certificate: str | None

    @staticmethod
    def of(a: Application) -> CertificateApplicationOut:
        cert = getattr(a, "certificate", None) if a.status == "issued" else None
        checks = actions.current_checks(a)
        attachment_count = getattr(a, "attachment_total", None)
        return CertificateApplicationOut(
            id=a.pk, number=a.number, status=a.status, status_label=a.get_status_display(), creditor_id=a.creditor_id,
            creditor=a.creditor.name, debtor_id=a.debtor_id, debtor=a.debtor.name, contract_no=a.contract_no,
            contract_title=a.contract_title, amount_fen=a.amount_fen, maturity_date=a.maturity_date,
            settlement=a.settlement_label, extension=a.extension_label, creditor_confirmed=bool(a.creditor_confirmed_at),
            debtor_confirmed=bool(a.debtor_confirmed_at), prepared_action=a.prepared_action,
            attachment_count=a.attachments.count() if attachment_count is None else attachment_count, missing_checks=missing_checks(checks),
            checks=[ReviewCheckOut(item=c.item, label=c.get_item_display(), note=c.note, checked_by=c.checked_by.label,
                                   checked_at=c.checked_at) for c in checks.values()],
            certificate=cert.number if cert else None,
        )


class AttachmentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    sha256: str


class CertificateCheckIn(Schema):
    item: str = Field(..., max_length=30, description="核查项目：" + "；".join(f"{k} {v}" for k, v in REVIEW_CHECKS.items()))
    note: str = Field(..., max_length=300, description="核查依据（如合同条款）")


class CertificatePrepareIn(Schema):
    action: str
    reason: str = Field("", max_length=500)


class CertificateDecideIn(Schema):
    agree: Flag
    reason: str = Field("", max_length=500)


def _app_for(user, app_id: int) -> Application:
    app = queries.visible_applications(user).filter(pk=app_id).first()
    if app is None:
        raise NotFound("申请不存在")
    return app


@router.post("/applications", response={201: CertificateApplicationOut}, summary="发起凭证联合申请（债权人或债务人）")
def create_application(request: HttpRequest, payload: CertificateApplicationIn):
    app = actions.create_application(acting_user(request, write=True), payload.to_input())
    return Status(201, CertificateApplicationOut.of(app))


@router.get("/applications", response=list[CertificateApplicationOut], summary="凭证申请（本机构相关；运营与监管可见全部）")
@paged(500)
def list_applications(request: HttpRequest, status: str | None = None):
    qs = queries.with_review_facts(queries.visible_applications(acting_user(request)))
    if status:
        qs = qs.filter(status=status)
    return rows(qs, CertificateApplicationOut.of)


@router.get("/applications/{app_id}", response=CertificateApplicationOut, summary="申请详情")
def get_application(request: HttpRequest, app_id: Id):
    return CertificateApplicationOut.of(_app_for(acting_user(request), app_id))


@router.post("/applications/{app_id}/confirm", response=CertificateApplicationOut, summary="申请方在线确认（债务人确认后方可审核）")
def confirm(request: HttpRequest, app_id: Id):
    return CertificateApplicationOut.of(actions.confirm_application(acting_user(request, write=True), app_id))


@router.post("/applications/{app_id}/withdraw", response=CertificateApplicationOut, summary="撤回申请")
def withdraw(request: HttpRequest, app_id: Id):
    return CertificateApplicationOut.of(actions.withdraw_application(acting_user(request, write=True), app_id))


@router.post("/applications/{app_id}/resubmit", response=CertificateApplicationOut, summary="修改被退回的申请")
def resubmit(request: HttpRequest, app_id: Id, payload: CertificateApplicationIn):
    return CertificateApplicationOut.of(actions.resubmit_application(acting_user(request, write=True), app_id, payload.to_input()))


@router.post("/applications/{app_id}/attachments", response={201: AttachmentOut}, summary="上传基础合同附件（PDF/PNG/JPEG）")
def upload(request: HttpRequest, app_id: Id, file: File[UploadedFile]):
    content = read_limited(file, actions.attachment_limit())
    att = actions.add_attachment(acting_user(request, write=True), app_id, file.name, content)
    return Status(201, AttachmentOut(id=att.pk, original_name=att.original_name, content_type=att.content_type, size=att.size, sha256=att.sha256))


@router.get("/applications/{app_id}/attachments", response=list[AttachmentOut], summary="附件列表")
def attachments(request: HttpRequest, app_id: Id):
    app = _app_for(acting_user(request), app_id)
    return [AttachmentOut(id=a.pk, original_name=a.original_name, content_type=a.content_type, size=a.size, sha256=a.sha256) for a in app.attachments.all()]


@router.get("/applications/{app_id}/attachments/{attachment_id}/file", summary="下载基础合同文件（运营机构与申请双方）")
def attachment_file(request: HttpRequest, app_id: Id, attachment_id: Id):
    return queries.open_document(queries.contract_document(acting_user(request), app_id, attachment_id))


@router.post("/applications/{app_id}/checks", response={201: CertificateApplicationOut},
             summary="运营机构初审核查清单：记录一项核查（如基础合同约定以非货币方式清偿）")
def record_check(request: HttpRequest, app_id: Id, payload: CertificateCheckIn):
    check = actions.record_review_check(acting_user(request, write=True), app_id, payload.item, payload.note)
    return Status(201, CertificateApplicationOut.of(check.application))


@router.post("/applications/{app_id}/prepare", response=CertificateApplicationOut, summary="运营机构初审（经办）")
def prepare(request: HttpRequest, app_id: Id, payload: CertificatePrepareIn):
    return CertificateApplicationOut.of(actions.prepare_review(acting_user(request, write=True), app_id, payload.action, payload.reason))


@router.post("/applications/{app_id}/decide", response=CertificateApplicationOut, summary="运营机构复核（不同于经办人）")
def decide(request: HttpRequest, app_id: Id, payload: CertificateDecideIn):
    return CertificateApplicationOut.of(actions.decide_review(acting_user(request, write=True), app_id, payload.agree, payload.reason))


class LegacyIn(Schema):
    creditor_id: IdIn
    debtor_id: IdIn
    holder_id: IdIn | None = Field(None, description="现持有人（默认债权人）")
    original_no: str = Field(..., max_length=60, description="原凭证（合同）编号")
    original_issue_date: Date = Field(..., description="原开具日期（须早于方案发布之日，设置 LIUZHUAN_POLICY_START_DATE）")
    contract_no: str = Field(..., max_length=60)
    contract_title: str = Field(..., max_length=200)
    contract_date: Date
    amount_fen: Fen
    maturity_date: Date
    offset_scope: list[str] = Field(..., description="可抵付范围：house/parking/shop/goods/other/consumption")


class LegacyOut(Schema):
    id: int
    number: str
    legacy: bool
    original_no: str
    original_issue_date: dt.date
    creditor_id: int
    debtor_id: int
    face_fen: int
    maturity_date: dt.date
    status: str
    status_label: str
    recorded_by_id: int | None

    @staticmethod
    def of(c) -> LegacyOut:
        return LegacyOut(id=c.pk, number=c.number, legacy=c.legacy, original_no=c.legacy_original_no, original_issue_date=c.issue_date,
                         creditor_id=c.creditor_id, debtor_id=c.debtor_id, face_fen=c.face_fen, maturity_date=c.maturity_date,
                         status=c.status, status_label=c.get_status_display(), recorded_by_id=c.legacy_recorded_by_id)


class LegacySummaryOut(Schema):
    total: int
    open: int
    outstanding_fen: int
    policy_start: dt.date


def _oversight(request: HttpRequest):
    user = acting_user(request)
    if not sees_all(user):
        raise PermissionDenied("存量业务台账仅限运营机构、监管部门和财政局查看", code="role_required")
    return user


@router.post("/legacy-certificates", response={201: LegacyOut}, summary="运营机构登记存量业务（方案发布前开具的凭证；只可处置至完结）")
def record_legacy(request: HttpRequest, payload: LegacyIn):
    data = legacy.LegacyInput(**{**payload.dict(), "offset_scope": tuple(payload.offset_scope)})
    return Status(201, LegacyOut.of(legacy.record_legacy_certificate(acting_user(request, write=True), data)))


@router.get("/legacy-certificates", response=list[LegacyOut], summary="存量业务台账（运营机构、监管部门、财政局）；open=true 仅未完结")
@paged(1000)
def list_legacy(request: HttpRequest, open: bool = False):
    _oversight(request)
    qs = legacy.legacy_certificates()
    if open:
        qs = qs.filter(status="active")
    return rows(qs, LegacyOut.of)


@router.get("/legacy-certificates/summary", response=LegacySummaryOut, summary="存量业务：登记数、尚未处置完结数及未了结金额")
def legacy_summary(request: HttpRequest):
    _oversight(request)
    return LegacySummaryOut(**legacy.legacy_summary())
