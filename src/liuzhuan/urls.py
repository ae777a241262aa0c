from django.urls import include, path

from liuzhuan.api import api
from liuzhuan.certificates.paper import views as certificate_paper_views
from liuzhuan.core import views as core_views
from liuzhuan.core.discovery import app_modules
from liuzhuan.members import views as member_views

urlpatterns = [
    path("", member_views.home, name="home"),
    path("login/", member_views.LoginView.as_view(), name="login"),
    path("logout/", member_views.logout_view, name="logout"),
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots),
    path("favicon.ico", core_views.favicon),
    path("api/v1/", api.urls),
    path("verify/<str:number>", certificate_paper_views.verify, name="verify"),
]

# Every liuzhuan app with a ``urls`` module is mounted at /<app label>/ (members/, supervision/,
# certificates/, bridge/ ...), so a new business app needs no edit here.
for _config, _module in app_modules("urls", skip=frozenset({"core"})):
    urlpatterns.append(path(f"{_config.label}/", include(_module)))

# Chinese pages for 400/403/404/500, and JSON {code, message, field} under /api/ (an unknown API
# path, a malformed multipart body or an unexpected error is still a JSON answer there).
handler400 = "liuzhuan.core.views.bad_request"
handler403 = "liuzhuan.core.views.permission_denied"
handler404 = "liuzhuan.core.views.page_not_found"
handler500 = "liuzhuan.core.views.server_error"
