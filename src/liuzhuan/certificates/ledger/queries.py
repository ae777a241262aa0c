"""Read-only questions about certificates and pieces: the operator's parameters, who is a party,
who holds what now, the chain of title, a piece's amounts as printed."""

from __future__ import annotations

from dataclasses import dataclass

from liuzhuan.core.money import capital, format_yuan
from liuzhuan.core.sql import fetch
from liuzhuan.members.models import Organisation, User
from liuzhuan.members.queries import sees_all

from .models import HOLDING_STATUSES, Certificate, CertificateConfig, Piece, Transfer


def transfer_config() -> tuple[int, int]:
    """(minimum unit in fen, days the transferee has to decide): the operator's setting or the defaults."""
    rows = fetch("SELECT min_unit_fen, offer_days FROM certificates_certificateconfig WHERE id = 1")
    if rows:
        return rows[0]
    default = CertificateConfig()
    return default.min_unit_fen, default.offer_days


def can_see_certificate(user: User, cert: Certificate) -> bool:
    """Oversight roles, the creditor, the debtor, and anyone holding part of it now."""
    return sees_all(user) or is_certificate_party(cert, user.organisation_id)


def is_certificate_party(cert: Certificate, org_id: int | None) -> bool:
    """The creditor, the debtor, or a current holder of part of it."""
    return org_id in (cert.creditor_id, cert.debtor_id) or Piece.objects.filter(
        certificate=cert, holder_id=org_id, status__in=HOLDING_STATUSES).exists()


def holders_of(cert: Certificate) -> list[Organisation]:
    ids = set(Piece.objects.filter(certificate=cert, status__in=HOLDING_STATUSES).values_list("holder_id", flat=True))
    return list(Organisation.objects.filter(pk__in=ids).order_by("pk"))


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
            label = {"purchase": "收购", "enforcement": "质权实现"}.get(p.origin, "转让")  # title passed by a sale or an enforced pledge
            steps.append(ChainStep(p, "transfer", label, p.holder.name, p.amount_fen, t.decided_at.date().isoformat(), t.registration_no or "", t.fee_fen, t.from_org.name))
        else:
            parent = by_id.get(p.parent_id)
            steps.append(ChainStep(p, "split", "拆分", p.holder.name, p.amount_fen, p.created_at.date().isoformat(), parent.number if parent else "", 0, ""))
    return steps


def piece_summary(piece: Piece) -> dict:
    cert = piece.certificate
    return {
        "amount": format_yuan(piece.amount_fen), "amount_capital": capital(piece.amount_fen),
        "face": format_yuan(cert.face_fen), "face_capital": capital(cert.face_fen),
    }
