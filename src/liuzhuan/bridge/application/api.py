"""Application endpoints (/api/v1/bridge/applications…, /checklists…): members see only their own
applications (404 for anyone else's), banks those they lend on; the manager, the bureau and the
regulator see everything. The loan and recovery stages add their endpoints on the same
applications with ``write_application`` and ``BridgeApplicationOut``."""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import Field, Form, Schema
from ninja.errors import ValidationError
from ninja.responses import Status
from pydantic import ValidationError as PydanticError

from liuzhuan.core.api_pages import paged, rows
from liuzhuan.core.api_types import Date, Days, Fen, Flag, Id, IdIn
from liuzhuan.core.money import format_yuan
from liuzhuan.core.uploads import read_limited
from liuzhuan.members.api_auth import acting_user

from ..fund.api import BridgeReasonIn, NoteIn, StageRouter
from ..fund.queries import sees_all
from ..models.application import Application, ChecklistVersion
from ..rates.common import rate_str
from . import actions, correction
from .materials import MATERIAL_MAX_BYTES, current_files, get_material_file
from .queries import get_visible_application, visible_applications

router = StageRouter()


class ChecklistIn(Schema):
    items: list[str]
    process: str


class ChecklistOut(Schema):
    id: int
    version: int
    items: list[dict]
    process: str
    filed_at: dt.datetime | None
    acknowledged_at: dt.datetime | None


class BridgeApplicationIn(Schema):
    bank_id: IdIn
    sme_size: str
    original_contract_no: str
    original_loan_type: str
    original_due_fen: Fen
    original_due_date: Date
    classification: str
    loan_account: str
    renewal_approval_fen: Fen
    renewal_approval_no: str
    renewal_approval_date: Date
    amount_fen: Fen
    planned_days: Days
    planned_draw_date: Date
    purpose_confirmed: Flag
    evidence: dict[str, str] = {}
    materials: dict[str, str] = {}


class MaterialFileOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    url: str = Field(..., description="下载地址（仅申请企业、管理机构及贷款银行可下载）")


class CheckOut(Schema):
    id: int
    kind: str
    key: str
    label: str
    evidence: str
    passed: bool | None
    review_note: str
    files: list[MaterialFileOut] = Field(..., description="支持该申请资料项的文件（第九条）")


class RepaymentOut(Schema):
    id: int
    paid_on: dt.date
    payer: str
    principal_fen: int
    fee_fen: int
    penalty_fen: int
    reference: str


class BridgeApplicationOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    applicant_id: int
    applicant: str
    bank_id: int
    bank: str
    mode: str
    sme_size: str
    original_contract_no: str
    original_loan_type: str
    original_due_fen: int
    original_due_date: dt.date
    classification: str
    renewal_approval_fen: int
    renewal_approval_no: str
    renewal_approval_date: dt.date
    renewal_in_progress: bool
    amount_fen: int
    amount_yuan: str
    planned_days: int
    term_days: int | None = Field(None, description="银行确定的使用天数（第十条（二））；银行确认前为 null")
    planned_draw_date: dt.date
    loan_account: str = Field(..., description="申请企业填报的原贷款还款账户")
    confirmed_account: str = Field(..., description="贷款银行确认的原贷款还款账户，放款只能划入该账户（第十条（一））")
    disbursed_to_account: str
    submitted_on: dt.date
    prepared_by: str | None
    approved_by: str | None
    closed_reason: str
    disbursed_on: dt.date | None
    due_date: dt.date | None
    daily_rate: str | None
    annual_rate: str | None
    basis: int | None
    contract_lpr_1y: str | None
    rate_clamped: bool
    planned_fee_fen: int | None
    penalty_annual_rate: str | None
    principal_repaid_fen: int
    fee_paid_fen: int
    penalty_paid_fen: int
    penalty_accrued_fen: int
    outstanding_fen: int
    renewed_on: dt.date | None
    renewal_contract_no: str
    renewal_loan_type: str
    closed_on: dt.date | None
    checks: list[CheckOut]
    repayments: list[RepaymentOut]


class CheckIn(Schema):
    passed: Flag
    note: str = ""


