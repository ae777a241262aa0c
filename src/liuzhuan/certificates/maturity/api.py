"""Maturity API: a certificate's maturity, extensions and overdue state."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from liuzhuan.core.api_types import Id
from liuzhuan.core.errors import NotFound
from liuzhuan.members.api_auth import acting_user

from ..ledger.models import Certificate
from ..ledger.queries import can_see_certificate

router = Router()


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


def _cert_for(user, cert_id: int) -> Certificate:
    cert = Certificate.objects.select_related("application").filter(pk=cert_id).first()
    if cert is None or not can_see_certificate(user, cert):
        raise NotFound("凭证不存在")
    return cert


@router.get("/certs/{cert_id}/maturity", response=MaturityOut, summary="到期、展期与逾期情况")
def maturity(request: HttpRequest, cert_id: Id):
    cert = _cert_for(acting_user(request), cert_id)
    app = cert.application
    return MaturityOut(
        certificate=cert.number, original_maturity=app.maturity_date, maturity_date=cert.maturity_date, extension_days=app.extension_days,
        extension_max=app.extension_max, extension_count=cert.extension_count, overdue_since=cert.overdue_since, rule=app.extension_label,
        extensions=[ExtensionOut(seq=e.seq, from_date=e.from_date, to_date=e.to_date, run_date=e.run_date, outstanding_fen=e.outstanding_fen)
                    for e in cert.extensions.all()],
    )
