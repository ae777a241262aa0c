"""Run pages: the list (the operator starts a run here) and one run with its progress and results."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from liuzhuan.core.errors import DomainError
from liuzhuan.core.roles import OVERSIGHT_ROLES, Role
from liuzhuan.core.views import require_page_role
from liuzhuan.members.queries import sees_all

from .. import queries
from . import actions


@login_required
def runs(request):
    require_page_role(request, Role.MEMBER, *OVERSIGHT_ROLES)
    page = Paginator(queries.runs(), 30).get_page(request.GET.get("page"))
    return render(request, "setoff/runs.html", {
        "page": page, "can_start": request.user.organisation.has_role(Role.OPERATOR), "trend": queries.run_trend(),
    })


@login_required
@require_POST
def start(request):
    require_page_role(request, Role.OPERATOR)
    try:
        run = actions.start_run(request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("setoff:runs")
    messages.success(request, f"测算批次 {run.number} 已提交后台计算。")
    return redirect("setoff:run", run_id=run.pk)


@login_required
def run(request, run_id: int):
    require_page_role(request, Role.MEMBER, *OVERSIGHT_ROLES)
    try:
        r = queries.get_run(request.user, run_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    oversight = sees_all(request.user)
    agreements = queries.agreements(request.user, run_id=r.pk)
    return render(request, "setoff/run.html", {
        "run": r, "oversight": oversight,
        "waiting_long": r.created_at < timezone.now() - dt.timedelta(minutes=1), "mine": None if oversight else queries.my_run_line(request.user, r),
        "parties": queries.run_parties(r)[:200] if oversight else None,
        "agreements": Paginator(agreements, 50).get_page(request.GET.get("page")),
    })
