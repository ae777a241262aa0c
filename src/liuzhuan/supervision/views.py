from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from liuzhuan.core.integrity import run_all
from liuzhuan.core.models import AuditEvent
from liuzhuan.members.queries import sees_all


@login_required
def events(request):
    if not sees_all(request.user):
        raise Http404("页面不存在")
    qs = AuditEvent.objects.order_by("-seq")
    action = (request.GET.get("action") or "").strip()
    org = (request.GET.get("org") or "").strip()
    if action:
        qs = qs.filter(action__startswith=action)
    if org:
        qs = qs.filter(actor_org_name__icontains=org)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    report = run_all() if request.GET.get("verify") else None
    return render(request, "supervision/events.html", {"page": page, "action": action, "org": org, "report": report})
