from django.urls import path

from . import views

urlpatterns = [
    path("fees/", views.fees, name="fees"),
    path("fees/statement.xlsx", views.fees_xlsx, name="fees_xlsx"),
]
