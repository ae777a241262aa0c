"""Shell pages: login (with lockout), logout, home dashboard, health check."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from liuzhuan.members import actions as member_actions
from liuzhuan.members import queries as member_queries

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


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。连续失败多次后账号将被临时锁定。",
        "inactive": "该账号已停用。",
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        if username:
            until = member_actions.login_locked_until(username)
            if until:
                local = timezone.localtime(until).strftime("%H:%M")
                raise forms.ValidationError(f"登录失败次数过多，账号已锁定至 {local}，请稍后再试或联系运营机构重置密码。", code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                member_actions.record_login_failure(username)
            raise
        member_actions.record_login_success(self.get_user())
        return cleaned

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.organisation_id and user.organisation.status == "closed":
            raise forms.ValidationError("所属机构已注销，不能登录。", code="org_closed")


class LoginView(auth_views.LoginView):
    template_name = "login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


def logout_view(request):
    if request.method == "POST":
        from django.contrib.auth import logout

        logout(request)
        messages.info(request, "您已安全退出。")
    return redirect("login")


@login_required
def home(request):
    user = request.user
    if user.must_change_password:
        messages.warning(request, "您的密码已由运营机构重置，请先修改密码。")
        return redirect("members:password")
    sections = []
    for fn in DASHBOARD_SECTIONS:
        section = fn(request)
        if section:
            sections.append(section)
    notes = member_queries.inbox(user, unread_only=True)[:5]
    return render(request, "home.html", {"sections": sections, "notes": notes})


@require_GET
def healthz(request):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def robots(request):
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")
