from django.urls import path

from . import views

urlpatterns = [
    path("escrow/", views.agreements, name="escrow_accounts"),
]
