"""Supervision API: the event log and integrity verification (oversight roles only)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Schema

from liuzhuan.core.api_types import MAX_ID
from liuzhuan.core.errors import PermissionDenied
from liuzhuan.core.integrity import run_all
from liuzhuan.core.models import AuditEvent
from liuzhuan.members.api_auth import acting_user
from liuzhuan.members.queries import sees_all

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
    found: int  # violations found by this check


class VerifyOut(Schema):
    ok: bool
    checks: list[VerifyCheckOut]  # (was a list of [name, found] pairs: not a valid OpenAPI 3.1 schema)
    problems: list[str]


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


@router.get("/verify", response=VerifyOut, summary="校验哈希链与业务不变量")
def verify(request: HttpRequest):
    _oversight(request)
    report = run_all()
    return VerifyOut(ok=report.ok, checks=[VerifyCheckOut(name=n, found=f) for n, f in report.checks],
                     problems=report.problems)
