from django.urls import path

from . import views

app_name = "bridge"
urlpatterns = [
    path("", views.index, name="index"),
    path("overview/", views.overview, name="overview"),
    path("applications/", views.applications, name="applications"),
    path("applications/<int:app_id>/", views.application_detail, name="application"),
    path("apply/", views.apply, name="apply"),
    path("ledger/", views.ledger, name="ledger"),
    path("banks/", views.banks, name="banks"),
    path("rates/", views.rates_page, name="rates"),
    path("fund/", views.fund_page, name="fund"),
    path("checklist/", views.checklist, name="checklist"),
    path("recovery/", views.recovery, name="recovery"),
    path("revenue/", views.revenue, name="revenue"),
    path("reports/", views.reports_page, name="reports"),
    path("reports/<int:report_id>/", views.report_detail, name="report"),
    path("reports/<int:report_id>/xlsx", views.report_xlsx, name="report_xlsx"),
    path("reports/<int:report_id>/pdf", views.report_pdf, name="report_pdf"),
]
