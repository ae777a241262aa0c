"""Who sees which market purchase; the purchaser's book (receivables bought, certificates it owes,
offsets done, commitments it provides and what it bought under them)."""

from __future__ import annotations

from django.db.models import Q, QuerySet, Sum

from liuzhuan.core.errors import NotFound
from liuzhuan.members.models import User
from liuzhuan.members.queries import sees_all

from ..ledger.models import HOLDING_STATUSES, Certificate, Piece
from ..offset.models import OffsetApplication, OffsetStatus
from ..purchase.models import PurchaseCommitment, PurchaseSale, SaleStatus
from .models import ReceivablePurchase


def visible_purchases(user: User) -> QuerySet[ReceivablePurchase]:
    qs = ReceivablePurchase.objects.select_related("purchaser", "seller", "application")
    if sees_all(user):
        return qs
    return qs.filter(Q(purchaser_id=user.organisation_id) | Q(seller_id=user.organisation_id))


def get_purchase(user: User, rp_id: int) -> ReceivablePurchase:
    rp = visible_purchases(user).filter(pk=rp_id).first()
    if rp is None:
        raise NotFound("收购记录不存在")
    return rp


def purchase_certificate(rp: ReceivablePurchase) -> Certificate | None:
    if rp.application_id and rp.application.status == "issued":
        return Certificate.objects.filter(application_id=rp.application_id).first()
    return None


def purchaser_book(org_id: int) -> dict:
    """The market purchaser's book: receivables bought, certificates it owes as debtor, offsets done,
    and the commitments it provides."""
    purchases = list(ReceivablePurchase.objects.filter(purchaser_id=org_id).select_related("seller", "application").order_by("-id"))
    certs = {c.application_id: c for c in Certificate.objects.filter(application_id__in=[p.application_id for p in purchases if p.application_id])}
    for p in purchases:
        p.cert = certs.get(p.application_id)
    live = [p for p in purchases if p.status != "cancelled"]
    debtor_certs = Certificate.objects.filter(debtor_id=org_id).exclude(status="voided")
    outstanding = Piece.objects.filter(certificate__in=debtor_certs, status__in=HOLDING_STATUSES).aggregate(t=Sum("amount_fen"))["t"] or 0
    offset = OffsetApplication.objects.filter(debtor_id=org_id, status=OffsetStatus.COMPLETED).aggregate(t=Sum("offset_fen"))["t"] or 0
    commitments = PurchaseCommitment.objects.filter(provider_id=org_id).select_related("certificate", "entrusted_by", "provider").order_by("-id")
    bought = PurchaseSale.objects.filter(commitment__provider_id=org_id, status=SaleStatus.COMPLETED).aggregate(
        a=Sum("amount_fen"), p=Sum("price_fen"))
    return {
        "purchases": purchases,
        "receivable_fen": sum(p.receivable_fen for p in live),
        "price_fen": sum(p.price_fen for p in live),
        "certified_fen": sum(p.cert.face_fen for p in live if p.cert),
        "outstanding_as_debtor_fen": outstanding,
        "offset_as_debtor_fen": offset,
        "commitments": commitments,
        "bought_amount_fen": bought["a"] or 0,
        "bought_price_fen": bought["p"] or 0,
    }
