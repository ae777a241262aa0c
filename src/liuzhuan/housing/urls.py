from django.urls import path

from . import views

app_name = "housing"
urlpatterns = [
    path("", views.pool, name="pool"),
    path("units/new/", views.unit_new, name="unit_new"),
    path("units/<int:unit_id>/", views.unit, name="unit"),
    path("handover/new/", views.handover_new, name="handover_new"),
    path("transactions/", views.transactions, name="transactions"),
    path("transactions/<int:tx_id>/", views.transaction, name="transaction"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
