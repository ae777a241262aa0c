"""Merchant pages and API: who sees what, forms and JSON refusals naming the field, receipts
(page and PDF), the oversight view; and the demo data."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from liuzhuan.core.integrity import run_all
from liuzhuan.merchants.models import CatalogueItem, Order, Settlement

from .conftest import buy


def logged_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_browse_search_and_filter(world, market):
    c = logged_in(world.alice)
    page = c.get("/merchants/").content.decode()
    assert "河套面粉" in page and "胡麻油" in page and "万家福超市" in page
    page = c.get("/merchants/", {"q": "胡麻"}).content.decode()
    assert "胡麻油" in page and "河套面粉" not in page
    page = c.get("/merchants/", {"merchant": market.profile.pk, "kind": "service"}).content.decode()
    assert "上门安装服务" in page and "河套面粉" not in page
    page = c.get("/merchants/", {"max_price": "100"}).content.decode()
    assert "上门安装服务" in page and "河套面粉" not in page
    assert c.get("/merchants/", {"max_price": "abc"}).status_code == 200  # a bad filter is said, not a 500
    market.flour.on_shelf = False
    market.flour.save()
    assert "河套面粉" not in c.get("/merchants/").content.decode()
    assert c.get(f"/merchants/items/{market.flour.pk}/").status_code == 404


def test_order_from_the_page_then_settle_and_receipt(world, market, cert_piece):
    _cert, piece = cert_piece
    c = logged_in(world.alice)
    r = c.get(f"/merchants/items/{market.flour.pk}/")
    assert r.status_code == 200 and piece.number in r.content.decode()
    r = c.post(f"/merchants/items/{market.flour.pk}/", {"quantity": "9", "mode": "transfer", "piece_id": piece.pk})
    assert r.status_code == 200 and "库存不足" in r.content.decode()
    r = c.post(f"/merchants/items/{market.flour.pk}/", {"quantity": "2", "mode": "transfer", "piece_id": piece.pk})
    order = Order.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/merchants/orders/{order.pk}/"
    shop = logged_in(market.shop)
    assert "确认结算" in shop.get(f"/merchants/orders/{order.pk}/").content.decode()
    assert logged_in(world.outsider).get(f"/merchants/orders/{order.pk}/").status_code == 404
    assert shop.post(f"/merchants/orders/{order.pk}/settle/").status_code == 302
    s = Settlement.objects.get()
    for client in (c, shop, logged_in(world.inspector)):
        page = client.get(f"/merchants/orders/{order.pk}/receipt/").content.decode()
        assert s.number in page and "叁佰元整" in page
        pdf = client.get(f"/merchants/orders/{order.pk}/receipt.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert logged_in(world.outsider).get(f"/merchants/orders/{order.pk}/receipt.pdf").status_code == 404
    assert s.number in c.get("/merchants/orders/").content.decode()
    assert s.number in shop.get("/merchants/sales/").content.decode()
    assert "持有的凭证债权" in shop.get("/merchants/shop/").content.decode()


def test_shop_pages_add_edit_and_shelf(world, market):
    shop = logged_in(market.shop)
    r = shop.post("/merchants/shop/items/new/", {"name": "挂面", "kind": "goods", "category": "food", "price_fen": "0"})
    assert r.status_code == 200 and CatalogueItem.objects.filter(name="挂面").count() == 0
    r = shop.post("/merchants/shop/items/new/", {"name": "挂面", "kind": "goods", "category": "food", "price_fen": "12.50", "stock": "10"})
    assert r.status_code == 302
    item = CatalogueItem.objects.get(name="挂面")
    assert item.price_fen == 1250
    r = shop.post(f"/merchants/shop/items/{item.pk}/shelf/", {"on_shelf": "0"})
    item.refresh_from_db()
    assert r.status_code == 302 and not item.on_shelf
    # another merchant cannot see or change it
    other = logged_in(world.bob)
    assert other.get(f"/merchants/shop/items/{item.pk}/").status_code == 404
    assert other.post(f"/merchants/shop/items/{item.pk}/shelf/", {"on_shelf": "1"}).status_code == 404
    # a member that is no merchant has no shop pages
    assert logged_in(world.alice).get("/merchants/shop/").status_code == 404


def test_oversight_page_is_for_oversight_roles(world, market, cert_piece):
    from liuzhuan.merchants import actions

    _cert, piece = cert_piece
    order = buy(world.alice, market.profile, piece, (market.flour, 1))
    actions.settle_order(market.shop, order.pk)
    page = logged_in(world.inspector).get("/merchants/oversight/")
    assert page.status_code == 200 and "万家福超市" in page.content.decode() and "sales-data" in page.content.decode()
    assert logged_in(world.alice).get("/merchants/oversight/").status_code == 404
    assert "特约商户监管" in logged_in(world.inspector).get("/merchants/").content.decode()
    assert "特约商户监管" not in logged_in(world.alice).get("/merchants/").content.decode()


def test_api_order_settle_and_field_errors(world, market, cert_piece, api):
    _cert, piece = cert_piece
    buyer = api(world.alice)
    r = buyer.get("/merchants/items", q="面粉")
    assert r.status_code == 200 and [i["name"] for i in r.json()["items"]] == ["河套面粉 25kg"]
    r = buyer.post("/merchants/orders", {"merchant_id": market.profile.pk, "lines": [{"item_id": market.flour.pk, "quantity": 6}],
                                         "mode": "transfer", "piece_id": piece.pk})
    assert r.status_code == 409 and r.json()["code"] == "stock_out"
    r = buyer.post("/merchants/orders", {"merchant_id": market.profile.pk, "lines": [{"item_id": market.flour.pk, "quantity": 0}],
                                         "mode": "transfer", "piece_id": piece.pk})
    assert r.status_code == 422 and r.json()["field"] == "lines[0].quantity", r.json()
    r = buyer.post("/merchants/orders", {"merchant_id": market.profile.pk, "lines": [{"item_id": market.flour.pk, "quantity": 1}],
                                         "mode": "cash", "piece_id": piece.pk})
    assert r.status_code == 400 and r.json()["field"] == "mode"
    r = buyer.post("/merchants/orders", {"merchant_id": market.profile.pk, "lines": [{"item_id": market.flour.pk, "quantity": 1}],
                                         "mode": "transfer", "piece_id": piece.pk})
    assert r.status_code == 201, r.json()
    order_id = r.json()["id"]
    assert api(world.outsider).post(f"/merchants/orders/{order_id}/settle").status_code == 404
    assert buyer.post(f"/merchants/orders/{order_id}/settle").status_code == 403
    r = api(market.shop).post(f"/merchants/orders/{order_id}/settle")
    assert r.status_code == 200 and r.json()["status"] == "settled" and r.json()["registration_no"].startswith("BG")
    r = api(market.shop).post("/merchants/catalogue", {"name": "", "category": "food", "price_fen": 100, "stock": 1})
    assert r.status_code == 400 and r.json()["field"] == "name"
    r = api(world.inspector).get("/merchants/oversight/sales")
    assert r.status_code == 200 and sum(sum(s["data"]) for s in r.json()["series"]) == 150_00
    assert api(world.alice).get("/merchants/oversight/sales").status_code == 403


@pytest.mark.django_db
def test_demo_has_a_settled_purchase_and_loads_once():
    call_command("demo", quiet_logins=True)
    order = Order.objects.get()
    assert order.status == "settled" and order.settlement.registration_no.startswith("BG")
    assert CatalogueItem.objects.count() == 6
    n = Order.objects.count()
    call_command("demo", quiet_logins=True)
    assert Order.objects.count() == n
    report = run_all()
    assert report.ok, report.problems


def test_operator_registers_settled_counter_offsets_in_a_batch_from_the_page_and_api(world, market, cert_piece, api):
    """The merchant's settlement leaves the claim 待注销登记 on the operator's list; the receipt
    says so; the operator ticks it and registers; a member posting the same form gets a 404."""
    from liuzhuan.certificates.ledger.models import Piece
    from liuzhuan.certificates.offset.models import OffsetApplication
    from liuzhuan.merchants import actions

    _cert, piece = cert_piece
    order = buy(world.alice, market.debtor_profile, piece, (market.oil, 1), mode="offset")
    actions.settle_order(world.bob, order.pk)
    receipt = logged_in(world.alice).get(f"/merchants/orders/{order.pk}/receipt/").content.decode()
    assert order.offset.number in receipt and "待债权管理服务机构办理" in receipt
    clerk = logged_in(world.clerk)
    listing = clerk.get("/certificates/lifecycle/offsets/").content.decode()
    assert f'name="offset_ids" value="{order.offset_id}"' in listing
    # a member (the merchant itself) cannot post the operator's batch
    assert logged_in(world.bob).post("/certificates/lifecycle/offsets/", {"offset_ids": [order.offset_id]}).status_code == 404
    assert OffsetApplication.objects.get(pk=order.offset_id).status == "received"
    # nothing ticked: a Chinese message, nothing registered
    page = clerk.post("/certificates/lifecycle/offsets/", {}, follow=True).content.decode()
    assert "请选择要办理注销登记的抵付申请" in page
    page = clerk.post("/certificates/lifecycle/offsets/", {"offset_ids": [order.offset_id]}, follow=True).content.decode()
    off = OffsetApplication.objects.get(pk=order.offset_id)
    assert off.status == "completed" and "已办理 1 笔注销登记" in page
    assert Piece.objects.get(pk=off.piece_id).status == "offset"
    receipt = logged_in(world.alice).get(f"/merchants/orders/{order.pk}/receipt/").content.decode()
    assert off.cancellation_no in receipt
    # the API's batch: a second order, refused for the merchant (wrong organisation), done by the operator
    order2 = buy(world.alice, market.debtor_profile, Piece.objects.get(holder=world.alice_org, status="live"), (market.oil, 1),
                 mode="offset")
    actions.settle_order(world.bob, order2.pk)
    r = api(world.bob).post("/certificates/offsets/cancellations", {"offset_ids": [order2.offset_id]})
    assert r.status_code in (403, 404) and OffsetApplication.objects.get(pk=order2.offset_id).status == "received"
    r = api(world.clerk).post("/certificates/offsets/cancellations", {"offset_ids": []})
    assert r.status_code == 422 and r.json()["field"] == "offset_ids"
    r = api(world.clerk).post("/certificates/offsets/cancellations", {"offset_ids": [order2.offset_id]})
    assert r.status_code == 200 and r.json()[0]["status"] == "completed"
    assert run_all().ok
