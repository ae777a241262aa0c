"""Holdings API: the member's pieces, one piece, its chain of title."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema

from liuzhuan.core.api_pages import paged, rows
from liuzhuan.core.api_types import Id
from liuzhuan.core.errors import NotFound
from liuzhuan.members.api_auth import acting_user

from ..ledger.models import Piece
from ..ledger.queries import chain_of_title
from . import queries

router = Router()


class PieceOut(Schema):
    id: int
    number: str
    certificate_id: int = Field(..., description="凭证 id（到期与展期：/certificates/certs/{cert_id}/maturity）")
    certificate: str
    holder_id: int
    holder: str
    debtor: str
    amount_fen: int
    status: str
    status_label: str
    maturity_date: dt.date
    legacy: bool = Field(..., description="存量业务（方案发布前开展）：不能转让、质押或申请收购，只能处置至完结")

    @staticmethod
    def of(p: Piece) -> PieceOut:
        return PieceOut(id=p.pk, number=p.number, certificate_id=p.certificate_id, certificate=p.certificate.number, holder_id=p.holder_id, holder=p.holder.name,
                        debtor=p.certificate.debtor.name, amount_fen=p.amount_fen, status=p.status,
                        status_label=p.get_status_display(), maturity_date=p.maturity, legacy=p.certificate.legacy)


class ChainStepOut(Schema):
    piece: str
    kind: str
    label: str
    holder: str
    amount_fen: int
    date: str
    registration_no: str
    fee_fen: int
    counterparty: str


def _piece_for(user, piece_id: int) -> Piece:
    piece = Piece.objects.select_related("certificate", "holder", "certificate__debtor").filter(pk=piece_id).first()
    if piece is None or not queries.can_view_piece(user, piece):
        raise NotFound("凭证分段不存在")
    return piece


@router.get("/pieces", response=list[PieceOut], summary="本机构持有的凭证分段")
@paged(1000)
def list_pieces(request: HttpRequest, all_statuses: bool = False):
    user = acting_user(request)
    qs = queries.visible_pieces(user) if all_statuses else queries.held_pieces(user.organisation_id)
    return rows(qs, PieceOut.of)


@router.get("/pieces/{piece_id}", response=PieceOut, summary="分段详情")
def get_piece(request: HttpRequest, piece_id: Id):
    return PieceOut.of(_piece_for(acting_user(request), piece_id))


@router.get("/pieces/{piece_id}/chain", response=list[ChainStepOut], summary="权属链：从开具到本分段的每次拆分与转让")
def chain(request: HttpRequest, piece_id: Id):
    piece = _piece_for(acting_user(request), piece_id)
    return [ChainStepOut(piece=s.piece.number, kind=s.kind, label=s.label, holder=s.holder, amount_fen=s.amount_fen, date=s.date,
                         registration_no=s.registration_no, fee_fen=s.fee_fen, counterparty=s.counterparty) for s in chain_of_title(piece)]
