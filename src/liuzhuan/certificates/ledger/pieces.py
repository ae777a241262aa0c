"""Writing pieces inside an action's transaction: new pieces, splitting, reserving a part under a
status (pledged, offsetting, selling, offered), giving it back, settling a certificate whose last
piece is gone. The conservation of the face amount (integrity.py) holds after each of them.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.errors import Conflict, DomainError
from liuzhuan.core.money import format_yuan
from liuzhuan.core.sql import build, execute, in_list, insert_objects, update_objects
from liuzhuan.members.models import Organisation

from .models import HOLDING_STATUSES, Certificate, CertificateStatus, Piece, PieceStatus
from .queries import transfer_config
from .rules import check_part, require_live


def piece_row(cert: Certificate, *, parent: Piece, holder_id: int, amount_fen: int, status: str, origin: str,
              now: dt.datetime | None = None) -> Piece:
    """The certificate's next piece, numbered but unsaved (batch actions insert many at once).

    The parent is referenced by id, not cached: a piece that kept its parent alive would keep the
    whole chain of title in memory in a long-running process (the bench's clients, a daily job).
    """
    cert.piece_count += 1
    return build(
        Piece, number=f"{cert.number}-{cert.piece_count:03d}", certificate=cert, parent_id=parent.pk, holder_id=holder_id,
        amount_fen=amount_fen, status=status, origin=origin, created_at=now or timezone.now(),
    )


def new_piece(cert: Certificate, *, parent: Piece, holder: Organisation, amount_fen: int, status: str, origin: str) -> Piece:
    piece = piece_row(cert, parent=parent, holder_id=holder.pk, amount_fen=amount_fen, status=status, origin=origin)
    piece.save(force_insert=True)
    return piece


def split_off(cert: Certificate, piece: Piece, amount_fen: int, *, status: str, min_unit: int) -> tuple[Piece, Piece | None]:
    """End ``piece`` and create (part of ``amount_fen`` with ``status``, live remainder) — or reuse it whole."""
    if amount_fen == piece.amount_fen:
        set_piece_status([piece], PieceStatus.LIVE, status)
        piece.status = status
        return piece, None
    (part,), rest = split_rows(cert, piece, [amount_fen], status=status, min_unit=min_unit)
    write_splits([piece], [part, rest], [cert])
    return part, rest


def split_rows(cert: Certificate, piece: Piece, amounts: list[int], *, status: str, min_unit: int,
               now: dt.datetime | None = None, rest_status: str = PieceStatus.LIVE) -> tuple[list[Piece], Piece | None]:
    """Plan the split of ``piece`` into parts of ``amounts`` (with ``status``, in order) and a
    remainder (live, or ``rest_status``: a pledged piece's remainder stays pledged): unsaved rows,
    numbered on from the certificate. The remainder must be nothing or at least ``min_unit``.
    ``write_splits`` stores the plan."""
    now = now or timezone.now()
    remainder = piece.amount_fen - sum(amounts)
    if 0 < remainder < min_unit:
        raise DomainError("remainder_below_min", f"拆分后剩余金额 {format_yuan(remainder)} 低于最小拆分单位 {format_yuan(min_unit)}", field="amount_fen")
    piece.status, piece.ended_at = PieceStatus.SPLIT, now
    parts = [piece_row(cert, parent=piece, holder_id=piece.holder_id, amount_fen=a, status=status, origin="split", now=now) for a in amounts]
    rest = piece_row(cert, parent=piece, holder_id=piece.holder_id, amount_fen=remainder, status=rest_status, origin="split", now=now) if remainder else None
    return parts, rest


def write_splits(ended: list[Piece], created: list[Piece | None], certs, *, expected: str = PieceStatus.LIVE) -> None:
    """End the split pieces (they must still be ``expected``: live, or pledged), insert the new rows,
    store the piece counts."""
    if ended:
        set_piece_status(ended, expected, PieceStatus.SPLIT, ended[0].ended_at)
    insert_objects([p for p in created if p is not None])
    save_piece_counts(certs)


def set_piece_status(pieces: list[Piece], expected: str, status: str, ended_at: dt.datetime | None = None) -> None:
    """Move locked pieces from ``expected`` to ``status``; a row not in ``expected`` is a conflict."""
    if not pieces:
        return
    ids = [p.pk for p in pieces]
    sets, params = ("status = %s, ended_at = %s", [status, connection.ops.adapt_datetimefield_value(ended_at)]) if ended_at else ("status = %s", [status])
    if execute(f"UPDATE certificates_piece SET {sets} WHERE id IN {in_list(ids)} AND status = %s",  # noqa: S608 - placeholders only
               [*params, *ids, expected]) != len(ids):
        raise Conflict("piece_not_live", "凭证分段已被其他操作占用")


def save_piece_counts(certs) -> None:
    update_objects(list(certs), ["piece_count"])


def unfreeze(piece: Piece, expected: str) -> None:
    """A reserved piece (offered, pledged, offsetting, selling) goes back to its holder as a live
    piece: same piece, same holder. It must still be in ``expected``."""
    set_piece_status([piece], expected, PieceStatus.LIVE)
    piece.status = PieceStatus.LIVE


def _check_amount(piece: Piece, amount_fen: int, what: str) -> int:
    """Whole piece or a part of at least the minimum unit; returns the unit (for split_off)."""
    min_unit, _days = transfer_config()
    check_part(piece, amount_fen, min_unit, what)
    return min_unit


def reserve(cert: Certificate, piece: Piece, amount_fen: int, status: str, what: str) -> Piece:
    """Freeze ``amount_fen`` of a live piece under ``status`` (splitting off the rest as a live piece)."""
    require_live(piece)
    min_unit = _check_amount(piece, amount_fen, what)
    reserved, _rest = split_off(cert, piece, amount_fen, status=status, min_unit=min_unit)
    return reserved


def settle_if_done(actor, cert: Certificate) -> bool:
    """A certificate with no held amount left is settled (注销 of its last piece)."""
    if Piece.objects.filter(certificate=cert, status__in=HOLDING_STATUSES).exists():
        return False
    cert.status = CertificateStatus.SETTLED
    cert.save(update_fields=["status"])
    audit.record(actor, "certificate.settled", cert, summary={"number": cert.number})
    return True
