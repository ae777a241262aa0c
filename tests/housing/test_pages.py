"""Housing pages: who sees what, the forms drive the actions, oversight reads only."""

from __future__ import annotations

from django.test import Client

from liuzhuan.housing import offsetting
from liuzhuan.housing.models import HousingTransaction, TxKind, UnitStatus

from ..certificates.helpers import verified
from .conftest import TODAY, add_unit, owed_certificate


def client(user):
    c = Client()
    c.force_login(user)
    return c


def test_pool_list_filters_and_pages(world, pool):
    add_unit(pool, unit_no="101")
    add_unit(pool, unit_no="102", kind="stalled", project="烂尾项目")
    c = client(world.alice)
    body = c.get("/housing/").content.decode()
    assert "河畔花园" in body and "烂尾项目" in body
    body = c.get("/housing/", {"kind": "stalled"}).content.decode()
    assert "烂尾项目" in body and "河畔花园" not in body
    body = c.get("/housing/", {"q": "河畔"}).content.decode()
    assert "烂尾项目" not in body
    assert c.get("/housing/", {"kind": "castle"}).status_code == 200  # a bad filter shows nothing, no error
    assert client(world.inspector).get("/housing/").status_code == 200
    assert client(world.banker).get("/housing/dashboard/").status_code == 200  # the bank is a member too
    assert Client().get("/housing/").status_code == 302


def test_holder_takes_a_unit_through_the_pages(world, pool):
    unit = add_unit(pool)
    _c, piece = owed_certificate(world, pool)
    c = client(world.alice)
    page = c.get(f"/housing/units/{unit.pk}/").content.decode()
    assert "以凭证认购此房源" in page and "登记销售" not in page
    r = c.post(f"/housing/units/{unit.pk}/", {"form": "take"})
    tx = HousingTransaction.objects.get(unit=unit)
    assert r.status_code == 302 and tx.kind == TxKind.CERTIFICATE_OFFSET
    r = c.post(f"/housing/transactions/{tx.pk}/", {"form": "piece", "piece_id": piece.pk, "amount_fen": "7,000,000.00"})
    assert r.status_code == 200 and "不能超过房源价款" in r.content.decode()  # the field error, nothing changed
    r = c.post(f"/housing/transactions/{tx.pk}/", {"form": "piece", "piece_id": piece.pk, "amount_fen": "500,000.00"})
    assert r.status_code == 302 and tx.shares.count() == 1
    h = client(pool.user)
    assert h.post(f"/housing/transactions/{tx.pk}/", {"form": "agree"}).status_code == 302
    tx.refresh_from_db()
    assert tx.status == "agreed"
    page = h.get(f"/housing/transactions/{tx.pk}/").content.decode()
    assert "登记事项清单" in page and "网签备案" in page and "登记现金补足款" in page
    assert h.post(f"/housing/transactions/{tx.pk}/", {"form": "step", "step": "net_sign", "ref_no": "WQ-1", "done_on": TODAY.isoformat()}).status_code == 302
    assert tx.steps.count() == 1
    assert verified()


def test_oversight_reads_only_and_outsiders_see_nothing(world, pool):
    unit = add_unit(pool)
    tx = offsetting.open_offset(world.alice, unit.pk)
    assert client(world.inspector).get(f"/housing/transactions/{tx.pk}/").status_code == 200
    r = client(world.inspector).post(f"/housing/transactions/{tx.pk}/", {"form": "agree"})
    assert r.status_code == 404
    assert client(world.outsider).get(f"/housing/transactions/{tx.pk}/").status_code == 404
    assert client(world.outsider).post(f"/housing/units/{unit.pk}/", {"form": "sale"}).status_code == 404  # not the manager
    assert client(pool.other).get(f"/housing/transactions/{tx.pk}/").status_code == 404
    unit.refresh_from_db()
    assert unit.status == UnitStatus.RESERVED
    page = client(world.inspector).get(f"/housing/units/{unit.pk}/").content.decode()
    assert "凭证抵付认购房源" in page  # the history, in Chinese


def test_housing_entity_pages(world, pool):
    h = client(pool.user)
    r = h.post("/housing/units/new/", {"kind": "foreclosed", "project": "银行抵债", "building": "1", "unit_no": "2", "area_m2": "80",
                                       "use": "home", "valuation_fen": "400,000", "valuation_basis": "评估", "valuation_date": TODAY.isoformat()})
    assert r.status_code == 302
    r = h.post("/housing/units/new/", {"kind": "foreclosed", "project": "银行抵债", "building": "1", "unit_no": "2", "area_m2": "80",
                                       "use": "home", "valuation_fen": "400,000", "valuation_basis": "评估", "valuation_date": TODAY.isoformat()})
    assert r.status_code == 200 and "已登记" in r.content.decode()
    assert h.get("/housing/handover/new/").status_code == 200
    assert h.get("/housing/dashboard/").status_code == 200
    assert client(world.alice).get("/housing/units/new/").status_code == 404
