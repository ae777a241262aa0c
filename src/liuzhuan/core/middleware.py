"""A signed-in account that belongs to no organisation (e.g. one made with ``createsuperuser``)
cannot use the business pages: every page and API call assumes an organisation. It is told so
plainly instead of meeting a server error."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from .errors import DomainError
from .uploads import human_size

ALLOWED_PREFIXES = ("/login/", "/logout/", "/static/", "/healthz", "/robots.txt", "/verify/", "/api/v1/csrf",
                    "/api/v1/openapi.json", "/api/v1/docs", "/api/v1/registrations", "/members/register/")


class OrganisationRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and getattr(user, "organisation_id", None) is None
                and not request.path.startswith(ALLOWED_PREFIXES)):
            message = "该账号未关联任何机构，不能办理业务。请由运营机构为其所在机构创建账号。"
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "no_organisation", "message": message, "field": None}, status=403)
            return render(request, "no_organisation.html", {"message": message}, status=403)
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than ``MAX_REQUEST_BYTES`` before any of it
    is read (413). Without a Content-Length the WSGI request reads no body at all, so the declared
    length bounds what an upload can cost; each upload path then has its own, smaller limit
    (``core.uploads.read_limited``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body from a malformed length
        limit = settings.MAX_REQUEST_BYTES
        if length > limit:
            error = DomainError("request_too_large",
                                f"提交的内容 {human_size(length)} 超过上限 {human_size(limit)}，请拆分后分批提交")
            message = error.message
            if request.path.startswith("/api/"):
                return JsonResponse(error.as_dict(), status=413)
            page = ("<!doctype html><html lang=\"zh-hans\"><meta charset=\"utf-8\"><title>提交内容过大</title>"
                    f"<body><h1>提交内容过大</h1><p>{message}。</p><p><a href=\"/\">返回首页</a></p>")
            return HttpResponse(page, status=413, content_type="text/html; charset=utf-8")
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Send ``settings.CONTENT_SECURITY_POLICY`` on every response that has none (Django 5.2 has no
    CSP of its own; 6.0's ``SECURE_CSP`` can replace this class)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
