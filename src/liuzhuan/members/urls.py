from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("register/", views.register, name="register"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:org_id>/", views.review_submit, name="review_submit"),
    path("orgs/", views.org_list, name="org_list"),
    path("lookup/", views.org_lookup, name="org_lookup"),
    path("orgs/new/", views.org_new, name="org_new"),
    path("orgs/<int:org_id>/", views.org_detail, name="org_detail"),
    path("orgs/<int:org_id>/documents/<int:doc_id>/", views.document, name="document"),
    path("mine/", views.my_org, name="my_org"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:note_id>/ack/", views.inbox_ack, name="inbox_ack"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("password/", views.password, name="password"),
]
