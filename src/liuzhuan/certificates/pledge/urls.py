from django.urls import path

from . import views

urlpatterns = [
    path("lifecycle/pledges/", views.pledges, name="lc_pledges"),
    path("lifecycle/pledges/<int:pledge_id>/", views.pledge_detail, name="lc_pledge"),
    path("lifecycle/pledged-transfers/<int:req_id>/<str:verb>/", views.pledged_transfer_action, name="lc_pledged_transfer"),
]
