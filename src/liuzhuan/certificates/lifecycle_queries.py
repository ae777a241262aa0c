"""Read-only helpers for the lifecycle pages, API and the PDF: who sees which pledge, commitment,
sale, offset and market purchase; the bank's pledge book and the purchaser's book."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum

from liuzhuan.core.errors import NotFound
from liuzhuan.members.models import User
from liuzhuan.members.queries import sees_all

from .models import (
    HOLDING_STATUSES,
    OPEN_OFFSET_STATUSES,
    OPEN_PLEDGE_STATUSES,
    AssetStatus,
    Certificate,
    CommitmentStatus,
    OffsetApplication,
    OffsetAsset,
    OffsetStatus,
    Piece,
    Pledge,
    PledgedTransfer,
    PledgeStatus,
    PurchaseCommitment,
    PurchaseProvider,
    PurchaseSale,
    ReceivablePurchase,
    SaleStatus,
)

#: commitments shown on the certificate, its pieces and the paper copy
SHOWN_COMMITMENT_STATUSES = (CommitmentStatus.ACTIVE, CommitmentStatus.EXPIRED)


def _org(user: User) -> int:
    return user.organisation_id


def can_see_certificate(user: User, cert: Certificate) -> bool:
    """Oversight roles, the creditor, the debtor, and anyone holding part of it now."""
    return sees_all(user) or is_certificate_party(cert, _org(user))


def is_certificate_party(cert: Certificate, org_id: int | None) -> bool:
    """The creditor, the debtor, or a current holder of part of it."""
    return org_id in (cert.creditor_id, cert.debtor_id) or Piece.objects.filter(
        certificate=cert, holder_id=org_id, status__in=HOLDING_STATUSES).exists()


def visible_pledges(user: User) -> QuerySet[Pledge]:
    qs = Pledge.objects.select_related("certificate", "piece", "pledgor", "pledgee", "certificate__debtor", "enforcement")
    if sees_all(user):
        return qs
    return qs.filter(Q(pledgor_id=_org(user)) | Q(pledgee_id=_org(user)))


def pledges_to(org_id: int) -> QuerySet[Pledge]:
    """Everything pledged to a bank (质权人视图), open ones first."""
    return Pledge.objects.filter(pledgee_id=org_id).select_related("certificate", "piece", "pledgor", "certificate__debtor").order_by(
        "-status", "-id")


def pledge_book_totals(org_id: int) -> dict:
    rows = dict(Pledge.objects.filter(pledgee_id=org_id).values("status").annotate(t=Sum("amount_fen")).values_list("status", "t"))
    return {"effective_fen": rows.get(PledgeStatus.EFFECTIVE, 0) or 0,
            "pending_fen": rows.get(PledgeStatus.PENDING_REGISTRATION, 0) or 0,
            "secured_fen": Pledge.objects.filter(pledgee_id=org_id, status=PledgeStatus.EFFECTIVE).aggregate(t=Sum("secured_fen"))["t"] or 0}


def get_pledge(user: User, pledge_id: int) -> Pledge:
    p = visible_pledges(user).filter(pk=pledge_id).first()
    if p is None:
        raise NotFound("质押不存在")
    return p


def pledged_transfers(pledge: Pledge) -> QuerySet[PledgedTransfer]:
    return pledge.transfer_requests.select_related("to_org", "transfer").order_by("-id")


def visible_pledged_transfers_in(org_id: int) -> QuerySet[PledgedTransfer]:
    return PledgedTransfer.objects.filter(to_org_id=org_id, status="consented").select_related("pledge", "pledge__pledgor")


def visible_commitments(user: User) -> QuerySet[PurchaseCommitment]:
    qs = PurchaseCommitment.objects.select_related("certificate", "provider", "entrusted_by")
    if sees_all(user):
        return qs
    org_id = _org(user)
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


def commitment_text(cert: Certificate) -> str:
    """One line per commitment for the paper copy."""
    parts = [f"{c.number}：{c.provider.name} 承诺收购，{c.price_label}；锁定期至 {c.lockup_end:%Y年%m月%d日}，"
             f"有效期至 {c.expiry:%Y年%m月%d日}" + (f"；条件：{c.conditions}" if c.conditions else "")
             for c in commitments_on(cert) if c.status == CommitmentStatus.ACTIVE]
    return "；".join(parts)


def visible_sales(user: User) -> QuerySet[PurchaseSale]:
    qs = PurchaseSale.objects.select_related("commitment", "commitment__provider", "certificate", "piece", "holder")
    if sees_all(user):
        return qs
    return qs.filter(Q(holder_id=_org(user)) | Q(commitment__provider_id=_org(user)))


def get_sale(user: User, sale_id: int) -> PurchaseSale:
    s = visible_sales(user).filter(pk=sale_id).first()
    if s is None:
        raise NotFound("收购申请不存在")
    return s


def provider_of(org_id: int) -> PurchaseProvider | None:
    return PurchaseProvider.objects.filter(org_id=org_id).first()


def visible_offsets(user: User) -> QuerySet[OffsetApplication]:
    qs = OffsetApplication.objects.select_related("certificate", "piece", "holder", "debtor", "asset")
    if sees_all(user):
        return qs
    return qs.filter(Q(holder_id=_org(user)) | Q(debtor_id=_org(user)))


def get_offset(user: User, offset_id: int) -> OffsetApplication:
    o = visible_offsets(user).filter(pk=offset_id).first()
    if o is None:
        raise NotFound("抵付申请不存在")
    return o


def own_assets(org_id: int) -> QuerySet[OffsetAsset]:
    return OffsetAsset.objects.filter(owner_id=org_id).order_by("status", "id")


def eligible_assets(debtor_id: int) -> QuerySet[OffsetAsset]:
    from .lifecycle import _eligible_assets

    return _eligible_assets(debtor_id).select_related("owner").order_by("id")


def visible_purchases(user: User) -> QuerySet[ReceivablePurchase]:
    qs = ReceivablePurchase.objects.select_related("purchaser", "seller", "application")
    if sees_all(user):
        return qs
    return qs.filter(Q(purchaser_id=_org(user)) | Q(seller_id=_org(user)))


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


@dataclass(frozen=True)
class PiecePanel:
    """What the piece page shows about the lifecycle of one piece."""

    pledge: Pledge | None
    offset: OffsetApplication | None
    sale: PurchaseSale | None
    commitments: list[PurchaseCommitment]


def piece_panel(piece: Piece) -> PiecePanel:
    return PiecePanel(
        pledge=piece.pledges.filter(status__in=OPEN_PLEDGE_STATUSES).select_related("pledgee").first(),
        offset=piece.offsets.filter(status__in=OPEN_OFFSET_STATUSES).first(),
        sale=piece.sales.filter(status=SaleStatus.APPLIED).select_related("commitment__provider").first(),
        commitments=commitments_on(piece.certificate),
    )


def available_assets_count(org_id: int) -> int:
    return OffsetAsset.objects.filter(owner_id=org_id, status=AssetStatus.AVAILABLE).count()
