"""Bridge fund API (/api/v1/bridge). Thin: parse, call an action, serialise.

Money is integer fen (``*_fen``) with a formatted ``*_yuan`` alongside; rates are decimal strings.
Members only see their own applications (404 for anyone else's); the manager, the bureau and the
regulator see everything; only the actions decide who may change what.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import Status

from liuzhuan.api import acting_user
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied
from liuzhuan.core.money import format_yuan

from . import actions, queries, rates, reports
from .models import (
    AgreementStatusChange,
    Application,
    BankAgreement,
    ChecklistVersion,
    FundStatusChange,
    LprRate,
    PrincipalChange,
    QuarterlyReport,
    RecoveryCase,
    ResumeRequest,
)

router = Router(tags=["续贷过桥资金"])


def _require_overseer(user) -> None:
    if not queries.sees_all(user):
        raise PermissionDenied("仅限过桥资金管理机构、市财政局和监管部门查看", code="bridge_oversight_only")


def _y(fen: int | None) -> str | None:
    return None if fen is None else format_yuan(fen)


# ---------------------------------------------------------------------------------------------
# Schemas
# ---------------------------------------------------------------------------------------------


class OkOut(Schema):
    id: int
    status: str


class FundOut(Schema):
    name: str
    manager: str
    bureau: str
    established_on: dt.date
    status: str
    status_label: str
    status_reason: str
    principal_fen: int
    principal_yuan: str
    outstanding_fen: int
    available_fen: int
    at_risk_fen: int
    exposure: str
    exposure_breached: bool
    warn_percent: int = Field(..., description="风险预警线（%）")
    warning_since: dt.datetime | None = Field(None, description="本次风险预警开始时间；未在预警中为 null")
    day_basis: int
    self_daily_rate: str | None
    entrusted_multiplier: str
    penalty_annual_rate: str
    annual_turnover_target: str
    ytd_volume_fen: int
    ytd_loans: int
    ytd_enterprises: int
    ytd_turnover: str | None
    ytd_turnover_weighted: str | None
    cap_daily_rate: str | None
    cap_binding: str | None


class FundIn(Schema):
    name: str
    manager_org_id: int
    established_on: dt.date
    annual_turnover_target: str = "0"


class PrincipalIn(Schema):
    kind: str = Field(..., description="contribute（财政出资）或 withdraw（财政调回）")
    amount_fen: int
    effective_on: dt.date
    document_no: str
    note: str = ""


class PrincipalOut(Schema):
    id: int
    kind: str
    amount_fen: int
    effective_on: dt.date
    principal_after_fen: int
    document_no: str
    note: str


class TargetIn(Schema):
    annual_turnover_target: str
    note: str = ""


class ReasonIn(Schema):
    reason: str


class NoteIn(Schema):
    note: str = ""


class DecideIn(Schema):
    approve: bool
    note: str = ""


class ResumeOut(Schema):
    id: int
    status: str
    note: str
    at_risk_fen: int
    principal_fen: int
    requested_at: dt.datetime
    decision_note: str


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    reason: str
    at_risk_fen: int
    principal_fen: int
    decided_at: dt.datetime


class RatesIn(Schema):
    day_basis: int = 360
    self_daily_rate: str | None = Field(None, description="如 0.0003；为空表示按法定上限")
    entrusted_multiplier: str = "1"
    penalty_annual_rate: str = Field(..., description="年利率小数，如 0.10")
    note: str = ""


class LprIn(Schema):
    effective_date: dt.date
    lpr_1y: str
    lpr_5y: str
    note: str = ""


class LprOut(Schema):
    effective_date: dt.date
    lpr_1y: str
    lpr_5y: str
    note: str


class CapOut(Schema):
    on: dt.date
    basis: int
    lpr_1y: str
    cap_daily_rate: str
    cap_daily_rate_per_10k: str
    binding: str
    describe: str
    entrusted_jan1_lpr_1y: str | None


class AgreementIn(Schema):
    bank_id: int
    number: str
    signed_on: dt.date
    valid_from: dt.date
    valid_until: dt.date
    joint_liability_principal: bool
    joint_liability_fee: bool
    entrusted_allowed: bool = False


class AgreementStatusIn(Schema):
    action: str = Field(..., description="suspend / reactivate / terminate")
    reason: str
    article: str = Field("other", description="art18 / art20 / other")


class AgreementOut(Schema):
    id: int
    bank_id: int
    bank: str
    number: str
    signed_on: dt.date
    valid_from: dt.date
    valid_until: dt.date
    joint_liability_principal: bool
    joint_liability_fee: bool
    entrusted_allowed: bool
    status: str
    status_reason: str


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


class ApplicationIn(Schema):
    bank_id: int
    sme_size: str
    original_contract_no: str
    original_loan_type: str
    original_due_fen: int
    original_due_date: dt.date
    classification: str
    loan_account: str
    renewal_approval_fen: int
    renewal_approval_no: str
    renewal_approval_date: dt.date
    amount_fen: int
    planned_days: int
    planned_draw_date: dt.date
    purpose_confirmed: bool
    evidence: dict[str, str] = {}
    materials: dict[str, str] = {}


class CheckOut(Schema):
    id: int
    kind: str
    key: str
    label: str
    evidence: str
    passed: bool | None
    review_note: str


class RepaymentOut(Schema):
    id: int
    paid_on: dt.date
    payer: str
    principal_fen: int
    fee_fen: int
    penalty_fen: int
    reference: str


class ApplicationOut(Schema):
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
    planned_draw_date: dt.date
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
    closed_on: dt.date | None
    checks: list[CheckOut]
    repayments: list[RepaymentOut]


class CheckIn(Schema):
    passed: bool
    note: str = ""


class PrepareIn(Schema):
    mode: str = Field("self", description="self（自营）或 entrusted（委托银行）")
    note: str = ""


class BankConfirmIn(Schema):
    renewal_approval_fen: int
    renewal_approval_no: str
    renewal_approval_date: dt.date
    renewal_in_progress: bool
    classification: str = "normal"
    note: str = ""


class DisburseIn(Schema):
    account: str
    voucher: str


class RenewalIn(Schema):
    renewed_on: dt.date
    contract_no: str
    amount_fen: int


class RepaymentIn(Schema):
    paid_on: dt.date
    principal_fen: int = 0
    fee_fen: int = 0
    penalty_fen: int = 0
    payer: str = "borrower"
    reference: str


class DuesOut(Schema):
    as_of: dt.date
    principal_fen: int
    fee_due_fen: int
    penalty_due_fen: int
    fee_accrued_fen: int
    penalty_accrued_fen: int
    overdue_days: int
    total_fen: int


class FraudIn(Schema):
    findings: str
    legal_referral: str = ""


class FraudOut(Schema):
    id: int
    organisation_id: int
    application_id: int
    declared_on: dt.date
    banned_until: dt.date


class CaseOut(Schema):
    id: int
    application_id: int
    number: str
    kind: str
    status: str
    opened_on: dt.date
    plan: str
    actions: list[dict]


class PlanIn(Schema):
    plan: str


class CaseActionIn(Schema):
    taken_on: dt.date
    description: str


class InterestIn(Schema):
    period_start: dt.date
    period_end: dt.date
    received_on: dt.date
    amount_fen: int
    reference: str


class RemittanceIn(Schema):
    remitted_on: dt.date
    fee_fen: int = 0
    interest_fen: int = 0
    penalty_fen: int = 0
    voucher_no: str


class RevenueOut(Schema):
    fee_collected_fen: int
    interest_collected_fen: int
    penalty_collected_fen: int
    fee_remitted_fen: int
    interest_remitted_fen: int
    penalty_remitted_fen: int
    unremitted_fen: int


class ReportGenerateIn(Schema):
    year: int
    quarter: int


class ReportSubmitIn(Schema):
    narrative: str


class ReportOut(Schema):
    id: int
    year: int
    quarter: int
    status: str
    due_date: dt.date
    late: bool
    submitted_on: dt.date | None
    narrative: str
    figures: dict


# ---------------------------------------------------------------------------------------------
# Serialisers
# ---------------------------------------------------------------------------------------------


def _app_out(app: Application) -> dict:
    return {
        "id": app.pk, "number": app.number, "status": app.status, "status_label": app.get_status_display(),
        "applicant_id": app.applicant_id, "applicant": app.applicant.name, "bank_id": app.bank_id, "bank": app.bank.name,
        "mode": app.mode, "sme_size": app.sme_size, "original_contract_no": app.original_contract_no,
        "original_loan_type": app.original_loan_type, "original_due_fen": app.original_due_fen,
        "original_due_date": app.original_due_date, "classification": app.classification,
        "renewal_approval_fen": app.renewal_approval_fen, "renewal_approval_no": app.renewal_approval_no,
        "renewal_approval_date": app.renewal_approval_date, "renewal_in_progress": app.renewal_in_progress,
        "amount_fen": app.amount_fen, "amount_yuan": format_yuan(app.amount_fen), "planned_days": app.planned_days,
        "planned_draw_date": app.planned_draw_date, "submitted_on": app.submitted_on,
        "prepared_by": app.prepared_by.username if app.prepared_by_id else None,
        "approved_by": app.approved_by.username if app.approved_by_id else None,
        "closed_reason": app.closed_reason, "disbursed_on": app.disbursed_on, "due_date": app.due_date,
        "daily_rate": None if app.rate_daily is None else rates.rate_str(app.rate_daily),
        "annual_rate": None if app.rate_annual is None else rates.rate_str(app.rate_annual),
        "basis": app.basis, "contract_lpr_1y": None if app.contract_lpr_1y is None else str(app.contract_lpr_1y),
        "rate_clamped": app.rate_clamped, "planned_fee_fen": app.planned_fee_fen,
        "penalty_annual_rate": None if app.penalty_annual_rate is None else rates.rate_str(app.penalty_annual_rate),
        "principal_repaid_fen": app.principal_repaid_fen, "fee_paid_fen": app.fee_paid_fen,
        "penalty_paid_fen": app.penalty_paid_fen, "penalty_accrued_fen": app.penalty_accrued_fen,
        "outstanding_fen": app.outstanding_fen, "renewed_on": app.renewed_on, "renewal_contract_no": app.renewal_contract_no,
        "closed_on": app.closed_on,
        "checks": [
            {"id": c.pk, "kind": c.kind, "key": c.key, "label": c.label, "evidence": c.evidence, "passed": c.passed,
             "review_note": c.review_note} for c in app.checks.all()
        ],
        "repayments": [
            {"id": r.pk, "paid_on": r.paid_on, "payer": r.payer, "principal_fen": r.principal_fen, "fee_fen": r.fee_fen,
             "penalty_fen": r.penalty_fen, "reference": r.reference} for r in app.repayments.all()
        ],
    }


def _agreement_out(a: BankAgreement) -> dict:
    return {"id": a.pk, "bank_id": a.bank_id, "bank": a.bank.name, "number": a.number, "signed_on": a.signed_on,
            "valid_from": a.valid_from, "valid_until": a.valid_until, "joint_liability_principal": a.joint_liability_principal,
            "joint_liability_fee": a.joint_liability_fee, "entrusted_allowed": a.entrusted_allowed, "status": a.status,
            "status_reason": a.status_reason}


def _case_out(c: RecoveryCase) -> dict:
    return {"id": c.pk, "application_id": c.application_id, "number": c.application.number, "kind": c.kind, "status": c.status,
            "opened_on": c.opened_on, "plan": c.plan,
            "actions": [{"taken_on": a.taken_on.isoformat(), "description": a.description} for a in c.actions.all()]}


def _report_out(r: QuarterlyReport) -> dict:
    return {"id": r.pk, "year": r.year, "quarter": r.quarter, "status": r.status, "due_date": r.due_date, "late": r.late,
            "submitted_on": r.submitted_on, "narrative": r.narrative, "figures": r.figures}


def _visible_app(user, app_id: int) -> Application:
    return queries.get_visible_application(user, app_id)


def _reload(app_id: int) -> dict:
    return _app_out(Application.objects.select_related("applicant", "bank", "prepared_by", "approved_by").get(pk=app_id))


# ---------------------------------------------------------------------------------------------
# Fund and the bureau
# ---------------------------------------------------------------------------------------------


@router.get("/fund", response=FundOut, summary="资金概况（本金、在贷、风险敞口、周转率）")
def fund_overview(request: HttpRequest):
    user = acting_user(request)
    _require_overseer(user)
    ov = queries.overview(today_china())
    if ov is None:
        raise NotFound("续贷过桥资金尚未设立")
    f = ov.fund
    try:
        cap = queries.current_cap(ov.today, f.day_basis)
    except rates.BridgeError:
        cap = None
    return {
        "name": f.name, "manager": f.manager.name, "bureau": f.bureau.name, "established_on": f.established_on,
        "status": f.status, "status_label": f.get_status_display(), "status_reason": f.status_reason,
        "principal_fen": f.principal_fen, "principal_yuan": format_yuan(f.principal_fen), "outstanding_fen": ov.outstanding_fen,
        "available_fen": ov.available_fen, "at_risk_fen": ov.exposure.at_risk_fen, "exposure": ov.exposure.percent,
        "exposure_breached": ov.exposure.breached, "warn_percent": f.warn_percent, "warning_since": f.warning_since,
        "day_basis": f.day_basis,
        "self_daily_rate": None if f.self_daily_rate is None else rates.rate_str(f.self_daily_rate),
        "entrusted_multiplier": rates.rate_str(f.entrusted_multiplier), "penalty_annual_rate": rates.rate_str(f.penalty_annual_rate),
        "annual_turnover_target": str(f.annual_turnover_target), "ytd_volume_fen": ov.ytd_volume_fen, "ytd_loans": ov.ytd_loans,
        "ytd_enterprises": ov.ytd_enterprises,
        "ytd_turnover": None if ov.ytd_turnover is None else str(ov.ytd_turnover),
        "ytd_turnover_weighted": None if ov.ytd_turnover_weighted is None else str(ov.ytd_turnover_weighted),
        "cap_daily_rate": None if cap is None else rates.rate_str(cap.daily_rate),
        "cap_binding": None if cap is None else cap.binding,
    }


@router.post("/fund", response={201: OkOut}, summary="市财政局设立续贷过桥资金并委托管理机构")
def establish(request: HttpRequest, payload: FundIn):
    f = actions.establish_fund(acting_user(request, write=True), name=payload.name, manager_org_id=payload.manager_org_id,
                               established_on=payload.established_on, annual_turnover_target=payload.annual_turnover_target)
    return Status(201, {"id": f.pk, "status": f.status})


@router.get("/fund/principal", response=list[PrincipalOut], summary="本金出资与调回记录")
def principal_history(request: HttpRequest):
    _require_overseer(acting_user(request))
    return list(PrincipalChange.objects.order_by("effective_on", "id"))


@router.post("/fund/principal", response={201: PrincipalOut}, summary="市财政局出资或调回本金（不受管理机构对抗）")
def principal_change(request: HttpRequest, payload: PrincipalIn):
    c = actions.change_principal(acting_user(request, write=True), kind=payload.kind, amount_fen=payload.amount_fen,
                                 effective_on=payload.effective_on, document_no=payload.document_no, note=payload.note)
    return Status(201, c)


@router.post("/fund/target", response=OkOut, summary="设定年度资金周转率考核目标（市财政局）")
def set_target(request: HttpRequest, payload: TargetIn):
    f = actions.set_turnover_target(acting_user(request, write=True), payload.annual_turnover_target, payload.note)
    return {"id": f.pk, "status": f.status}


class WarnLevelIn(Schema):
    warn_percent: int = Field(..., description="风险预警线（%），1–29，低于 30% 的暂停线")
    note: str = Field("", max_length=200)


@router.post("/fund/warning", response=OkOut, summary="设定风险预警线（市财政局，第二十二条预警制度）")
def set_warning(request: HttpRequest, payload: WarnLevelIn):
    f = actions.set_warning_level(acting_user(request, write=True), payload.warn_percent, payload.note)
    return {"id": f.pk, "status": f.status}


@router.post("/fund/suspend", response=OkOut, summary="市财政局叫停业务")
def suspend(request: HttpRequest, payload: ReasonIn):
    f = actions.bureau_suspend(acting_user(request, write=True), payload.reason)
    return {"id": f.pk, "status": f.status}


@router.get("/fund/status-changes", response=list[StatusChangeOut], summary="业务暂停与恢复记录")
def status_changes(request: HttpRequest):
    _require_overseer(acting_user(request))
    return list(FundStatusChange.objects.all()[:200])


@router.get("/fund/resume-requests", response=list[ResumeOut], summary="恢复业务申请")
def resume_requests(request: HttpRequest):
    _require_overseer(acting_user(request))
    return list(ResumeRequest.objects.all()[:200])


@router.post("/fund/resume-requests", response={201: ResumeOut}, summary="管理机构报告风险敞口已低于30%并申请恢复")
def request_resume(request: HttpRequest, payload: NoteIn):
    return Status(201, actions.request_resume(acting_user(request, write=True), payload.note))


@router.post("/fund/resume-requests/{request_id}/decide", response=ResumeOut, summary="市财政局批准或不批准恢复业务")
def decide_resume(request: HttpRequest, request_id: int, payload: DecideIn):
    return actions.decide_resume(acting_user(request, write=True), request_id, approve=payload.approve, note=payload.note)


@router.post("/fund/rates", response=OkOut, summary="管理机构设定自营日利率、计息基准、委托倍数、违约金利率")
def set_rates(request: HttpRequest, payload: RatesIn):
    s = actions.set_rates(acting_user(request, write=True), day_basis=payload.day_basis, self_daily_rate=payload.self_daily_rate,
                          entrusted_multiplier=payload.entrusted_multiplier, penalty_annual_rate=payload.penalty_annual_rate,
                          note=payload.note)
    return {"id": s.pk, "status": "ok"}


# ---------------------------------------------------------------------------------------------
# LPR
# ---------------------------------------------------------------------------------------------


@router.get("/lpr", response=list[LprOut], summary="LPR 历史（一年期、五年期以上，%）")
def lpr_list(request: HttpRequest):
    acting_user(request)
    return [{"effective_date": r.effective_date, "lpr_1y": str(r.lpr_1y), "lpr_5y": str(r.lpr_5y), "note": r.note}
            for r in LprRate.objects.order_by("-effective_date")]


@router.post("/lpr", response=LprOut, summary="市财政局新增或更正 LPR")
def lpr_set(request: HttpRequest, payload: LprIn):
    r = actions.set_lpr(acting_user(request, write=True), effective_date=payload.effective_date, lpr_1y=payload.lpr_1y,
                        lpr_5y=payload.lpr_5y, note=payload.note)
    return {"effective_date": r.effective_date, "lpr_1y": str(r.lpr_1y), "lpr_5y": str(r.lpr_5y), "note": r.note}


@router.get("/cap", response=CapOut, summary="某日自营日利率上限及约束项")
def cap(request: HttpRequest, on: dt.date | None = None, basis: int = 360):
    acting_user(request)
    on = on or today_china()
    table = queries.lpr_table()
    c = rates.cap_daily_rate(on, basis, table)
    try:
        jan1 = str(rates.jan1_lpr(on.year, table).lpr_1y)
    except rates.LprUnavailable:
        jan1 = None
    return {"on": on, "basis": basis, "lpr_1y": str(c.lpr.lpr_1y), "cap_daily_rate": rates.rate_str(c.daily_rate),
            "cap_daily_rate_per_10k": rates.per_10k_str(c.daily_rate), "binding": c.binding, "describe": c.describe(),
            "entrusted_jan1_lpr_1y": jan1}


# ---------------------------------------------------------------------------------------------
# Banks, checklist
# ---------------------------------------------------------------------------------------------


@router.get("/agreements", response=list[AgreementOut], summary="合作监管协议（银行只看本行）")
def agreements(request: HttpRequest):
    user = acting_user(request)
    qs = BankAgreement.objects.select_related("bank").order_by("id")
    if not queries.sees_all(user):
        qs = qs.filter(bank_id=user.organisation_id)
    return [_agreement_out(a) for a in qs]


@router.post("/agreements", response={201: AgreementOut}, summary="登记合作监管协议（须约定本金、占用费连带责任）")
def agreement_create(request: HttpRequest, payload: AgreementIn):
    a = actions.create_agreement(acting_user(request, write=True), **payload.dict())
    return Status(201, _agreement_out(a))


@router.post("/agreements/{agreement_id}/status", response=AgreementOut, summary="暂停（第二十条）、恢复或取消（第十八条）合作")
def agreement_status(request: HttpRequest, agreement_id: int, payload: AgreementStatusIn):
    user = acting_user(request, write=True)
    if not queries.sees_all(user):
        raise NotFound("合作协议不存在")
    a = actions.change_agreement_status(user, agreement_id, action=payload.action, reason=payload.reason, article=payload.article)
    return _agreement_out(a)


@router.get("/agreements/{agreement_id}/history", response=list[dict], summary="合作状态变更记录")
def agreement_history(request: HttpRequest, agreement_id: int):
    user = acting_user(request)
    a = BankAgreement.objects.filter(pk=agreement_id).first()
    if a is None or not (queries.sees_all(user) or a.bank_id == user.organisation_id):
        raise NotFound("合作协议不存在")
    return [{"from": c.from_status, "to": c.to_status, "article": c.article, "reason": c.reason,
             "decided_by": c.decided_by.username, "decided_at": c.decided_at.isoformat()}
            for c in AgreementStatusChange.objects.filter(agreement=a).select_related("decided_by")]


@router.get("/checklists", response=list[ChecklistOut], summary="申请资料清单及业务流程规范（各版本）")
def checklists(request: HttpRequest):
    user = acting_user(request)
    qs = ChecklistVersion.objects.all()
    if not queries.sees_all(user):
        qs = qs.filter(filed_at__isnull=False)
    return list(qs)


@router.post("/checklists", response={201: ChecklistOut}, summary="制定新版申请资料清单")
def checklist_create(request: HttpRequest, payload: ChecklistIn):
    return Status(201, actions.create_checklist(acting_user(request, write=True), items=payload.items, process=payload.process))


@router.post("/checklists/{checklist_id}/file", response=ChecklistOut, summary="报市财政局备案")
def checklist_file(request: HttpRequest, checklist_id: int):
    return actions.file_checklist(acting_user(request, write=True), checklist_id)


@router.post("/checklists/{checklist_id}/acknowledge", response=ChecklistOut, summary="市财政局确认备案")
def checklist_ack(request: HttpRequest, checklist_id: int):
    return actions.acknowledge_checklist(acting_user(request, write=True), checklist_id)


# ---------------------------------------------------------------------------------------------
# Applications and loans
# ---------------------------------------------------------------------------------------------


@router.get("/applications", response=list[ApplicationOut], summary="过桥资金业务（企业只看本企业，银行只看本行）")
def applications(request: HttpRequest, status: str | None = None):
    qs = queries.visible_applications(acting_user(request)).select_related("prepared_by", "approved_by").prefetch_related(
        "checks", "repayments")
    if status:
        qs = qs.filter(status=status)
    return [_app_out(a) for a in qs[:500]]


@router.post("/applications", response={201: ApplicationOut}, summary="企业申请续贷过桥资金")
def application_submit(request: HttpRequest, payload: ApplicationIn):
    app = actions.submit_application(acting_user(request, write=True), actions.ApplicationInput(**payload.dict()))
    return Status(201, _reload(app.pk))


@router.get("/applications/{app_id}", response=ApplicationOut, summary="业务详情")
def application_detail(request: HttpRequest, app_id: int):
    return _reload(_visible_app(acting_user(request), app_id).pk)


@router.get("/applications/{app_id}/dues", response=DuesOut, summary="截至某日应还本金、占用费、违约金")
def application_dues(request: HttpRequest, app_id: int, as_of: dt.date | None = None):
    app = _visible_app(acting_user(request), app_id)
    if not app.disbursed_on:
        raise DomainError("not_disbursed", "尚未放款")
    d = actions.dues(app, as_of or today_china())
    return {"as_of": d.as_of, "principal_fen": d.principal_fen, "fee_due_fen": d.fee_due_fen, "penalty_due_fen": d.penalty_due_fen,
            "fee_accrued_fen": d.fee_accrued_fen, "penalty_accrued_fen": d.penalty_accrued_fen, "overdue_days": d.overdue_days,
            "total_fen": d.total_fen}


def _write(request, app_id: int, fn) -> dict:
    """Visibility first (404 for strangers), then the action decides the permission (403)."""
    user = acting_user(request, write=True)
    _visible_app(user, app_id)
    fn(user)
    return _reload(app_id)


@router.post("/applications/{app_id}/withdraw", response=ApplicationOut, summary="企业撤回申请")
def application_withdraw(request: HttpRequest, app_id: int, payload: NoteIn):
    return _write(request, app_id, lambda u: actions.withdraw_application(u, app_id, payload.note))


@router.post("/applications/{app_id}/checks/{check_id}", response=ApplicationOut, summary="经办审核申请条件/资料（逐项勾选）")
def application_check(request: HttpRequest, app_id: int, check_id: int, payload: CheckIn):
    return _write(request, app_id, lambda u: actions.review_check(u, app_id, check_id, passed=payload.passed, note=payload.note))


@router.post("/applications/{app_id}/prepare", response=ApplicationOut, summary="经办初审（双人复核之经办）")
def application_prepare(request: HttpRequest, app_id: int, payload: PrepareIn):
    return _write(request, app_id, lambda u: actions.prepare(u, app_id, mode=payload.mode, note=payload.note))


@router.post("/applications/{app_id}/approve", response=ApplicationOut, summary="负责人复核（须与经办人不同）")
def application_approve(request: HttpRequest, app_id: int, payload: NoteIn):
    return _write(request, app_id, lambda u: actions.approve(u, app_id, note=payload.note))


@router.post("/applications/{app_id}/reject", response=ApplicationOut, summary="管理机构不予通过")
def application_reject(request: HttpRequest, app_id: int, payload: ReasonIn):
    return _write(request, app_id, lambda u: actions.reject_application(u, app_id, reason=payload.reason))


@router.post("/applications/{app_id}/bank-confirm", response=ApplicationOut, summary="贷款银行确认续贷")
def application_bank_confirm(request: HttpRequest, app_id: int, payload: BankConfirmIn):
    return _write(request, app_id, lambda u: actions.bank_confirm(u, app_id, **payload.dict()))


@router.post("/applications/{app_id}/bank-decline", response=ApplicationOut, summary="贷款银行不予确认")
def application_bank_decline(request: HttpRequest, app_id: int, payload: ReasonIn):
    return _write(request, app_id, lambda u: actions.bank_decline(u, app_id, reason=payload.reason))


@router.post("/applications/{app_id}/disburse", response=ApplicationOut, summary="放款（直接划入原贷款还款账户）")
def application_disburse(request: HttpRequest, app_id: int, payload: DisburseIn):
    return _write(request, app_id, lambda u: actions.disburse(u, app_id, account=payload.account, voucher=payload.voucher))


@router.post("/applications/{app_id}/renewal", response=ApplicationOut, summary="银行登记续贷发放")
def application_renewal(request: HttpRequest, app_id: int, payload: RenewalIn):
    return _write(request, app_id, lambda u: actions.record_renewal(u, app_id, **payload.dict()))


@router.post("/applications/{app_id}/repayments", response={201: ApplicationOut}, summary="登记还款（本金、占用费、违约金；含银行连带代偿）")
def application_repay(request: HttpRequest, app_id: int, payload: RepaymentIn):
    return Status(201, _write(request, app_id, lambda u: actions.record_repayment(u, app_id, **payload.dict())))


@router.post("/applications/{app_id}/fraud", response={201: FraudOut}, summary="认定虚报、瞒报、骗取（追缴、移送、5年禁入）")
def application_fraud(request: HttpRequest, app_id: int, payload: FraudIn):
    user = acting_user(request, write=True)
    _visible_app(user, app_id)
    f = actions.declare_fraud(user, app_id, findings=payload.findings, legal_referral=payload.legal_referral)
    return Status(201, {"id": f.pk, "organisation_id": f.organisation_id, "application_id": f.application_id,
                        "declared_on": f.declared_on, "banned_until": f.banned_until})


# ---------------------------------------------------------------------------------------------
# Recovery, revenue
# ---------------------------------------------------------------------------------------------


@router.get("/recovery-cases", response=list[CaseOut], summary="追偿案件")
def cases(request: HttpRequest):
    _require_overseer(acting_user(request))
    return [_case_out(c) for c in RecoveryCase.objects.select_related("application").prefetch_related("actions")]


@router.post("/recovery-cases/{case_id}/plan", response=CaseOut, summary="提出追偿方案")
def case_plan(request: HttpRequest, case_id: int, payload: PlanIn):
    c = actions.set_recovery_plan(acting_user(request, write=True), case_id, plan=payload.plan)
    return _case_out(RecoveryCase.objects.select_related("application").get(pk=c.pk))


@router.post("/recovery-cases/{case_id}/actions", response={201: CaseOut}, summary="登记追偿措施")
def case_action(request: HttpRequest, case_id: int, payload: CaseActionIn):
    a = actions.add_recovery_action(acting_user(request, write=True), case_id, taken_on=payload.taken_on, description=payload.description)
    return Status(201, _case_out(RecoveryCase.objects.select_related("application").get(pk=a.case_id)))


@router.get("/revenue", response=RevenueOut, summary="非税收入：已收、已缴、未缴")
def revenue(request: HttpRequest):
    _require_overseer(acting_user(request))
    b = actions.revenue_balance()
    return {**b.__dict__, "unremitted_fen": b.fee_unremitted_fen + b.interest_unremitted_fen + b.penalty_unremitted_fen}


@router.post("/deposit-interest", response={201: OkOut}, summary="登记存款利息")
def deposit_interest(request: HttpRequest, payload: InterestIn):
    r = actions.record_deposit_interest(acting_user(request, write=True), **payload.dict())
    return Status(201, {"id": r.pk, "status": "ok"})


@router.post("/remittances", response={201: OkOut}, summary="登记非税收入上缴市财政")
def remittance(request: HttpRequest, payload: RemittanceIn):
    r = actions.record_remittance(acting_user(request, write=True), **payload.dict())
    return Status(201, {"id": r.pk, "status": "ok"})


# ---------------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------------


def _visible_report(user, report_id: int) -> QuarterlyReport:
    _require_overseer(user)
    r = QuarterlyReport.objects.filter(pk=report_id).first()
    if r is None:
        raise NotFound("季度报告不存在")
    return r


@router.get("/reports", response=list[ReportOut], summary="季度报告")
def report_list(request: HttpRequest):
    _require_overseer(acting_user(request))
    return [_report_out(r) for r in QuarterlyReport.objects.all()]


@router.post("/reports", response={201: ReportOut}, summary="生成或刷新季度报告草稿")
def report_generate(request: HttpRequest, payload: ReportGenerateIn):
    r = actions.generate_report(acting_user(request, write=True), year=payload.year, quarter=payload.quarter)
    return Status(201, _report_out(r))


@router.get("/reports/{report_id}", response=ReportOut, summary="季度报告详情")
def report_detail(request: HttpRequest, report_id: int):
    return _report_out(_visible_report(acting_user(request), report_id))


@router.post("/reports/{report_id}/submit", response=ReportOut, summary="报送市财政局")
def report_submit(request: HttpRequest, report_id: int, payload: ReportSubmitIn):
    return _report_out(actions.submit_report(acting_user(request, write=True), report_id, narrative=payload.narrative))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    from urllib.parse import quote

    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


@router.get("/reports/{report_id}/xlsx", summary="下载季度报告 Excel")
def report_xlsx(request: HttpRequest, report_id: int):
    r = _visible_report(acting_user(request), report_id)
    return _download(reports.report_xlsx(r), XLSX, f"续贷过桥资金{r.year}年第{r.quarter}季度报告.xlsx")


@router.get("/reports/{report_id}/pdf", summary="下载季度报告 PDF")
def report_pdf(request: HttpRequest, report_id: int):
    r = _visible_report(acting_user(request), report_id)
    return _download(reports.report_pdf(r), "application/pdf", f"续贷过桥资金{r.year}年第{r.quarter}季度报告.pdf")


@router.get("/ledger.xlsx", summary="导出业务台账 Excel（供审计）")
def ledger(request: HttpRequest, start: dt.date, end: dt.date):
    _require_overseer(acting_user(request))
    if end < start:
        raise DomainError("invalid_period", "结束日期不能早于开始日期", "end")
    return _download(reports.ledger_xlsx(start, end), XLSX, f"续贷过桥资金台账{start}至{end}.xlsx")
