"""Printing a paper copy: each print is recorded with its reprint number."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from liuzhuan.core import audit
from liuzhuan.core.errors import NotFound, PermissionDenied
from liuzhuan.core.permissions import require_active_user
from liuzhuan.core.roles import Role
from liuzhuan.members.models import User

from ..holdings.queries import can_view_piece
from ..ledger.models import Piece


def print_piece(actor: User, piece_id: int) -> tuple[Piece, int]:
    """A paper copy (纸质凭证) for the holder or the operator; each gets the next reprint number."""
    require_active_user(actor)
    piece = Piece.objects.select_related("certificate", "holder", "certificate__debtor", "certificate__creditor",
                                         "certificate__operator", "certificate__application").filter(pk=piece_id).first()
    if piece is None or not can_view_piece(actor, piece):
        raise NotFound("凭证分段不存在")
    if piece.holder_id != actor.organisation_id and not actor.organisation.has_role(Role.OPERATOR):
        raise PermissionDenied("只有持有人或运营机构可以打印纸质凭证")
    with transaction.atomic():
        Piece.objects.filter(pk=piece.pk).update(prints=F("prints") + 1)
        piece.refresh_from_db(fields=["prints"])
        audit.record(actor, "piece.print", piece, summary={"reprint_no": piece.prints})
        return piece, piece.prints