class CheckItemIn(CheckIn):
    check_id: IdIn


class ChecksIn(Schema):
    checks: list[CheckItemIn] = Field(..., min_length=1, max_length=100, description="各审核要点的结论，一次全部保存或全部不保存")


class BridgePrepareIn(Schema):
    mode: str = Field("self", description="self（自营）或 entrusted（委托银行）")
    note: str = ""


class BankConfirmIn(Schema):
    renewal_approval_fen: Fen
    renewal_approval_no: str
    renewal_approval_date: Date
    renewal_in_progress: Flag
    classification: str = "normal"
    original_due_date: Date = Field(..., description="原贷款到期日（银行核对）")
    confirmed_account: str = Field(..., max_length=60, description="原贷款在本行的还款账户；过桥资金只能划入该账户（第十条（一））")
    term_days: Days = Field(..., description="本行确定的使用天数，1–10 天，含提款日及还款日（第十条（二））")
    note: str = ""


def file_out(f) -> dict:
    return {"id": f.pk, "name": f.original_name, "content_type": f.content_type, "size": f.size, "sha256": f.sha256,
            "url": reverse("bridge:material_file", args=[f.application_id, f.pk])}


def material_uploads(request) -> dict[str, list]:
    """The multipart files named ``materials.<item key>``, each read with the size limit first."""
    out: dict[str, list] = {}
    for name in request.FILES:
        if name.startswith("materials."):
            out[name.split(".", 1)[1]] = [(f.name, read_limited(f, MATERIAL_MAX_BYTES, name)) for f in request.FILES.getlist(name)]
    return out


def application_out(app: Application) -> dict:
    files = current_files(app)
    return {
        "id": app.pk, "number": app.number, "status": app.status, "status_label": app.get_status_display(),
        "applicant_id": app.applicant_id, "applicant": app.applicant.name, "bank_id": app.bank_id, "bank": app.bank.name,
        "mode": app.mode, "sme_size": app.sme_size, "original_contract_no": app.original_contract_no,
        "original_loan_type": app.original_loan_type, "original_due_fen": app.original_due_fen,
        "original_due_date": app.original_due_date, "classification": app.classification,
        "renewal_approval_fen": app.renewal_approval_fen, "renewal_approval_no": app.renewal_approval_no,
        "renewal_approval_date": app.renewal_approval_date, "renewal_in_progress": app.renewal_in_progress,
        "amount_fen": app.amount_fen, "amount_yuan": format_yuan(app.amount_fen), "planned_days": app.planned_days,
        "term_days": app.term_days, "loan_account": app.loan_account, "confirmed_account": app.confirmed_account,
        "disbursed_to_account": app.disbursed_to_account, "planned_draw_date": app.planned_draw_date, "submitted_on": app.submitted_on,
        "prepared_by": app.prepared_by.username if app.prepared_by_id else None,
        "approved_by": app.approved_by.username if app.approved_by_id else None,
        "closed_reason": app.closed_reason, "disbursed_on": app.disbursed_on, "due_date": app.due_date,
        "daily_rate": None if app.rate_daily is None else rate_str(app.rate_daily),
        "annual_rate": None if app.rate_annual is None else rate_str(app.rate_annual),
        "basis": app.basis, "contract_lpr_1y": None if app.contract_lpr_1y is None else str(app.contract_lpr_1y),
        "rate_clamped": app.rate_clamped, "planned_fee_fen": app.planned_fee_fen,
        "penalty_annual_rate": None if app.penalty_annual_rate is None else rate_str(app.penalty_annual_rate),
        "principal_repaid_fen": app.principal_repaid_fen, "fee_paid_fen": app.fee_paid_fen,
        "penalty_paid_fen": app.penalty_paid_fen, "penalty_accrued_fen": app.penalty_accrued_fen,
        "outstanding_fen": app.outstanding_fen, "renewed_on": app.renewed_on, "renewal_contract_no": app.renewal_contract_no,
        "renewal_loan_type": app.renewal_loan_type, "closed_on": app.closed_on,
        "checks": [
            {"id": c.pk, "kind": c.kind, "key": c.key, "label": c.label, "evidence": c.evidence, "passed": c.passed,
             "review_note": c.review_note, "files": [file_out(f) for f in files.get(c.pk, [])]} for c in app.checks.all()
        ],
        "repayments": [
            {"id": r.pk, "paid_on": r.paid_on, "payer": r.payer, "principal_fen": r.principal_fen, "fee_fen": r.fee_fen,
             "penalty_fen": r.penalty_fen, "reference": r.reference} for r in app.repayments.all()
        ],
    }


