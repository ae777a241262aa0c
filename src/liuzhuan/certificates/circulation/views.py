"""Deciding transfer offers from the dashboard: accept, decline, cancel, accept the ticked ones."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from liuzhuan.core.errors import DomainError
from liuzhuan.core.money import format_yuan

from . import actions
from .forms import DeclineForm


@login_required
@require_POST
def offer_action(request, transfer_id: int, verb: str):
    user = request.user
    try:
        if verb == "accept":
            t = actions.accept_offer(user, transfer_id)
            messages.success(request, f"已接收，流转变更登记编号 {t.registration_no}。")
        elif verb == "decline":
            form = DeclineForm(request.POST)
            form.is_valid()
            actions.decline_offer(user, transfer_id, form.cleaned_data.get("reason", ""))
            messages.success(request, "已拒收，金额退回转让方。")
        elif verb == "cancel":
            actions.cancel_offer(user, transfer_id)
            messages.success(request, "已撤回转让。")
        else:
            raise Http404("页面不存在")
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
    return redirect("certificates:dashboard")


@login_required
@require_POST
def accept_selected(request):
    """批量接收: the ticked offers on the dashboard, in one step."""
    raw = request.POST.getlist("transfer_ids")
    try:
        ids = [int(x) for x in raw]
    except ValueError:
        messages.error(request, "所选转让不正确，请刷新页面后重试。")
        return redirect("certificates:dashboard")
    if not ids:
        messages.error(request, "请先勾选要接收的转让。")
        return redirect("certificates:dashboard")
    try:
        done = actions.accept_offers(request.user, ids)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("certificates:dashboard")
    total = sum(t.amount_fen for t in done)
    numbers = done[0].registration_no if len(done) == 1 else f"{done[0].registration_no} 至 {done[-1].registration_no}"
    messages.success(request, f"已接收 {len(done)} 笔，合计 {format_yuan(total)}，流转变更登记编号 {numbers}。")
    return redirect("certificates:dashboard")
