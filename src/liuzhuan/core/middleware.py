"""A signed-in account that belongs to no organisation (e.g. one made with ``createsuperuser``)
cannot use the business pages: every page and API call assumes an organisation. It is told so
plainly instead of meeting a server error."""

from django.http import JsonResponse
from django.shortcuts import render

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
