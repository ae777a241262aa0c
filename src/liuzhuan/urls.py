from django.urls import include, path

from liuzhuan.api import api
from liuzhuan.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", core_views.logout_view, name="logout"),
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots),
    path("members/", include("liuzhuan.members.urls")),
    path("supervision/", include("liuzhuan.supervision.urls")),
    path("api/v1/", api.urls),
]
