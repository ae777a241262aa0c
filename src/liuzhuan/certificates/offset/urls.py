from django.urls import path

from . import views

urlpatterns = [
    path("lifecycle/offsets/", views.offsets, name="lc_offsets"),
    path("lifecycle/offsets/<int:offset_id>/", views.offset_detail, name="lc_offset"),
    path("lifecycle/assets/", views.assets, name="lc_assets"),
]
