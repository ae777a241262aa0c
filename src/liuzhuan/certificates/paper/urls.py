from django.urls import path

from . import views

# the public verify page (/verify/<number>, the QR code's target) is mounted by liuzhuan/urls.py
urlpatterns = [
    path("pieces/<int:piece_id>/pdf/", views.piece_pdf, name="piece_pdf"),
]
