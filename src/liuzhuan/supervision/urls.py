from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("events/", views.events, name="events"),
    path("verify/", views.verify, name="verify"),
]
