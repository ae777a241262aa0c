"""Shell helpers every app's pages use (role gate, posted ids, the dashboard registry) and the health check.

Login, logout and the home page belong to members (they are about users); core imports no business app.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

#: apps append ``fn(request) -> dict(title=..., template=..., context=...) | None`` in AppConfig.ready()
DASHBOARD_SECTIONS: list = []


def require_page_role(request, *roles) -> None:
    """Pages answer 404 (not 403) to organisations without one of ``roles``: nothing is revealed."""
    org = getattr(request.user, "organisation", None)
    if org is None or not org.has_any_role(roles):
        raise Http404("页面不存在")


def post_id(request, name: str) -> int:
    """An object id from a posted form field; anything but digits is a 404, never a 500."""
    value = (request.POST.get(name) or "").strip()
    if not value.isdigit():
        raise Http404("对象不存在")
    return int(value)


@require_GET
def healthz(request):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def robots(request):
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")
