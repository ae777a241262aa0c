from django.urls import path

from . import views

urlpatterns = [
    path("c/<int:cert_id>/extension/", views.extension, name="extension"),
]
