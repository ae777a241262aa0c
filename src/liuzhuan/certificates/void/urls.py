from django.urls import path

from . import views

urlpatterns = [
    path("lifecycle/certs/<int:cert_id>/void/", views.void_new, name="lc_void"),
    path("lifecycle/voids/", views.voids, name="lc_voids"),
]
