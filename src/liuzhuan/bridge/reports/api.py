"""Quarterly report endpoints (/api/v1/bridge/reports…) and the ledger export (/ledger.xlsx), for
the manager, the bureau and the regulator."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.responses import Status

from liuzhuan.core.api_types import Id, Quarter, QueryDate, Year
from liuzhuan.core.errors import DomainError, NotFound
from liuzhuan.members.api_auth import acting_user

from ..fund.api import StageRouter, require_overseer
from ..models.reports import QuarterlyReport
from . import actions, export
from .export import XLSX, download

router = StageRouter()


class ReportGenerateIn(Schema):
    year: Year
    quarter: Quarter


class ReportSubmitIn(Schema):
    narrative: str


class ReportReviewIn(Schema):
    decision: str = Field(..., description="acknowledge / return")
    note: str = ""


class ReportOut(Schema):
    id: int
    year: int
    quarter: int
    status: str
    due_date: dt.date
    late: bool
    submitted_on: dt.date | None
    narrative: str
    review_note: str
    reviewed_at: dt.datetime | None
    figures: dict


def _report_out(r: QuarterlyReport) -> dict:
    return {"id": r.pk, "year": r.year, "quarter": r.quarter, "status": r.status, "due_date": r.due_date, "late": r.late,
            "submitted_on": r.submitted_on, "narrative": r.narrative, "review_note": r.review_note, "reviewed_at": r.reviewed_at, "figures": r.figures}


def _visible_report(user, report_id: int) -> QuarterlyReport:
    require_overseer(user)
    r = QuarterlyReport.objects.filter(pk=report_id).first()
    if r is None:
        raise NotFound("季度报告不存在")
    return r


@router.get("/reports", response=list[ReportOut], summary="季度报告")
def report_list(request: HttpRequest):
    require_overseer(acting_user(request))
    return [_report_out(r) for r in QuarterlyReport.objects.all()]


@router.post("/reports", response={201: ReportOut}, summary="生成或刷新季度报告草稿")
def report_generate(request: HttpRequest, payload: ReportGenerateIn):
    r = actions.generate_report(acting_user(request, write=True), year=payload.year, quarter=payload.quarter)
    return Status(201, _report_out(r))


@router.get("/reports/{report_id}", response=ReportOut, summary="季度报告详情")
def report_detail(request: HttpRequest, report_id: Id):
    return _report_out(_visible_report(acting_user(request), report_id))


@router.post("/reports/{report_id}/submit", response=ReportOut, summary="报送市财政局")
def report_submit(request: HttpRequest, report_id: Id, payload: ReportSubmitIn):
    return _report_out(actions.submit_report(acting_user(request, write=True), report_id, narrative=payload.narrative))


@router.post("/reports/{report_id}/review", response=ReportOut, summary="市财政局确认或退回季度报告")
def report_review(request: HttpRequest, report_id: Id, payload: ReportReviewIn):
    user = acting_user(request, write=True)
    _visible_report(user, report_id)
    return _report_out(actions.review_report(user, report_id, decision=payload.decision, note=payload.note))


@router.get("/reports/{report_id}/xlsx", summary="下载季度报告 Excel")
def report_xlsx(request: HttpRequest, report_id: Id):
    r = _visible_report(acting_user(request), report_id)
    return download(export.report_xlsx(r), XLSX, f"续贷过桥资金{r.year}年第{r.quarter}季度报告.xlsx")


@router.get("/reports/{report_id}/pdf", summary="下载季度报告 PDF")
def report_pdf(request: HttpRequest, report_id: Id):
    r = _visible_report(acting_user(request), report_id)
    return download(export.report_pdf(r), "application/pdf", f"续贷过桥资金{r.year}年第{r.quarter}季度报告.pdf")


@router.get("/ledger.xlsx", summary="导出业务台账 Excel（供审计）")
def ledger(request: HttpRequest, start: QueryDate, end: QueryDate):
    require_overseer(acting_user(request))
    if end < start:
        raise DomainError("invalid_period", "结束日期不能早于开始日期", "end")
    return download(export.ledger_xlsx(start, end), XLSX, f"续贷过桥资金台账{start}至{end}.xlsx")
