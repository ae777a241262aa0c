"""Read-only helpers for certificate pages, API and reports."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum

from liuzhuan.core.errors import NotFound
from liuzhuan.core.money import capital, format_yuan
from liuzhuan.members.models import User
from liuzhuan.members.queries import sees_all

from .models import (
    HOLDING_STATUSES,
    OPEN_PLEDGE_STATUSES,
    Application,
    ApplicationStatus,
    Certificate,
    FeeCharge,
    OfferStatus,
    Piece,
    PieceStatus,
    Transfer,
)


def visible_applications(user: User) -> QuerySet[Application]:
    qs = Application.objects.select_related("creditor", "debtor", "certificate")
    if sees_all(user):
        return qs
    return qs.filter(Q(creditor_id=user.organisation_id) | Q(debtor_id=user.organisation_id))


def review_queue() -> QuerySet[Application]:
    return Application.objects.filter(status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.PREPARED]).select_related(
        "creditor", "debtor", "prepared_by").order_by("id")


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
        "holder", "certificate", "certificate__debtor").order_by("certificate__maturity_date", "id")


def holdings_total(org_id: int) -> dict:
    rows = Piece.objects.filter(holder_id=org_id, status__in=HOLDING_STATUSES).values("status").annotate(total=Sum("amount_fen"))
    by = {r["status"]: r["total"] or 0 for r in rows}
    live, offered = by.get(PieceStatus.LIVE, 0), by.get(PieceStatus.OFFERED, 0)
    frozen = sum(by.values()) - live - offered  # pledged, or reserved for an offset or a sale
    return {"live_fen": live, "offered_fen": offered, "frozen_fen": frozen, "total_fen": live + offered + frozen}


def offers_in(org_id: int) -> QuerySet[Transfer]:
    return Transfer.objects.filter(to_org_id=org_id, status=OfferStatus.OFFERED).select_related("piece__certificate", "from_org")


def offers_out(org_id: int) -> QuerySet[Transfer]:
    return Transfer.objects.filter(from_org_id=org_id, status=OfferStatus.OFFERED).select_related("piece__certificate", "to_org")


def as_debtor(org_id: int) -> QuerySet[Certificate]:
    return Certificate.objects.filter(debtor_id=org_id).select_related("creditor").order_by("maturity_date")


@dataclass(frozen=True)
class ChainStep:
    piece: Piece
    kind: str  # issue / split / transfer
    label: str
    holder: str
    amount_fen: int
    date: str
    registration_no: str
    fee_fen: int
    counterparty: str


def chain_of_title(piece: Piece) -> list[ChainStep]:
    """From issuance down to ``piece``: every split and transfer on the way.

    Three queries whatever the depth: the certificate's pieces (the tree lives in one
    certificate), the transfers that created pieces on the path, and the certificate itself.
    """
    cert = Certificate.objects.select_related("debtor").get(pk=piece.certificate_id)
    by_id = {p.pk: p for p in Piece.objects.filter(certificate_id=cert.pk).select_related("holder")}
    path = []
    node = by_id.get(piece.pk)
    while node is not None:
        path.append(node)
        node = by_id.get(node.parent_id) if node.parent_id else None
    path.reverse()
    transfers = {t.new_piece_id: t for t in Transfer.objects.filter(new_piece__in=[p.pk for p in path]).select_related("from_org")}
    steps = []
    for p in path:
        t = transfers.get(p.pk)
        if p.origin == "issue":
            steps.append(ChainStep(p, "issue", "开具", p.holder.name, p.amount_fen, p.created_at.date().isoformat(), cert.number, 0, cert.debtor.name))
        elif t is not None:
            label = {"purchase": "收购", "enforcement": "质权实现"}.get(p.origin, "转让")  # lifecycle title passes
            steps.append(ChainStep(p, "transfer", label, p.holder.name, p.amount_fen, t.decided_at.date().isoformat(), t.registration_no or "", t.fee_fen, t.from_org.name))
        else:
            parent = by_id.get(p.parent_id)
            steps.append(ChainStep(p, "split", "拆分", p.holder.name, p.amount_fen, p.created_at.date().isoformat(), parent.number if parent else "", 0, ""))
    return steps


def fee_statement_org(user: User, requested: int | str | None) -> int | None:
    """Which organisation's fee statement ``user`` may see: oversight roles any (None = all),
    everyone else only their own — asking for another organisation's is a 404."""
    if isinstance(requested, str):
        requested = int(requested) if requested.isdigit() else None
    if sees_all(user):
        return requested
    if requested not in (None, user.organisation_id):
        raise NotFound("机构不存在")
    return user.organisation_id


def content_hash(piece: Piece) -> str:
    """SHA-256 over what the paper copy prints, so a printed copy can be checked against the record."""
    cert = piece.certificate
    app = cert.application
    content = {
        "certificate": cert.number, "piece": piece.number, "creditor": cert.creditor.name, "debtor": cert.debtor.name,
        "basis": f"{app.contract_title}（{app.contract_no}）", "face_fen": cert.face_fen, "piece_fen": piece.amount_fen,
        "holder": piece.holder.name, "maturity": cert.maturity_date.isoformat(), "issue_date": cert.issue_date.isoformat(),
        "settlement": app.settlement_label, "extension": app.extension_label, "operator": cert.operator.name,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def piece_summary(piece: Piece) -> dict:
    cert = piece.certificate
    return {
        "amount": format_yuan(piece.amount_fen), "amount_capital": capital(piece.amount_fen),
        "face": format_yuan(cert.face_fen), "face_capital": capital(cert.face_fen),
    }


def fee_statement(org_id: int | None, start=None, end=None) -> QuerySet[FeeCharge]:
    qs = FeeCharge.objects.select_related("org", "certificate", "rule")
    if org_id:
        qs = qs.filter(org_id=org_id)
    if start:
        qs = qs.filter(charged_on__gte=start)
    if end:
        qs = qs.filter(charged_on__lte=end)
    return qs.order_by("charged_on", "id")
