from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.home, name="home"),
    path("d/<slug:dept>/", views.department, name="department"),
    path("alerts/", views.alerts, name="alerts"),
    path("certificates/", views.certificate_list, name="certificates"),
    path("pieces/", views.piece_list, name="pieces"),
    path("pieces.xlsx", views.pieces_xlsx, name="pieces_xlsx"),
    path("loans/", views.loan_list, name="loans"),
    path("loans.xlsx", views.loans_xlsx, name="loans_xlsx"),
    path("certificates.xlsx", views.certificates_xlsx, name="certificates_xlsx"),
    path("report.pdf", views.report_pdf, name="report_pdf"),
    path("events/", views.events, name="events"),
    path("events.xlsx", views.events_xlsx, name="events_xlsx"),
    path("verify/", views.verify, name="verify"),
]
