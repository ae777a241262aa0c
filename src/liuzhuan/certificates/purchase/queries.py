"""Who sees which commitment and sale; commitments shown on a certificate and its paper copy;
what a provider may still have to pay."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q, QuerySet, Sum

from liuzhuan.core.errors import NotFound
from liuzhuan.members.models import User
from liuzhuan.members.queries import sees_all

from ..ledger.models import HOLDING_STATUSES, Certificate, Piece
from .models import CommitmentStatus, PurchaseCommitment, PurchaseProvider, PurchaseSale, SaleStatus

#: commitments shown on the certificate, its pieces and the paper copy
SHOWN_COMMITMENT_STATUSES = (CommitmentStatus.ACTIVE, CommitmentStatus.EXPIRED)


def provider_of(org_id: int) -> PurchaseProvider | None:
    return PurchaseProvider.objects.filter(org_id=org_id).first()


def provider_outstanding_fen(org_id: int) -> int:
    """Purchase price the provider may still have to pay under its commitments."""
    return providers_outstanding_fen([org_id])[org_id]


def providers_outstanding_fen(org_ids: list[int]) -> dict[int, int]:
    """``provider_outstanding_fen`` for many providers in two grouped queries (list pages)."""
    out = dict.fromkeys(org_ids, 0)
    for row in PurchaseCommitment.objects.filter(provider_id__in=org_ids, status=CommitmentStatus.ACTIVE).values("provider_id").annotate(
            t=Sum(F("limit_fen") - F("used_fen"))):
        out[row["provider_id"]] += row["t"] or 0
    for row in PurchaseSale.objects.filter(commitment__provider_id__in=org_ids, status=SaleStatus.APPLIED).exclude(
            commitment__status=CommitmentStatus.ACTIVE).values("commitment__provider_id").annotate(t=Sum("price_fen")):
        out[row["commitment__provider_id"]] += row["t"] or 0
    return out


def visible_commitments(user: User) -> QuerySet[PurchaseCommitment]:
    qs = PurchaseCommitment.objects.select_related("certificate", "provider", "entrusted_by")
    if sees_all(user):
        return qs
    org_id = user.organisation_id
    held = Piece.objects.filter(holder_id=org_id, status__in=HOLDING_STATUSES).values("certificate_id")
    return qs.filter(Q(provider_id=org_id) | Q(entrusted_by_id=org_id) | Q(certificate__creditor_id=org_id)
                     | Q(certificate__debtor_id=org_id) | Q(certificate_id__in=held)).distinct()


def get_commitment(user: User, commitment_id: int) -> PurchaseCommitment:
    c = visible_commitments(user).filter(pk=commitment_id).first()
    if c is None:
        raise NotFound("收购承诺不存在")
    return c


def commitments_on(cert: Certificate) -> list[PurchaseCommitment]:
    return list(cert.commitments.filter(status__in=SHOWN_COMMITMENT_STATUSES).select_related("provider").order_by("id"))


def commitments_in_force(cert: Certificate, today: dt.date) -> list[PurchaseCommitment]:
    """Commitments the provider accepted (status 有效) and still within their term on ``today``:
    the only purchase commitments the paper copy prints. Requested, declined, withdrawn, expired and
    voided ones are not commitments, whatever the application's free text said."""
    return [c for c in commitments_on(cert) if c.status == CommitmentStatus.ACTIVE and c.expiry >= today]


def commitment_text(cert: Certificate, today: dt.date) -> str:
    """One line per commitment in force, with its status, for the paper copy."""
    parts = [f"{c.number}：{c.provider.name} 承诺收购（状态：{c.get_status_display()}，服务方已接受），{c.price_label}；"
             f"锁定期至 {c.lockup_end:%Y年%m月%d日}，有效期至 {c.expiry:%Y年%m月%d日}" + (f"；条件：{c.conditions}" if c.conditions else "")
             for c in commitments_in_force(cert, today)]
    return "；".join(parts)


def visible_sales(user: User) -> QuerySet[PurchaseSale]:
    qs = PurchaseSale.objects.select_related("commitment", "commitment__provider", "certificate", "piece", "holder")
    if sees_all(user):
        return qs
    return qs.filter(Q(holder_id=user.organisation_id) | Q(commitment__provider_id=user.organisation_id))


def get_sale(user: User, sale_id: int) -> PurchaseSale:
    s = visible_sales(user).filter(pk=sale_id).first()
    if s is None:
        raise NotFound("收购申请不存在")
    return s
