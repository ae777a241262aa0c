from django.urls import path

from . import views

urlpatterns = [
    path("offers/accept/", views.accept_selected, name="accept_selected"),
    path("offers/<int:transfer_id>/<str:verb>/", views.offer_action, name="offer_action"),
]