def visible_application(user, app_id: int) -> Application:
    return get_visible_application(user, app_id)


def reload_application(app_id: int) -> dict:
    return application_out(Application.objects.select_related("applicant", "bank", "prepared_by", "approved_by").get(pk=app_id))


def write_application(request, app_id: int, fn) -> dict:
    """Visibility first (404 for strangers), then the action decides the permission (403)."""
    user = acting_user(request, write=True)
    visible_application(user, app_id)
    fn(user)
    return reload_application(app_id)


@router.get("/checklists", response=list[ChecklistOut], summary="申请资料清单及业务流程规范（各版本）")
def checklists(request: HttpRequest):
    user = acting_user(request)
    qs = ChecklistVersion.objects.all()
    if not sees_all(user):
        qs = qs.filter(filed_at__isnull=False)
    return list(qs)


@router.post("/checklists", response={201: ChecklistOut}, summary="制定新版申请资料清单")
def checklist_create(request: HttpRequest, payload: ChecklistIn):
    return Status(201, actions.create_checklist(acting_user(request, write=True), items=payload.items, process=payload.process))


@router.post("/checklists/{checklist_id}/file", response=ChecklistOut, summary="报市财政局备案")
def checklist_file(request: HttpRequest, checklist_id: Id):
    return actions.file_checklist(acting_user(request, write=True), checklist_id)


@router.post("/checklists/{checklist_id}/acknowledge", response=ChecklistOut, summary="市财政局确认备案")
def checklist_ack(request: HttpRequest, checklist_id: Id):
    return actions.acknowledge_checklist(acting_user(request, write=True), checklist_id)


# ---------------------------------------------------------------------------------------------
# Applications
# ---------------------------------------------------------------------------------------------


@router.get("/applications", response=list[BridgeApplicationOut], summary="过桥资金业务（企业只看本企业，银行只看本行）")
@paged(500)
def applications(request: HttpRequest, status: str | None = None):
    qs = visible_applications(acting_user(request)).select_related("prepared_by", "approved_by").prefetch_related(
        "checks", "repayments", "materials")
    if status:
        qs = qs.filter(status=status)
    return rows(qs, application_out)


#: the multipart body of a submission as OpenAPI shows it: ``data`` is the JSON of ``BridgeApplicationIn``
SUBMIT_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["data"],
    "properties": {"data": {"type": "string", "contentMediaType": "application/json",
                            "contentSchema": BridgeApplicationIn.model_json_schema(),
                            "description": "申请内容（JSON，字段见 contentSchema）"}},
    "patternProperties": {r"^materials\.m[0-9]+$": {
        "type": "array", "items": {"type": "string", "format": "binary"},
        "description": "资料清单该项的文件（PDF/PNG/JPEG，每项至少 1 个，单个不超过 10 MB）"}},
}}}}}


@router.post("/applications", response={201: BridgeApplicationOut}, openapi_extra=SUBMIT_BODY,
             summary="企业申请续贷过桥资金（multipart：data 为申请 JSON，"
             "每项申请资料以 materials.<资料项 key> 上传 PDF/PNG/JPEG 文件，可多个，单个不超过 10 MB）")
def application_submit(request: HttpRequest, data: Form[str] = ""):
    user = acting_user(request, write=True)
    actions.require_applicant(user)  # who asks, before the body is parsed or any file read
    try:
        payload = BridgeApplicationIn.model_validate_json(data)
    except PydanticError as exc:
        raise ValidationError([{"type": e["type"], "loc": ("form", "data", *e["loc"]), "msg": e["msg"]}
                               for e in exc.errors(include_url=False, include_context=False)]) from exc
    app = actions.submit_application(user, actions.ApplicationInput(**payload.dict(), files=material_uploads(request)))
    return Status(201, reload_application(app.pk))


