import importlib

from django.apps import apps
from django.urls import include, path

from liuzhuan.api import api
from liuzhuan.certificates import views as certificate_views
from liuzhuan.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", core_views.logout_view, name="logout"),
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots),
    path("api/v1/", api.urls),
    path("verify/<str:number>", certificate_views.verify, name="verify"),
]

# Every liuzhuan app with a ``urls`` module is mounted at /<app label>/ (members/, supervision/,
# certificates/, bridge/ ...), so a new business app needs no edit here.
for _config in apps.get_app_configs():
    if not _config.name.startswith("liuzhuan.") or _config.label == "core":
        continue
    try:
        importlib.import_module(f"{_config.name}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"{_config.name}.urls":
            raise
        continue
    urlpatterns.append(path(f"{_config.label}/", include(f"{_config.name}.urls")))
