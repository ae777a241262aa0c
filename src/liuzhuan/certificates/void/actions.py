"""Void (作废): an operator maker prepares voiding a certificate issued in error (nothing may have
moved since issue), a different operator user decides; the certificate and its piece are voided,
its open purchase commitments close and its issuance fee is reversed (红字冲销).

Each action runs in one transaction; a ``DomainError`` means nothing changed.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.errors import Conflict, DomainError, NotFound
from liuzhuan.core.money import format_yuan
from liuzhuan.core.permissions import require_checker, require_role, require_write_access
from liuzhuan.core.roles import Role
from liuzhuan.members.actions import notify
from liuzhuan.members.models import User

from ..fees.charges import reverse_issuance_fees
from ..ledger.checks import MAX_TEXT, required_text
from ..ledger.models import Certificate, CertificateStatus, Piece, PieceStatus
from ..purchase.models import CommitmentStatus, PurchaseCommitment
from .models import CertificateVoid, VoidStatus


def _unmoved_piece(cert: Certificate) -> Piece:
    """The certificate's only piece if nothing has moved since issue; otherwise the refusal says why."""
    pieces = list(Piece.objects.select_for_update(of=("self",)).filter(certificate=cert).order_by("pk"))
    if cert.status != CertificateStatus.ACTIVE:
        raise DomainError("certificate_inactive", f"凭证 {cert.number} 当前状态为“{cert.get_status_display()}”，不能作废")
    if len(pieces) != 1 or pieces[0].origin != "issue" or pieces[0].holder_id != cert.creditor_id:
        raise DomainError("piece_moved", f"凭证 {cert.number} 已有分段拆分或流转（共 {len(pieces)} 个分段），不能作废；请按流转记录办理更正")
    if pieces[0].status != PieceStatus.LIVE:
        raise DomainError("piece_moved", f"凭证 {cert.number} 的分段当前状态为“{pieces[0].get_status_display()}”，不能作废")
    return pieces[0]


def prepare_void(actor: User, cert_id: int, reason: str) -> CertificateVoid:
    """Operator maker proposes voiding a certificate issued in error, with the reason."""
    require_write_access(actor)
    require_role(actor, Role.OPERATOR)
    reason = required_text(reason, "reason_required", "请填写作废理由", "reason", 500)
    with transaction.atomic():
        cert = Certificate.objects.select_for_update(of=("self",)).filter(pk=cert_id).first()
        if cert is None:
            raise NotFound("凭证不存在")
        _unmoved_piece(cert)
        if CertificateVoid.objects.filter(certificate=cert, status=VoidStatus.PREPARED).exists():
            raise Conflict("void_pending", f"凭证 {cert.number} 已有待复核的作废申请")
        v = CertificateVoid.objects.create(certificate=cert, reason=reason, prepared_by=actor)
        audit.record(actor, "certificate.void_prepare", v, summary={"certificate": cert.number, "reason": reason})
        return v


def decide_void(actor: User, void_id: int, agree: bool, reason: str = "") -> CertificateVoid:
    """A different operator user confirms (the certificate and its piece are voided) or sends back."""
    require_write_access(actor)
    require_role(actor, Role.OPERATOR)
    row = CertificateVoid.objects.filter(pk=void_id).values_list("certificate_id", flat=True).first()
    if row is None:
        raise NotFound("作废申请不存在")
    with transaction.atomic():
        cert = Certificate.objects.select_for_update(of=("self",)).select_related("creditor", "debtor").get(pk=row)
        v = CertificateVoid.objects.select_for_update().get(pk=void_id)
        if v.status != VoidStatus.PREPARED:
            raise Conflict("void_state", f"作废申请当前状态为“{v.get_status_display()}”")
        require_checker(v.prepared_by_id, actor)
        v.decided_by = actor
        v.decided_at = timezone.now()
        v.decision_reason = (reason or "").strip()[:MAX_TEXT]
        if not agree:
            if not v.decision_reason:
                raise DomainError("reason_required", "复核不同意时必须填写理由", field="reason")
            v.status = VoidStatus.SENT_BACK
            v.save()
            audit.record(actor, "certificate.void_send_back", v, summary={"certificate": cert.number, "reason": v.decision_reason})
            return v
        piece = _unmoved_piece(cert)
        Piece.objects.filter(pk=piece.pk).update(status=PieceStatus.VOIDED, ended_at=timezone.now())
        cert.status = CertificateStatus.VOIDED
        cert.save(update_fields=["status"])
        closed = list(PurchaseCommitment.objects.select_for_update().filter(
            certificate=cert, status__in=[CommitmentStatus.REQUESTED, CommitmentStatus.ACTIVE]).select_related("provider"))
        PurchaseCommitment.objects.filter(pk__in=[c.pk for c in closed]).update(status=CommitmentStatus.VOIDED)
        v.status = VoidStatus.VOIDED
        v.save()
        refunds = reverse_issuance_fees(cert)
        for org in (cert.creditor, cert.debtor, *[c.provider for c in closed]):
            refund = f"\n已冲销贵机构就该凭证缴纳的开具服务费 {format_yuan(refunds[org.pk])}。" if refunds.get(org.pk) else ""
            notify(org, f"凭证 {cert.number} 已作废", f"该凭证系错误开具，已由债权管理服务机构作废。理由：{v.reason}{refund}", obj=cert)
        audit.record(actor, "certificate.void", v, summary={
            "certificate": cert.number, "piece": piece.number, "reason": v.reason, "prepared_by": v.prepared_by_id,
            "commitments_closed": [c.number for c in closed], "issuance_fee_reversed_fen": sum(refunds.values())})
        return v
