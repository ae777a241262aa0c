"""Row locks, always in one order: the certificate row, then its pieces (ascending pk), then the
business record (transfer, pledge, offset, sale ...). Two actions never wait on each other in a circle.

The transfer actions run their fixed-shape queries as written SQL (core/sql.py): on this kind of
hardware Django compiles a queryset in ~0.3 ms against ~0.02 ms to run the same statement, and
an accepted transfer needs about twenty of them (bench/README.md). Model instances come back
through ``load()`` where the caller needs them.
"""

from __future__ import annotations

from liuzhuan.core.errors import NotFound
from liuzhuan.core.sql import columns, for_update, in_list, keys, load
from liuzhuan.members.models import Organisation

from .models import Certificate, Piece


def held_certificate_id(piece_id: int, org: Organisation) -> int:
    """The piece's certificate id if ``org`` holds it; outsiders get 404 (they learn nothing)."""
    cert_id = Piece.objects.filter(pk=piece_id, holder=org).values_list("certificate_id", flat=True).first()
    if cert_id is None:
        raise NotFound("凭证分段不存在")
    return cert_id


def lock_piece_for_holder(piece_id: int, org: Organisation, cert_id: int | None = None) -> tuple[Certificate, Piece]:
    """Lock the certificate row, then the piece (the order every certificate action uses)."""
    cert_id = cert_id or held_certificate_id(piece_id, org)
    cert = Certificate.objects.select_for_update(of=("self",)).select_related("debtor").get(pk=cert_id)
    piece = Piece.objects.select_for_update().get(pk=piece_id)
    if piece.holder_id != org.pk:  # changed between the two reads
        raise NotFound("凭证分段不存在")
    return cert, piece


def lock_cert_and_piece(cert_id: int, piece_id: int) -> tuple[Certificate, Piece]:
    cert = Certificate.objects.select_for_update(of=("self",)).select_related("debtor").get(pk=cert_id)
    piece = Piece.objects.select_for_update(of=("self",)).select_related("holder").get(pk=piece_id)
    return cert, piece


def lock_certificates(cert_ids) -> dict[int, Certificate]:
    """Row-lock certificates in ascending pk order (every multi-certificate action uses this order).

    """
    ids = keys(cert_ids)
    return {c.pk: c for c in load(Certificate, f"SELECT {columns(Certificate)} FROM certificates_certificate "  # noqa: S608
                                  f"WHERE id IN {in_list(ids)} ORDER BY id{for_update()}", ids)}


def lock_pieces(piece_ids) -> dict[int, Piece]:
    ids = keys(piece_ids)
    sql = f"SELECT {columns(Piece)} FROM certificates_piece WHERE id IN {in_list(ids)} ORDER BY id"  # noqa: S608 - placeholders only
    return {p.pk: p for p in load(Piece, sql + for_update(), ids)}
