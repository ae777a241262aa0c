from django.urls import path

from .application import views as application
from .banks import views as banks
from .fund import views as fund
from .loan import views as loan
from .oversight import views as oversight
from .recovery import views as recovery
from .reports import views as reports
from .revenue import views as revenue

app_name = "bridge"
urlpatterns = [
    path("", reports.index, name="index"),
    path("overview/", reports.overview, name="overview"),
    path("applications/", application.applications, name="applications"),
    # one page for a business from application to recovery: each stage adds its forms and actions
    path("applications/<int:app_id>/",
         application.application_page(application.PAGE, loan.PAGE, recovery.PAGE),
         name="application"),
    path("applications/<int:app_id>/files/<int:file_id>", application.material_file, name="material_file"),
    path("apply/", application.apply, name="apply"),
    path("ledger/", reports.ledger, name="ledger"),
    path("banks/", banks.banks, name="banks"),
    path("rates/", fund.rates_page, name="rates"),
    path("fund/", fund.fund_page, name="fund"),
    path("checklist/", application.checklist, name="checklist"),
    path("recovery/", recovery.recovery, name="recovery"),
    path("revenue/", revenue.revenue, name="revenue"),
    path("reports/", reports.reports_page, name="reports"),
    path("oversight/", oversight.oversight_page, name="oversight"),
    path("reports/<int:report_id>/", reports.report_detail, name="report"),
    path("reports/<int:report_id>/xlsx", reports.report_xlsx, name="report_xlsx"),
    path("reports/<int:report_id>/pdf", reports.report_pdf, name="report_pdf"),
]
