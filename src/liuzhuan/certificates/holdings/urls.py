from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("c/<int:cert_id>/", views.certificate, name="certificate"),
    path("pieces/<int:piece_id>/", views.piece, name="piece"),
    path("lifecycle/pieces/<int:piece_id>/", views.piece_actions, name="lc_piece"),
]
