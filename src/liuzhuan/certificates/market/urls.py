from django.urls import path

from . import views

urlpatterns = [
    path("lifecycle/purchases/", views.purchases, name="lc_purchases"),
    path("lifecycle/purchases/<int:rp_id>/", views.purchase_detail, name="lc_purchase"),
]
