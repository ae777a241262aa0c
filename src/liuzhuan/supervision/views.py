from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from liuzhuan.core.errors import DomainError
from liuzhuan.core.models import AuditEvent
from liuzhuan.members.queries import sees_all

from . import actions, labels, queries


@login_required
def events(request):
    if not sees_all(request.user):
        raise Http404("页面不存在")
    qs = AuditEvent.objects.order_by("-seq")
    action = (request.GET.get("action") or "").strip()
    org = (request.GET.get("org") or "").strip()
    if action:  # a Chinese name (开具凭证, 叫停) or a code prefix (certificate.)
        qs = qs.filter(Q(action__startswith=action) | Q(action__in=labels.codes_named(action)))
    if org:
        qs = qs.filter(actor_org_name__icontains=org)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [(e, labels.action_label(e.action), labels.object_label(e.object_type, e.object_id), labels.summary_items(e.summary))
            for e in page]
    last, pending = queries.verify_state(request.user)
    return render(request, "supervision/events.html", {"page": page, "rows": rows, "action": action, "org": org,
                                                        "names": sorted(set(labels.ACTION_LABELS.values())),
                                                        "last": last, "pending": pending})


@login_required
@require_POST
def verify(request):
    """Queue a verification for the task worker; the event log page shows its result when done."""
    if not sees_all(request.user):
        raise Http404("页面不存在")
    try:
        run = actions.request_verify(request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已提交完整性校验（第 {run.pk} 次），后台完成后本页显示结果，请稍后刷新。")
    return redirect("supervision:events")
