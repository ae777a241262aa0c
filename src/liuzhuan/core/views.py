"""Shell helpers every app's pages use (role gate, posted ids, the dashboard registry) and the health check.

Login, logout and the home page belong to members (they are about users); core imports no business app.
"""

from __future__ import annotations

from pathlib import Path

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

#: apps append ``fn(request) -> dict(title=..., template=..., context=...) | None`` in AppConfig.ready()
DASHBOARD_SECTIONS: list = []


def require_page_role(request, *roles) -> None:
    """Pages answer 404 (not 403) to organisations without one of ``roles``: nothing is revealed."""
    org = getattr(request.user, "organisation", None)
    if org is None or not org.has_any_role(roles):
        raise Http404("页面不存在")


def paged(request, qs, param: str = "page", per_page: int = 50):
    """One page of ``qs`` (newest first unless it is ordered), its page number read from ``param``
    so a page holding several lists keeps each one's position; a bad number is the first page.
    Render with ``{% include "_pager.html" with page=… param=… %}``."""
    return Paginator(qs if qs.ordered else qs.order_by("-pk"), per_page).get_page(request.GET.get(param))


def post_id(request, name: str) -> int:
    """An object id from a posted form field; anything but digits is a 404, never a 500."""
    value = (request.POST.get(name) or "").strip()
    if not value.isdigit():
        raise Http404("对象不存在")
    return int(value)


@require_GET
def healthz(request):
    """For the load balancer: 200 while this process can serve, 503 when it cannot (database
    unreachable, disk under ``HEALTH_MIN_FREE_MB``). A task worker that has left work waiting
    longer than ``HEALTH_MAX_TASK_WAIT_S`` makes the answer ``degraded`` (still 200: pages keep
    working, but set-off runs and integrity checks wait) so monitoring can page someone."""
    import shutil

    from django.conf import settings
    from django.db import DatabaseError, connection

    answer: dict = {"status": "ok"}
    failing = False
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        answer["database"] = "ok"
    except DatabaseError:
        answer["database"] = "unavailable"
        failing = True
    usage = shutil.disk_usage(settings.VAR_DIR)
    free_mb = usage.free // (1024 * 1024)
    low = free_mb < settings.HEALTH_MIN_FREE_MB
    answer["disk"] = {"status": "low" if low else "ok", "free_mb": free_mb}
    failing = failing or low
    if answer["database"] == "ok":
        answer["worker"] = _worker_health(settings.HEALTH_MAX_TASK_WAIT_S)
    if failing:
        answer["status"] = "fail"
    elif answer.get("worker", {}).get("status") == "stalled":
        answer["status"] = "degraded"
    return JsonResponse(answer, status=503 if failing else 200)


def _worker_health(max_wait_s: int) -> dict:
    """How long the oldest due task has waited for the worker (database task backend only)."""
    from django.conf import settings
    from django.utils import timezone

    if not settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db."):
        return {"status": "inline"}
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    waiting_s = int((now - oldest).total_seconds()) if oldest else 0
    return {"status": "stalled" if waiting_s > max_wait_s else "ok", "oldest_waiting_s": waiting_s}


def robots(request):
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")


_FAVICON = Path(__file__).resolve().parent.parent / "static" / "liuzhuan" / "favicon.ico"


def favicon(request):
    """``/favicon.ico``, which browsers ask for on their own (pages also name it with ``<link rel=icon>``)."""
    response = HttpResponse(_FAVICON.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


#: status -> (code, title, what the person asking should know); the API answers the first two
_ERRORS = {
    400: ("bad_request", "请求无法处理", "提交的内容格式不正确或不完整，请返回检查后重新提交。"),
    403: ("forbidden", "无权访问", "您的账号无权访问该页面或执行该操作。如需权限，请联系本机构管理员。"),
    404: ("not_found", "页面不存在", "您访问的页面不存在，或您所在机构无权查看。请从左侧导航重新进入。"),
    500: ("server_error", "系统出错", "系统处理时出错，错误已记录。请稍后重试；如仍出错，请联系运营机构。"),
}


def _error_response(request, status: int) -> HttpResponse:
    """JSON ``{code, message, field}`` under /api/ (a client parses it, whatever went wrong),
    a Chinese page elsewhere. Rendered without the request context on 500: the context
    processors query the database, which may be what failed."""
    code, title, message = _ERRORS[status]
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "message": title if status != 500 else message, "field": None}, status=status)
    context = {"status": status, "title": title, "message": message}
    try:
        template = loader.get_template("error.html")
        body = template.render(context, request if status != 500 else None)
    except Exception:  # the error page itself must not fail (template or database)
        body = f"<!doctype html><html lang=\"zh-hans\"><meta charset=\"utf-8\"><title>{title}</title><h1>{title}</h1><p>{message}</p>"
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


@requires_csrf_token
def bad_request(request, exception=None):
    return _error_response(request, 400)


@requires_csrf_token
def permission_denied(request, exception=None):
    return _error_response(request, 403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return _error_response(request, 404)


@requires_csrf_token
def server_error(request):
    return _error_response(request, 500)
