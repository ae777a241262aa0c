"""What a member holds and may see: pieces, totals, debts, and what is open on one piece."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum

from liuzhuan.members.models import User
from liuzhuan.members.queries import sees_all

from ..ledger.models import HOLDING_STATUSES, Certificate, OfferStatus, Piece, PieceStatus
from ..offset.models import OPEN_OFFSET_STATUSES, OffsetApplication
from ..pledge.models import OPEN_PLEDGE_STATUSES, Pledge
from ..purchase.models import PurchaseCommitment, PurchaseSale, SaleStatus
from ..purchase.queries import commitments_on


def can_view_piece(user: User, piece: Piece) -> bool:
    """Holder, the certificate's debtor, the transferee of an open offer, or oversight roles.

    Earlier holders do not see downstream tiers; a holder sees its own upstream chain of title.
    """
    if sees_all(user):
        return True
    org_id = user.organisation_id
    if org_id in (piece.holder_id, piece.certificate.debtor_id):
        return True
    if piece.status == PieceStatus.PLEDGED and piece.pledges.filter(pledgee_id=org_id, status__in=OPEN_PLEDGE_STATUSES).exists():
        return True  # the pledgee of the open pledge checks title; an earlier pledgee does not
    return piece.offers.filter(to_org_id=org_id, status=OfferStatus.OFFERED).exists()


def visible_pieces(user: User) -> QuerySet[Piece]:
    qs = Piece.objects.select_related("certificate", "holder", "certificate__debtor")
    if sees_all(user):
        return qs
    org_id = user.organisation_id
    return qs.filter(Q(holder_id=org_id) | Q(certificate__debtor_id=org_id) | Q(offers__to_org_id=org_id, offers__status=OfferStatus.OFFERED)
                     | Q(status=PieceStatus.PLEDGED, pledges__pledgee_id=org_id, pledges__status__in=OPEN_PLEDGE_STATUSES)).distinct()


def held_pieces(org_id: int) -> QuerySet[Piece]:
    return Piece.objects.filter(holder_id=org_id, status__in=HOLDING_STATUSES).select_related(
        "holder", "certificate", "certificate__debtor", "certificate__application").order_by("certificate__maturity_date", "id")


def holdings_total(org_id: int) -> dict:
    rows = Piece.objects.filter(holder_id=org_id, status__in=HOLDING_STATUSES).values("status").annotate(total=Sum("amount_fen"))
    by = {r["status"]: r["total"] or 0 for r in rows}
    live, offered = by.get(PieceStatus.LIVE, 0), by.get(PieceStatus.OFFERED, 0)
    frozen = sum(by.values()) - live - offered  # pledged, or reserved for an offset or a sale
    return {"live_fen": live, "offered_fen": offered, "frozen_fen": frozen, "total_fen": live + offered + frozen}


def as_debtor(org_id: int) -> QuerySet[Certificate]:
    return Certificate.objects.filter(debtor_id=org_id).select_related("creditor", "application").order_by("maturity_date")


@dataclass(frozen=True)
class PiecePanel:
    """What the piece page shows of the business open on one piece: pledge, offset, sale, commitments."""

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
