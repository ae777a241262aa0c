"""Void pages: prepare voiding a certificate; the checker's queue."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from liuzhuan.core.roles import Role
from liuzhuan.core.views import post_id, require_page_role

from ..ledger.models import Certificate
from ..ledger.views import perform
from . import actions
from . import forms as f
from .models import CertificateVoid, VoidStatus


@login_required
def void_new(request, cert_id: int):
    require_page_role(request, Role.OPERATOR)
    cert = Certificate.objects.select_related("creditor", "debtor").filter(pk=cert_id).first()
    if cert is None:
        raise Http404("凭证不存在")
    form = f.VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if perform(request, lambda: actions.prepare_void(request.user, cert.pk, form.cleaned_data["reason"]),
                   f"凭证 {cert.number} 的作废申请已提交，等待另一名人员复核。", form):
            return redirect("certificates:lc_voids")
    return render(request, "certificates/void/void_new.html", {"cert": cert, "form": form})


@login_required
def voids(request):
    require_page_role(request, Role.OPERATOR)
    user = request.user
    if request.method == "POST":
        form = f.VoidDecideForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            perform(request, lambda: actions.decide_void(user, post_id(request, "void"), d["agree"] == "yes", d["reason"]),
                    lambda v: f"复核通过：凭证 {v.certificate.number} 已作废，相关收购承诺随之失效。" if v.status == VoidStatus.VOIDED
                    else f"复核不同意：凭证 {v.certificate.number} 的作废申请已退回经办人，凭证继续有效。")
        return redirect("certificates:lc_voids")
    return render(request, "certificates/void/voids.html", {
        "pending": CertificateVoid.objects.filter(status=VoidStatus.PREPARED).select_related("certificate", "prepared_by"),
        "done": CertificateVoid.objects.exclude(status=VoidStatus.PREPARED).select_related("certificate", "prepared_by", "decided_by")[:100],
        "decide_form": f.VoidDecideForm(),
    })
