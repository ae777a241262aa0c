from django.urls import path

from . import views

app_name = "certificates"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("apply/", views.apply, name="apply"),
    path("applications/<int:app_id>/", views.application, name="application"),
    path("review/", views.review_queue, name="review_queue"),
    path("issued/", views.issued, name="issued"),
    path("c/<int:cert_id>/", views.certificate, name="certificate"),
    path("pieces/<int:piece_id>/", views.piece, name="piece"),
    path("pieces/<int:piece_id>/pdf/", views.piece_pdf, name="piece_pdf"),
    path("offers/accept/", views.accept_selected, name="accept_selected"),
    path("offers/<int:transfer_id>/<str:verb>/", views.offer_action, name="offer_action"),
    path("fees/", views.fees, name="fees"),
    path("fees/statement.xlsx", views.fees_xlsx, name="fees_xlsx"),
]

# lifecycle pages: pledge, purchase commitments, offsets, assets, providers, voids, market purchase
from .lifecycle_views import urlpatterns as lifecycle_urlpatterns  # noqa: E402

urlpatterns += lifecycle_urlpatterns
