"""The extension page of a certificate: clause and agreed conditions, extensions, each piece's
maturity, and the form for the debtor's application or a holder's objection."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from liuzhuan.members.queries import sees_all

from ..ledger.models import Certificate
from ..ledger.queries import can_see_certificate
from ..ledger.rules import EXTENSION_CONDITIONS
from ..ledger.views import perform
from . import actions
from .forms import ExtensionNoticeForm


@login_required
def extension(request, cert_id: int):
    user = request.user
    cert = Certificate.objects.select_related("application", "debtor").filter(pk=cert_id).first()
    if cert is None or not can_see_certificate(user, cert):
        raise Http404("凭证不存在")
    form = ExtensionNoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if perform(request, lambda: actions.file_extension_notice(user, cert.pk, d["kind"], d["reason"]), "已提交。", form):
            return redirect("certificates:extension", cert_id=cert.pk)
    pieces = cert.pieces.order_by("pk")
    if cert.debtor_id != user.organisation_id and not sees_all(user):
        pieces = pieces.filter(holder_id=user.organisation_id)
    return render(request, "certificates/maturity/extension.html", {
        "cert": cert, "app": cert.application, "form": form, "pieces": pieces,
        "conditions": [EXTENSION_CONDITIONS[c] for c in cert.application.extension_conditions],
        "extensions": cert.extensions.all(), "notices": cert.extension_notices.select_related("org"),
    })