@router.get("/applications/{app_id}", response=BridgeApplicationOut, summary="业务详情")
def application_detail(request: HttpRequest, app_id: Id):
    return reload_application(visible_application(acting_user(request), app_id).pk)


@router.post("/applications/{app_id}/withdraw", response=BridgeApplicationOut, summary="企业撤回申请")
def application_withdraw(request: HttpRequest, app_id: Id, payload: NoteIn):
    return write_application(request, app_id, lambda u: actions.withdraw_application(u, app_id, payload.note))


@router.post("/applications/{app_id}/checks/{check_id}", response=BridgeApplicationOut, summary="经办审核申请条件/资料（逐项勾选）")
def application_check(request: HttpRequest, app_id: Id, check_id: Id, payload: CheckIn):
    return write_application(request, app_id, lambda u: actions.review_check(u, app_id, check_id, passed=payload.passed, note=payload.note))


@router.post("/applications/{app_id}/checks", response=BridgeApplicationOut, summary="经办审核申请条件/资料（一次提交全部要点）")
def application_checks(request: HttpRequest, app_id: Id, payload: ChecksIn):
    results = [actions.CheckResult(c.check_id, c.passed, c.note) for c in payload.checks]
    return write_application(request, app_id, lambda u: actions.review_checks(u, app_id, results))


@router.post("/applications/{app_id}/prepare", response=BridgeApplicationOut, summary="经办初审（双人复核之经办）")
def application_prepare(request: HttpRequest, app_id: Id, payload: BridgePrepareIn):
    return write_application(request, app_id, lambda u: actions.prepare(u, app_id, mode=payload.mode, note=payload.note))


@router.post("/applications/{app_id}/approve", response=BridgeApplicationOut, summary="负责人复核（须与经办人不同）")
def application_approve(request: HttpRequest, app_id: Id, payload: NoteIn):
    return write_application(request, app_id, lambda u: actions.approve(u, app_id, note=payload.note))


@router.post("/applications/{app_id}/return", response=BridgeApplicationOut, summary="经办退回补正（须写明需补正的内容）")
def application_return(request: HttpRequest, app_id: Id, payload: BridgeReasonIn):
    return write_application(request, app_id, lambda u: correction.return_for_correction(u, app_id, reason=payload.reason))


@router.post("/applications/{app_id}/resubmit", response=BridgeApplicationOut,
             summary="企业补正后重新提交（multipart：materials.<资料项 key> 文件替换该项原文件；add=true 则追加）")
def application_resubmit(request: HttpRequest, app_id: Id, note: Form[str] = "", add: Form[bool] = False):
    return write_application(request, app_id, lambda u: correction.resubmit_application(
        u, app_id, files=material_uploads(request), note=note, add=add))


@router.get("/applications/{app_id}/files/{file_id}", summary="下载申请资料文件（申请企业、管理机构、贷款银行）")
def application_file(request: HttpRequest, app_id: Id, file_id: Id):
    f = get_material_file(acting_user(request), app_id, file_id)
    resp = FileResponse(f.file.open("rb"), as_attachment=True, filename=f.original_name, content_type=f.content_type)
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@router.post("/applications/{app_id}/reject", response=BridgeApplicationOut, summary="管理机构不予通过")
def application_reject(request: HttpRequest, app_id: Id, payload: BridgeReasonIn):
    return write_application(request, app_id, lambda u: actions.reject_application(u, app_id, reason=payload.reason))


@router.post("/applications/{app_id}/bank-confirm", response=BridgeApplicationOut, summary="贷款银行确认续贷")
def application_bank_confirm(request: HttpRequest, app_id: Id, payload: BankConfirmIn):
    return write_application(request, app_id, lambda u: actions.bank_confirm(u, app_id, **payload.dict()))


@router.post("/applications/{app_id}/bank-decline", response=BridgeApplicationOut, summary="贷款银行不予确认")
def application_bank_decline(request: HttpRequest, app_id: Id, payload: BridgeReasonIn):
    return write_application(request, app_id, lambda u: actions.bank_decline(u, app_id, reason=payload.reason))
