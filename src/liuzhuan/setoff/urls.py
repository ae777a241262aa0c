from django.urls import path

from .agreements import views as agreement_views
from .register import views as register_views
from .runs import views as run_views

app_name = "setoff"
urlpatterns = [
    path("", register_views.register, name="register"),
    path("new/", register_views.new, name="new"),
    path("upload/", register_views.upload, name="upload"),
    path("uploads/<int:upload_id>/", register_views.upload_status, name="upload_status"),
    path("template.<str:fmt>", register_views.template, name="template"),
    path("o/<int:obligation_id>/", register_views.obligation, name="obligation"),
    path("o/confirm/", register_views.confirm_selected, name="confirm_selected"),
    path("o/<int:obligation_id>/<str:verb>/", register_views.obligation_action, name="obligation_action"),
    path("cash/", register_views.cash, name="cash"),
    path("cash/<int:declaration_id>/withdraw/", register_views.cash_withdraw, name="cash_withdraw"),
    path("consent/", register_views.consent, name="consent"),
    path("runs/", run_views.runs, name="runs"),
    path("runs/start/", run_views.start, name="start"),
    path("runs/<int:run_id>/", run_views.run, name="run"),
    path("agreements/", agreement_views.agreements, name="agreements"),
    path("agreements/<int:agreement_id>/", agreement_views.agreement, name="agreement"),
    path("agreements/<int:agreement_id>/pdf/", agreement_views.agreement_pdf, name="agreement_pdf"),
    path("agreements/<int:agreement_id>/<str:verb>/", agreement_views.decide, name="decide"),
]
