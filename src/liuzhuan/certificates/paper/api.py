"""Paper copy API: print a piece as PDF."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from liuzhuan.core.api_types import Id
from liuzhuan.members.api_auth import acting_user

from . import actions, queries

router = Router()


@router.post("/pieces/{piece_id}/pdf", summary="打印纸质凭证 PDF（每次记录打印序号，故为 POST）")
def piece_pdf(request: HttpRequest, piece_id: Id):
    from .pdf import render_piece_pdf

    piece, n = actions.print_piece(acting_user(request, write=True), piece_id)
    pdf = render_piece_pdf(piece, reprint_no=n, verify_url=request.build_absolute_uri(queries.verify_path(piece)))
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="{piece.number}.pdf"'
    return resp
