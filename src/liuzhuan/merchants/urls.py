from django.urls import path

from . import views

app_name = "merchants"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("items/<int:item_id>/", views.item, name="item"),
    path("shop/", views.shop, name="shop"),
    path("shop/items/new/", views.item_new, name="item_new"),
    path("shop/items/<int:item_id>/", views.item_edit, name="item_edit"),
    path("shop/items/<int:item_id>/shelf/", views.item_shelf, name="item_shelf"),
    path("orders/", views.orders, name="orders"),
    path("sales/", views.sales, name="sales"),
    path("orders/<int:order_id>/", views.order, name="order"),
    path("orders/<int:order_id>/receipt/", views.receipt, name="receipt"),
    path("orders/<int:order_id>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("orders/<int:order_id>/<str:verb>/", views.order_action, name="order_action"),
    path("oversight/", views.oversight, name="oversight"),
]
