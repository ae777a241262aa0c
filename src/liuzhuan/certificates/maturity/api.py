"""Maturity API: a certificate's maturity, extension clause and conditions, extensions, the
pieces' maturities and overdue state; the debtor's application and a holder's objection."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from liuzhuan.core.api_types import Id
from liuzhuan.core.errors import NotFound
from liuzhuan.members.api_auth import acting_user
from liuzhuan.members.queries import sees_all

from ..ledger.models import Certificate
from ..ledger.queries import can_see_certificate
from . import actions

router = Router()


class ExtensionOut(Schema):
    seq: int
    from_date: dt.date
    to_date: dt.date
    run_date: dt.date
    outstanding_fen: int
    extended_pieces: list[str] = Field(..., description="展期的未清偿分段编号")


class NoticeOut(Schema):
    id: int
    kind: str
    for_maturity: dt.date
    org_id: int
    reason: str
    filed_at: dt.datetime


class PieceMaturityOut(Schema):
    piece: str
    status: str
    amount_fen: int
    maturity_date: dt.date = Field(..., description="该分段的到期日：已了结的分段保留了结时的到期日")


class MaturityOut(Schema):
    certificate: str
    original_maturity: dt.date
    maturity_date: dt.date
    extension_days: int | None
    extension_max: int | None
    extension_conditions: list[str]
    extension_count: int
    overdue_since: dt.date | None
    rule: str
    extensions: list[ExtensionOut]
    notices: list[NoticeOut]
    pieces: list[PieceMaturityOut] = Field(..., description="本机构可见的分段（会员：本机构持有过的；债务人与监管：全部）")


class NoticeIn(Schema):
    kind: Literal["request", "dispute"] = Field(..., description="request 债务人展期申请 / dispute 持有人展期异议")
    reason: str = Field("", max_length=300)


def _cert_for(user, cert_id: int) -> Certificate:
    cert = Certificate.objects.select_related("application").filter(pk=cert_id).first()
    if cert is None or not can_see_certificate(user, cert):
        raise NotFound("凭证不存在")
    return cert


@router.get("/certs/{cert_id}/maturity", response=MaturityOut, summary="到期、展期条款与情形、展期与逾期情况")
def maturity(request: HttpRequest, cert_id: Id):
    user = acting_user(request)
    cert = _cert_for(user, cert_id)
    app = cert.application
    pieces = cert.pieces.order_by("pk")
    if cert.debtor_id != user.organisation_id and not sees_all(user):
        pieces = pieces.filter(holder_id=user.organisation_id)
    return MaturityOut(
        certificate=cert.number, original_maturity=app.maturity_date, maturity_date=cert.maturity_date, extension_days=app.extension_days,
        extension_max=app.extension_max, extension_conditions=app.extension_conditions, extension_count=cert.extension_count,
        overdue_since=cert.overdue_since, rule=app.extension_label,
        extensions=[ExtensionOut(seq=e.seq, from_date=e.from_date, to_date=e.to_date, run_date=e.run_date, outstanding_fen=e.outstanding_fen,
                                 extended_pieces=e.extended_pieces) for e in cert.extensions.all()],
        notices=[NoticeOut(id=n.pk, kind=n.kind, for_maturity=n.for_maturity, org_id=n.org_id, reason=n.reason, filed_at=n.filed_at)
                 for n in cert.extension_notices.all()],
        pieces=[PieceMaturityOut(piece=p.number, status=p.status, amount_fen=p.amount_fen, maturity_date=p.maturity_date or cert.maturity_date)
                for p in pieces],
    )


@router.post("/certs/{cert_id}/extension-notices", response={201: NoticeOut},
             summary="展期申请（债务人）或展期异议（持有人），针对当前到期日，到期日（含）前提出")
def file_notice(request: HttpRequest, cert_id: Id, payload: NoticeIn):
    n = actions.file_extension_notice(acting_user(request, write=True), cert_id, payload.kind, payload.reason)
    return Status(201, NoticeOut(id=n.pk, kind=n.kind, for_maturity=n.for_maturity, org_id=n.org_id, reason=n.reason, filed_at=n.filed_at))
