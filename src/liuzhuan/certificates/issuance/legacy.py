"""存量业务 (seed 六（三）「本方案发布前…已开展的…流转业务…自本方案发布之日起不得新增；存量业务须依法依规
妥善处置至完结」): the operator records a certificate issued before the plan, with its original
number and issue date. It is flagged 存量 wherever certificates are shown and can only be wound
down (offset, paid, cancelled, voided): ``ledger.rules.require_not_legacy`` refuses transfer (and
the split a partial transfer makes), pledge and purchase. No issuance fee: nothing is issued anew."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum

from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import Conflict, DomainError
from liuzhuan.core.money import format_yuan
from liuzhuan.core.numbers import next_number
from liuzhuan.core.permissions import require_role
from liuzhuan.core.roles import Role
from liuzhuan.members.actions import notify
from liuzhuan.members.models import Organisation, OrgStatus, User

from ..ledger import scope
from ..ledger.checks import ceiling, required_text
from ..ledger.models import Certificate, CertificateStatus, Piece
from .models import Application, ApplicationStatus


@dataclass(frozen=True)
class LegacyInput:
    creditor_id: int
    debtor_id: int
    original_no: str
    original_issue_date: dt.date
    contract_no: str
    contract_title: str
    contract_date: dt.date
    amount_fen: int
    maturity_date: dt.date
    offset_scope: tuple[str, ...]
    holder_id: int | None = None  # the current holder, if the claim moved before the plan; default the creditor


def policy_start() -> dt.date:
    return settings.LIUZHUAN_POLICY_START_DATE


def _member(org_id: int | None, field: str, who: str) -> Organisation:
    org = Organisation.objects.filter(pk=org_id).first() if org_id else None
    if org is None or not org.has_role(Role.MEMBER):
        raise DomainError(f"{field.removesuffix('_id')}_invalid", f"请选择{who}（须为会员）", field=field)
    if org.status != OrgStatus.ACTIVE:
        raise DomainError(f"{field.removesuffix('_id')}_inactive", f"{who}“{org.name}”当前状态为{org.get_status_display()}", field=field)
    return org


def record_legacy_certificate(actor: User, data: LegacyInput) -> Certificate:
    """The operator records a certificate issued before the plan's start date as 存量业务."""
    require_role(actor, Role.OPERATOR)
    start = policy_start()
    original_no = required_text(data.original_no, "original_no_required", "请填写原凭证（合同）编号", "original_no", 60)
    contract_no = required_text(data.contract_no, "contract_no_required", "请填写基础合同编号", "contract_no", 60)
    contract_title = required_text(data.contract_title, "contract_title_required", "请填写基础合同名称", "contract_title", 200)
    if data.original_issue_date is None or data.original_issue_date >= start:
        raise DomainError("not_before_policy", f"存量业务的原开具日期须早于方案发布之日 {start:%Y-%m-%d}；此后开展的业务请按本方案申请开具",
                          field="original_issue_date")
    if data.contract_date is None or data.contract_date > data.original_issue_date:
        raise DomainError("contract_date_invalid", "基础合同签订日期不能晚于原开具日期", field="contract_date")
    if data.amount_fen is None or data.amount_fen <= 0:
        raise DomainError("amount_not_positive", "债权金额必须大于零", field="amount_fen")
    if data.amount_fen > ceiling():
        raise DomainError("amount_too_large", f"债权金额超过上限 {format_yuan(ceiling())}", field="amount_fen")
    if data.maturity_date is None or data.maturity_date < data.original_issue_date:
        raise DomainError("maturity_invalid", "清偿期限不能早于原开具日期", field="maturity_date")
    offset_scope = scope.normalise(data.offset_scope)
    asset, consumption = scope.manners(offset_scope)
    today = today_china()
    with transaction.atomic():
        creditor = _member(data.creditor_id, "creditor_id", "债权人")
        debtor = _member(data.debtor_id, "debtor_id", "债务人")
        holder = _member(data.holder_id, "holder_id", "持有人") if data.holder_id else creditor
        if creditor.pk == debtor.pk:
            raise DomainError("same_party", "债权人与债务人不能为同一机构", field="debtor_id")
        if holder.pk == debtor.pk:
            raise DomainError("holder_is_debtor", "持有人不能为债务人（债权因混同消灭）", field="holder_id")
        if Certificate.objects.filter(legacy=True, legacy_original_no=original_no).exists():
            raise Conflict("legacy_duplicate", f"原凭证编号 {original_no} 已登记为存量业务")
        app = Application.objects.create(
            number=next_number("SQ", today.year), creditor=creditor, debtor=debtor, contract_no=contract_no, contract_title=contract_title,
            contract_date=data.contract_date, amount_fen=data.amount_fen, maturity_date=data.maturity_date, settle_by_asset=asset,
            settle_by_consumption=consumption, offset_scope=offset_scope, non_cash_declared=True, status=ApplicationStatus.ISSUED,
            created_by=actor)
        cert = Certificate.objects.create(
            number=next_number("LZ", today.year), application=app, creditor=creditor, debtor=debtor, operator=actor.organisation,
            face_fen=data.amount_fen, maturity_date=data.maturity_date, issue_date=data.original_issue_date, issued_by=actor,
            piece_count=1, legacy=True, legacy_original_no=original_no, legacy_recorded_by=actor)
        piece = Piece.objects.create(number=f"{cert.number}-001", certificate=cert, holder=holder, amount_fen=cert.face_fen,
                                     origin="legacy")
        audit.record(actor, "certificate.legacy_record", cert, summary={
            "number": cert.number, "original_no": original_no, "original_issue_date": data.original_issue_date.isoformat(),
            "policy_start": start.isoformat(), "face_fen": cert.face_fen, "creditor": creditor.pk, "debtor": debtor.pk, "holder": holder.pk,
            "piece": piece.number, "maturity": cert.maturity_date.isoformat()})
        for org in {creditor, debtor, holder}:
            notify(org, f"存量业务已登记：{cert.number}", (
                f"原凭证（合同）{original_no}（{data.original_issue_date:%Y-%m-%d} 开具，{format_yuan(cert.face_fen)}）已登记为存量业务。"
                "依方案六（三），存量业务不得新增（不能转让、拆分转让、质押或申请收购），只能以抵付、清偿或注销方式处置至完结。"), obj=cert)
        return cert


def legacy_certificates() -> QuerySet[Certificate]:
    return Certificate.objects.filter(legacy=True).select_related("creditor", "debtor", "legacy_recorded_by").order_by("-id")


def legacy_summary() -> dict:
    """How many 存量 certificates were recorded and how many are still open (not settled or voided),
    with the open face amount still outstanding in live or frozen pieces."""
    agg = Certificate.objects.filter(legacy=True).aggregate(
        total=Count("id"), open=Count("id", filter=Q(status=CertificateStatus.ACTIVE)))
    outstanding = Piece.objects.filter(certificate__legacy=True, certificate__status=CertificateStatus.ACTIVE,
                                       ended_at__isnull=True).aggregate(s=Sum("amount_fen"))["s"] or 0
    return {"total": agg["total"], "open": agg["open"], "outstanding_fen": outstanding, "policy_start": policy_start()}
