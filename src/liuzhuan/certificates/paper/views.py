"""The paper copy as PDF (a POST: each print is recorded) and the public verify page its QR code opens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from liuzhuan.core.errors import DomainError
from liuzhuan.core.throttle import client_ip, hit

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
    pdf = render_piece_pdf(p, reprint_no=n, verify_url=request.build_absolute_uri(queries.verify_path(p)))
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{p.number}.pdf"'
    return resp


def verify(request, number: str):
    """Public page (no login), the target of the paper copy's QR code. It shows a piece only with
    the code printed on the paper (``?code=``), and then nothing the paper does not print: the
    piece's own holder, never who holds it downstream. An unknown number and a wrong code get the
    same answer. Requests are counted per client address (``VERIFY_RATE_PER_MINUTE``)."""
    number = (number or "").strip().upper()[:40]
    retry = hit("verify", client_ip(request), limit=settings.VERIFY_RATE_PER_MINUTE)
    if retry is not None:
        resp = render(request, "certificates/verify.html",
                      {"number": number, "throttled": True, "retry_after": retry}, status=429)
        resp["Retry-After"] = str(retry)
        return resp
    code = request.GET.get("code")
    if code is None:
        return render(request, "certificates/verify.html", {"number": number, "ask_code": True})
    p = queries.piece_for_verification(number, code)
    if p is None:
        return render(request, "certificates/verify.html", {"number": number, "piece": None}, status=404)
    return render(request, "certificates/verify.html", {"number": number, "piece": p, "cert": p.certificate,
                                                         "hash": queries.content_hash(p), "summary": piece_summary(p)})
