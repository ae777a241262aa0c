"""The fund's endpoints (/api/v1/bridge/fund…, /lpr, /cap), and what every stage's API module uses:
the router class, the overseer check and the small shared schemas. Thin: parse, call an action,
serialise."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from liuzhuan.core.api_pages import paged
from liuzhuan.core.api_types import (
    Date,
    DayBasis,
    Fen,
    Flag,
    Id,
    IdIn,
    Percent,
    QueryDate,
    QueryDayBasis,
)
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import NotFound, PermissionDenied
from liuzhuan.core.money import format_yuan
from liuzhuan.members.api_auth import acting_user

from ..models.fund import FundStatusChange, LprRate, PrincipalChange, ResumeRequest
from ..rates.common import BridgeError, per_10k_str, rate_str
from ..rates.fees import cap_daily_rate
from ..rates.lpr import LprUnavailable, jan1_lpr
from . import actions, queries


class StageRouter(Router):
    """Each stage's router. Operation ids stay ``liuzhuan_bridge_api_<function>`` — the ids clients
    have seen since every endpoint lived in ``bridge/api.py`` — whichever stage module holds it."""

    def add_api_operation(self, path, methods, view_func, *, operation_id=None, **kwargs):
        operation_id = operation_id or f"liuzhuan_bridge_api_{view_func.__name__}"
        super().add_api_operation(path, methods, view_func, operation_id=operation_id, **kwargs)


router = StageRouter()


def require_overseer(user) -> None:
    if not queries.sees_all(user):
        raise PermissionDenied("仅限过桥资金管理机构、市财政局和监管部门查看", code="bridge_oversight_only")


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
    region_code: str = Field(..., description="本市行政区划代码（与统一社会信用代码第 3–8 位比较的前缀）")
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
    manager_org_id: IdIn
    established_on: Date
    annual_turnover_target: str = "0"
    region_code: str | None = Field(None, description="本市行政区划代码（2、4 或 6 位）；为空取财政局统一社会信用代码第 3–8 位")


class PrincipalIn(Schema):
    kind: str = Field(..., description="contribute（财政出资）或 withdraw（财政调回）")
    amount_fen: Fen
    effective_on: Date
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


class BridgeReasonIn(Schema):
    reason: str


class NoteIn(Schema):
    note: str = ""


class BridgeDecideIn(Schema):
    approve: Flag
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
    day_basis: DayBasis = 360
    self_daily_rate: str | None = Field(None, description="如 0.0003；为空表示按法定上限")
    entrusted_multiplier: str = "1"
    penalty_annual_rate: str = Field(..., description="年利率小数，如 0.10")
    note: str = ""


class LprIn(Schema):
    effective_date: Date
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


# ---------------------------------------------------------------------------------------------
# Fund and the bureau
# ---------------------------------------------------------------------------------------------


@router.get("/fund", response=FundOut, summary="资金概况（本金、在贷、风险敞口、周转率）")
def fund_overview(request: HttpRequest):
    user = acting_user(request)
    require_overseer(user)
    ov = queries.overview(today_china())
    if ov is None:
        raise NotFound("续贷过桥资金尚未设立")
    f = ov.fund
    try:
        cap = queries.current_cap(ov.today, f.day_basis)
    except BridgeError:
        cap = None
    return {
        "name": f.name, "manager": f.manager.name, "bureau": f.bureau.name, "established_on": f.established_on,
        "status": f.status, "status_label": f.get_status_display(), "status_reason": f.status_reason,
        "principal_fen": f.principal_fen, "principal_yuan": format_yuan(f.principal_fen), "outstanding_fen": ov.outstanding_fen,
        "available_fen": ov.available_fen, "at_risk_fen": ov.exposure.at_risk_fen, "exposure": ov.exposure.percent,
        "exposure_breached": ov.exposure.breached, "warn_percent": f.warn_percent, "warning_since": f.warning_since,
        "region_code": f.region_code,
        "day_basis": f.day_basis,
        "self_daily_rate": None if f.self_daily_rate is None else rate_str(f.self_daily_rate),
        "entrusted_multiplier": rate_str(f.entrusted_multiplier), "penalty_annual_rate": rate_str(f.penalty_annual_rate),
        "annual_turnover_target": str(f.annual_turnover_target), "ytd_volume_fen": ov.ytd_volume_fen, "ytd_loans": ov.ytd_loans,
        "ytd_enterprises": ov.ytd_enterprises,
        "ytd_turnover": None if ov.ytd_turnover is None else str(ov.ytd_turnover),
        "ytd_turnover_weighted": None if ov.ytd_turnover_weighted is None else str(ov.ytd_turnover_weighted),
        "cap_daily_rate": None if cap is None else rate_str(cap.daily_rate),
        "cap_binding": None if cap is None else cap.binding,
    }


@router.post("/fund", response={201: OkOut}, summary="市财政局设立续贷过桥资金并委托管理机构")
def establish(request: HttpRequest, payload: FundIn):
    f = actions.establish_fund(acting_user(request, write=True), name=payload.name, manager_org_id=payload.manager_org_id,
                               established_on=payload.established_on, annual_turnover_target=payload.annual_turnover_target,
                               region_code=payload.region_code)
    return Status(201, {"id": f.pk, "status": f.status})


@router.get("/fund/principal", response=list[PrincipalOut], summary="本金出资与调回记录")
def principal_history(request: HttpRequest):
    require_overseer(acting_user(request))
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
    warn_percent: Percent = Field(..., description="风险预警线（%），1–29，低于 30% 的暂停线")
    note: str = Field("", max_length=200)


@router.post("/fund/warning", response=OkOut, summary="设定风险预警线（市财政局，第二十二条预警制度）")
def set_warning(request: HttpRequest, payload: WarnLevelIn):
    f = actions.set_warning_level(acting_user(request, write=True), payload.warn_percent, payload.note)
    return {"id": f.pk, "status": f.status}


class RegionIn(Schema):
    region_code: str = Field(..., max_length=6, description="本市行政区划代码：2、4 或 6 位数字，如 340881（桐城市）")
    note: str = Field("", max_length=200)


@router.post("/fund/region", response=OkOut, summary="设定本市行政区划代码（市财政局，第三条、第八条（一））")
def set_region(request: HttpRequest, payload: RegionIn):
    f = actions.set_region(acting_user(request, write=True), payload.region_code, payload.note)
    return {"id": f.pk, "status": f.status}


@router.post("/fund/suspend", response=OkOut, summary="市财政局叫停业务")
def suspend(request: HttpRequest, payload: BridgeReasonIn):
    f = actions.bureau_suspend(acting_user(request, write=True), payload.reason)
    return {"id": f.pk, "status": f.status}


@router.get("/fund/status-changes", response=list[StatusChangeOut], summary="业务暂停与恢复记录")
@paged(200)
def status_changes(request: HttpRequest):
    require_overseer(acting_user(request))
    return FundStatusChange.objects.all()


@router.get("/fund/resume-requests", response=list[ResumeOut], summary="恢复业务申请")
@paged(200)
def resume_requests(request: HttpRequest):
    require_overseer(acting_user(request))
    return ResumeRequest.objects.all()


@router.post("/fund/resume-requests", response={201: ResumeOut}, summary="管理机构报告风险敞口已低于30%并申请恢复")
def request_resume(request: HttpRequest, payload: NoteIn):
    return Status(201, actions.request_resume(acting_user(request, write=True), payload.note))


@router.post("/fund/resume-requests/{request_id}/decide", response=ResumeOut, summary="市财政局批准或不批准恢复业务")
def decide_resume(request: HttpRequest, request_id: Id, payload: BridgeDecideIn):
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
def cap(request: HttpRequest, on: QueryDate | None = None, basis: QueryDayBasis = 360):
    acting_user(request)
    on = on or today_china()
    table = queries.lpr_table()
    c = cap_daily_rate(on, basis, table)
    try:
        jan1 = str(jan1_lpr(on.year, table).lpr_1y)
    except LprUnavailable:
        jan1 = None
    return {"on": on, "basis": basis, "lpr_1y": str(c.lpr.lpr_1y), "cap_daily_rate": rate_str(c.daily_rate),
            "cap_daily_rate_per_10k": per_10k_str(c.daily_rate), "binding": c.binding, "describe": c.describe(),
            "entrusted_jan1_lpr_1y": jan1}
