"""Supervision API: the event log and integrity verification in the worker (oversight roles only)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from liuzhuan.core.api_pages import paged, rows
from liuzhuan.core.api_types import MAX_ID, Id
from liuzhuan.core.errors import NotFound, PermissionDenied
from liuzhuan.core.models import AuditEvent
from liuzhuan.members.api_auth import acting_user
from liuzhuan.members.queries import sees_all

from . import actions, queries

router = Router(tags=["监管"])


class EventOut(Schema):
    seq: int
    at: dt.datetime
    actor_username: str
    actor_org_name: str
    action: str
    object_type: str
    object_id: str
    summary: dict
    prev_hash: str
    hash: str


class VerifyCheckOut(Schema):
    name: str
    found: int = Field(description="该项检查发现的问题数")


class VerifyRunOut(Schema):
    id: int
    status: Literal["queued", "running", "done", "failed"]
    status_label: str
    task_id: str
    requested_at: dt.datetime
    requested_by: str | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    ok: bool | None = Field(description="校验是否通过；未完成或未能完成时为 null")
    # objects, not [name, found] pairs: a tuple's prefixItems is not valid in the OpenAPI 3.1 ninja emits
    checks: list[VerifyCheckOut] = Field(description="各项检查的名称与发现的问题数")
    problems: list[str]
    error: str

    @staticmethod
    def of(run) -> VerifyRunOut:
        return VerifyRunOut(
            id=run.pk, status=run.status, status_label=run.get_status_display(), task_id=run.task_id,
            requested_at=run.requested_at, requested_by=run.requested_by.username if run.requested_by else None,
            started_at=run.started_at, finished_at=run.finished_at, ok=run.ok,
            checks=[VerifyCheckOut(name=n, found=f) for n, f in run.checks], problems=run.problems, error=run.error)


class VerifyStateOut(Schema):
    last: VerifyRunOut | None = Field(description="最近一次已结束的校验（尚无则为 null）")
    pending: VerifyRunOut | None = Field(description="正在排队或进行中的校验（无则为 null）")


def _oversight(request):
    user = acting_user(request)
    if not sees_all(user):
        raise PermissionDenied("仅运营机构、监管部门和财政局可以查看审计日志")
    return user


@router.get("/events", response=list[EventOut], summary="审计事件（哈希链）")
def events(request: HttpRequest, after_seq: Annotated[int, Field(ge=0, le=MAX_ID)] = 0,
           limit: Annotated[int, Field(ge=1, le=1000)] = 100, action: str | None = None):
    """A cursor, not pages: events after ``after_seq`` in order; continue from the last ``seq``
    received until an answer is shorter than ``limit``."""
    _oversight(request)
    qs = AuditEvent.objects.filter(seq__gt=after_seq).order_by("seq")
    if action:
        qs = qs.filter(action=action)
    return list(qs[:limit])


@router.get("/verify", response=VerifyStateOut, summary="最近一次完整性校验的结果（哈希链与业务不变量）")
def verify(request: HttpRequest):
    """The last finished run and the one queued or running; ``POST`` asks for a new one."""
    last, pending = queries.verify_state(acting_user(request))
    return VerifyStateOut(last=VerifyRunOut.of(last) if last else None,
                          pending=VerifyRunOut.of(pending) if pending else None)


@router.post("/verify", response={202: VerifyRunOut}, summary="发起完整性校验（后台任务；已有排队或进行中的校验时返回该次）")
def request_verify(request: HttpRequest):
    """Queued for the task worker; poll ``GET /supervision/verify/runs/{run_id}``. Regulators' read-only
    tokens may ask: a verification changes no business data."""
    return Status(202, VerifyRunOut.of(actions.request_verify(acting_user(request))))


@router.get("/verify/runs", response=list[VerifyRunOut], summary="完整性校验记录（新的在前）")
@paged(200, default=50)
def verify_runs(request: HttpRequest):
    return rows(queries.verify_runs(acting_user(request)), VerifyRunOut.of)


@router.get("/verify/runs/{run_id}", response=VerifyRunOut, summary="一次完整性校验的状态与结果")
def verify_run(request: HttpRequest, run_id: Id):
    run = queries.verify_run(acting_user(request), run_id)
    if run is None:
        raise NotFound("校验记录不存在")
    return VerifyRunOut.of(run)
