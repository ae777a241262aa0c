"""Agreement pages: my agreements (awaiting first), one agreement with its loop, confirm/decline, PDF."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from liuzhuan.core.errors import DomainError
from liuzhuan.core.roles import OVERSIGHT_ROLES, Role
from liuzhuan.core.views import require_page_role

from .. import queries
from ..forms import ReasonForm
from ..models import AgreementStatus, PartyDecision
from . import actions, pdf


@login_required
def agreements(request):
    require_page_role(request, Role.MEMBER, *OVERSIGHT_ROLES)
    status = request.GET.get("status", "")
    if status not in {"", *AgreementStatus.values}:
        status = ""
    qs = queries.agreements(request.user, status=status)
    awaiting = queries.awaiting_agreements(request.user)
    return render(request, "setoff/agreements.html", {
        "awaiting": awaiting[:100], "awaiting_count": len(awaiting),
        "page": Paginator(qs, 50).get_page(request.GET.get("page")), "status": status,
        "statuses": AgreementStatus.choices,
    })


def _visible(request, agreement_id: int):
    try:
        return queries.get_agreement(request.user, agreement_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc


@login_required
def agreement(request, agreement_id: int):
    require_page_role(request, Role.MEMBER, *OVERSIGHT_ROLES)
    a = _visible(request, agreement_id)
    parties, legs = queries.agreement_detail(a)
    me = next((p for p in parties if p.organisation_id == request.user.organisation_id), None)
    return render(request, "setoff/agreement.html", {
        "a": a, "parties": parties, "legs": legs, "me": me, "reason_form": ReasonForm(),
        "loop_graph": queries.loop_graph(legs),
        "can_decide": me is not None and me.decision == PartyDecision.PENDING and a.status == AgreementStatus.PROPOSED,
    })


@login_required
@require_POST
def decide(request, agreement_id: int, verb: str):
    require_page_role(request, Role.MEMBER)
    _visible(request, agreement_id)
    try:
        if verb == "confirm":
            a = actions.confirm(request.user, agreement_id)
            executed = "协议已执行，链上各笔债务已按现金清偿方案减少。" if a.kind == "chain" else "协议已执行，各方债务已等额抵销。"
            messages.success(request, executed if a.status == AgreementStatus.EXECUTED
                             else "已确认；待其余各方确认后自动执行。" if a.status == AgreementStatus.PROPOSED
                             else f"协议{a.get_status_display()}：{a.close_reason}")
        elif verb == "decline":
            form = ReasonForm(request.POST)
            if not form.is_valid():
                raise DomainError("reason_required", "请填写拒绝理由（不超过 200 字）", field="reason")
            actions.decline(request.user, agreement_id, form.cleaned_data["reason"])
            messages.success(request, "已拒绝该协议；本单位在该协议中的债务暂不参与后续测算。")
        else:
            raise Http404("页面不存在")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("setoff:agreement", agreement_id=agreement_id)


@login_required
def agreement_pdf(request, agreement_id: int):
    require_page_role(request, Role.MEMBER, *OVERSIGHT_ROLES)
    a = _visible(request, agreement_id)
    parties, legs = queries.agreement_detail(a)
    resp = HttpResponse(pdf.render_agreement(a, parties, legs), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{a.number}.pdf"'
    return resp
