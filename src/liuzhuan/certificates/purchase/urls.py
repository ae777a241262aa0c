from django.urls import path

from . import views

urlpatterns = [
    path("lifecycle/commitments/", views.commitments, name="lc_commitments"),
    path("lifecycle/commitments/<int:commitment_id>/", views.commitment_detail, name="lc_commitment"),
    path("lifecycle/certs/<int:cert_id>/commitment/", views.commitment_new, name="lc_commitment_new"),
    path("lifecycle/sales/<int:sale_id>/", views.sale_detail, name="lc_sale"),
    path("lifecycle/providers/", views.providers, name="lc_providers"),
]
