from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from liuzhuan.core.errors import DomainError
from liuzhuan.core.models import AuditEvent
from liuzhuan.core.xlsx import Column, xlsx_response
from liuzhuan.members.queries import sees_all

from . import actions, dashboard, labels, queries
from .alerts import alerts as current_alerts


def _oversight(request) -> None:
    if not sees_all(request.user):
        raise Http404("页面不存在")


@login_required
def home(request):
    """The oversight dashboard: key figures, trends by month (ECharts) and links to the lists behind them."""
    _oversight(request)
    return render(request, "supervision/dashboard.html", dashboard.figures(request.user))


@login_required
def alerts(request):
    """What needs acting on: each alert kind with its count and the list behind it."""
    _oversight(request)
    return render(request, "supervision/alerts.html", {"alerts": current_alerts()})


CERTIFICATE_COLUMNS = [
    Column("凭证编号", "number"),
    Column("债权人", "creditor__name"),
    Column("债务人", "debtor__name"),
    Column("开具日期", "issue_date"),
    Column("清偿期限", "maturity_date"),
    Column("状态", lambda c: c.get_status_display()),
    Column("凭证金额（元）", "face_fen"),
]

EVENT_COLUMNS = [
    Column("序号", "seq"),
    Column("时间", lambda e: timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S")),
    Column("动作", "action"),
    Column("操作机构", "actor_org_name"),
    Column("用户名", "actor_username"),
    Column("对象", lambda e: f"{e.object_type}:{e.object_id}"),
]


def _event_filter(request):
    qs = AuditEvent.objects.order_by("-seq")
    action = (request.GET.get("action") or "").strip()
    org = (request.GET.get("org") or "").strip()
    if action:  # a Chinese name (开具凭证, 叫停) or a code prefix (certificate.)
        qs = qs.filter(Q(action__startswith=action) | Q(action__in=labels.codes_named(action)))
    if org:
        qs = qs.filter(actor_org_name__icontains=org)
    return qs, action, org


@login_required
def certificates_xlsx(request):
    _oversight(request)
    try:
        qs, text = dashboard.certificate_list(request.user, request.GET)
    except DomainError as exc:
        return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")
    return xlsx_response(qs.iterator(chunk_size=500), CERTIFICATE_COLUMNS, title="债权凭证清单",
                         filename="certificates.xlsx", filter_text=text)


@login_required
def events_xlsx(request):
    _oversight(request)
    qs, action, org = _event_filter(request)
    text = "，".join(t for t in (f"动作前缀 {action}" if action else "", f"机构 {org}" if org else "") if t)
    return xlsx_response(qs.iterator(chunk_size=500), EVENT_COLUMNS, title="审计日志",
                         filename="audit-events.xlsx", filter_text=text)


@login_required
def events(request):
    _oversight(request)
    qs, action, org = _event_filter(request)
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
    _oversight(request)
    try:
        run = actions.request_verify(request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已提交完整性校验（第 {run.pk} 次），后台完成后本页显示结果，请稍后刷新。")
    return redirect("supervision:events")
