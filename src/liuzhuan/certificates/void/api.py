"""Void API: prepare and decide."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from liuzhuan.core.api_types import Id
from liuzhuan.members.api_auth import acting_user

from ..purchase.api import ProviderDecideIn
from . import actions
from .models import CertificateVoid

router = Router()


class VoidIn(Schema):
    reason: str


class VoidOut(Schema):
    id: int
    certificate: str
    reason: str
    status: str
    status_label: str

    @staticmethod
    def of(v: CertificateVoid) -> VoidOut:
        return VoidOut(id=v.pk, certificate=v.certificate.number, reason=v.reason, status=v.status, status_label=v.get_status_display())


@router.post("/certs/{cert_id}/void", response={201: VoidOut}, summary="作废错误开具的凭证（运营经办；无任何流转时）")
def prepare_void(request: HttpRequest, cert_id: Id, payload: VoidIn):
    return Status(201, VoidOut.of(actions.prepare_void(acting_user(request, write=True), cert_id, payload.reason)))


@router.post("/voids/{void_id}/decide", response=VoidOut, summary="作废复核（不同于经办人）")
def decide_void(request: HttpRequest, void_id: Id, payload: ProviderDecideIn):
    return VoidOut.of(actions.decide_void(acting_user(request, write=True), void_id, payload.agree, payload.reason))
