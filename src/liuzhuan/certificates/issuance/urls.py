from django.urls import path

from . import views

urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("applications/<int:app_id>/", views.application, name="application"),
    path("applications/<int:app_id>/attachments/<int:attachment_id>/", views.attachment, name="application_attachment"),
    path("review/", views.review_queue, name="review_queue"),
    path("issued/", views.issued, name="issued"),
    path("legacy/", views.legacy_list, name="legacy"),
]
