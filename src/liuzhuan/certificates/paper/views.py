"""The paper copy as PDF (a POST: each print is recorded) and the public verify page its QR code opens."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from liuzhuan.core.errors import DomainError
from liuzhuan.core.numbers import is_valid_number

from ..ledger.models import Piece
from ..ledger.queries import piece_summary
from . import actions, queries


@login_required
@require_POST
def piece_pdf(request, piece_id: int):
    """POST: each paper copy is a recorded event (reprint number), so it is never a plain GET."""
    from .pdf import render_piece_pdf

    try:
        p, n = actions.print_piece(request.user, piece_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    pdf = render_piece_pdf(p, reprint_no=n, verify_url=request.build_absolute_uri(f"/verify/{p.number}"))
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{p.number}.pdf"'
    return resp


def verify(request, number: str):
    """Public page (no login): live status and content hash of a piece, nothing beyond the paper copy."""
    number = (number or "").strip().upper()
    cert_no = number.split("-")[0]
    p = None
    if is_valid_number(cert_no):
        p = Piece.objects.select_related("certificate", "certificate__application", "holder", "certificate__creditor",
                                         "certificate__debtor", "certificate__operator").filter(number=number).first()
    if p is None:
        return render(request, "certificates/verify.html", {"number": number, "piece": None, "valid_format": is_valid_number(cert_no)}, status=404)
    return render(request, "certificates/verify.html", {"number": number, "piece": p, "cert": p.certificate,
                                                         "hash": queries.content_hash(p), "summary": piece_summary(p)})
