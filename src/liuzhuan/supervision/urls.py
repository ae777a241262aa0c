from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.home, name="home"),
    path("alerts/", views.alerts, name="alerts"),
    path("certificates.xlsx", views.certificates_xlsx, name="certificates_xlsx"),
    path("events/", views.events, name="events"),
    path("events.xlsx", views.events_xlsx, name="events_xlsx"),
    path("verify/", views.verify, name="verify"),
]
