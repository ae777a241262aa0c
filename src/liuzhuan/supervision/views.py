from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from liuzhuan.core.errors import DomainError
from liuzhuan.core.models import AuditEvent
from liuzhuan.core.xlsx import Column, xlsx_response
from liuzhuan.members.queries import sees_all

from . import actions, dashboard, departments, labels, queries
from .alerts import alerts as current_alerts
from .filters import LOAN_GROUPS, PIECE_GROUPS, CertificateFilter, LoanFilter, PieceFilter


def _oversight(request) -> None:
    if not sees_all(request.user):
        raise Http404("页面不存在")


def _dashboard(request, dept):
    ctx = dashboard.figures(request.user, sections=dept.sections)
    ctx.update({"dept": dept, "sections": dept.sections, "panels": departments.panels(dept, ctx["today"]),
                "departments": departments.DEPARTMENTS.values(), "own": departments.department_of(request.user)})
    return render(request, "supervision/dashboard.html", ctx)


@login_required
def home(request):
    """The user's own department's dashboard: key figures, trends by month and quarter (ECharts),
    each figure a link to the list behind it."""
    _oversight(request)
    return _dashboard(request, departments.department_of(request.user))


@login_required
def department(request, dept: str):
    """Another department's dashboard: every oversight user reads all of them (read-only figures)."""
    _oversight(request)
    found = departments.DEPARTMENTS.get(dept)
    if found is None:
        raise Http404("页面不存在")
    return _dashboard(request, found)


def _list_page(request, lister, filterset_class, template, export_name, extra=None):
    """A drill-down list: the figure's filter in the form, 50 rows a page, the same filter in the pager
    and in the Excel link."""
    _oversight(request)
    try:
        qs, text = lister(request.user, request.GET)
        error = ""
    except DomainError as exc:
        qs, text, error = lister(request.user, {})[0].none(), "", exc.message
    form = filterset_class(request.GET or None).form
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, template, {"page": page, "form": form, "filter_text": text, "error": error,
                                      "export_url": f"{reverse(export_name)}?{query.urlencode()}", **(extra or {})})


@login_required
def certificate_list(request):
    return _list_page(request, dashboard.certificate_list, CertificateFilter, "supervision/certificates.html",
                      "supervision:certificates_xlsx")


@login_required
def piece_list(request):
    return _list_page(request, dashboard.piece_list, PieceFilter, "supervision/pieces.html", "supervision:pieces_xlsx",
                      {"groups": PIECE_GROUPS})


@login_required
def loan_list(request):
    return _list_page(request, dashboard.loan_list, LoanFilter, "supervision/loans.html", "supervision:loans_xlsx",
                      {"groups": LOAN_GROUPS})


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


PIECE_COLUMNS = [
    Column("分段编号", "number", width=22),
    Column("凭证编号", "certificate__number", width=20),
    Column("持有人", "holder__name", width=28),
    Column("状态", lambda p: p.get_status_display()),
    Column("形成时间", lambda p: timezone.localtime(p.created_at).strftime("%Y-%m-%d %H:%M")),
    Column("金额（元）", "amount_fen", width=16),
]

LOAN_COLUMNS = [
    Column("业务编号", "number", width=18),
    Column("申请企业", "applicant__name", width=28),
    Column("贷款银行", "bank__name", width=20),
    Column("状态", lambda a: a.get_status_display()),
    Column("申请日期", "submitted_on"),
    Column("提款日", "disbursed_on"),
    Column("约定还款日", "due_date"),
    Column("金额（元）", "amount_fen", width=16),
]


def _export(request, lister, columns, *, title: str, filename: str):
    _oversight(request)
    try:
        qs, text = lister(request.user, request.GET)
    except DomainError as exc:
        return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")
    return xlsx_response(qs.iterator(chunk_size=2000), columns, title=title, filename=filename, filter_text=text)


@login_required
def certificates_xlsx(request):
    return _export(request, dashboard.certificate_list, CERTIFICATE_COLUMNS, title="债权凭证清单",
                   filename="certificates.xlsx")


@login_required
def pieces_xlsx(request):
    return _export(request, dashboard.piece_list, PIECE_COLUMNS, title="债权凭证分段清单", filename="pieces.xlsx")


@login_required
def loans_xlsx(request):
    return _export(request, dashboard.loan_list, LOAN_COLUMNS, title="续贷过桥资金业务清单", filename="bridge-loans.xlsx")


@login_required
def report_pdf(request):
    """The certificate business report (凭证业务报告) as a PDF."""
    _oversight(request)
    from .report import certificate_report_pdf

    f = dashboard.figures(request.user, sections=("certificates", "fees", "setoff", "trends"))
    resp = HttpResponse(certificate_report_pdf(f), content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="certificate-report-{f["today"]:%Y%m%d}.pdf"'
    return resp


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
