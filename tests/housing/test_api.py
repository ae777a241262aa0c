"""Housing API: the certificate-offset flow through the endpoints, field-named Chinese errors,
the wrong organisation."""

from __future__ import annotations

from liuzhuan.housing.models import HousingTransaction

from ..certificates.helpers import verified
from .conftest import TODAY, owed_certificate, unit_data


def test_api_pool_and_offset_flow(world, pool, api):
    h = api(pool.user)
    d = unit_data()
    d["valuation_date"] = d["valuation_date"].isoformat()
    r = h.post("/housing/units", d)
    assert r.status_code == 201, r.content
    unit_id = r.json()["id"]
    bad = h.post("/housing/units", {**d, "unit_no": "9", "area_m2": "-3"})
    assert bad.status_code in (400, 422)
    _c, piece = owed_certificate(world, pool)
    a = api(world.alice)
    assert a.get("/housing/units").json()["count"] == 1
    r = a.post(f"/housing/units/{unit_id}/certificate-offset", {})
    assert r.status_code == 201, r.content
    tx = r.json()
    assert [c["step"] for c in tx["checklist"]] == ["net_sign", "transfer"]
    r = a.post(f"/housing/transactions/{tx['id']}/pieces", {"piece_id": piece.pk, "amount_fen": 900_000_00})
    assert r.status_code == 409 or r.status_code == 400
    assert r.json()["field"] == "amount_fen" and "价款" in r.json()["message"]
    r = a.post(f"/housing/transactions/{tx['id']}/pieces", {"piece_id": piece.pk, "amount_fen": 600_000_00})
    assert r.status_code == 201 and r.json()["credit_fen"] == 600_000_00
    assert api(world.outsider).get(f"/housing/transactions/{tx['id']}").status_code == 404
    assert api(pool.other).post(f"/housing/transactions/{tx['id']}/agree").status_code == 404
    assert a.post(f"/housing/transactions/{tx['id']}/agree").status_code == 403
    assert h.post(f"/housing/transactions/{tx['id']}/agree").json()["status"] == "agreed"
    r = h.post(f"/housing/transactions/{tx['id']}/steps", {"step": "net_sign", "ref_no": "WQ-1", "done_on": TODAY.isoformat()})
    assert r.status_code == 201 and r.json()["missing_steps"] == ["transfer"]
    assert api(world.inspector).get(f"/housing/transactions/{tx['id']}").status_code == 200
    assert api(world.inspector).post(f"/housing/transactions/{tx['id']}/cancel", {"reason": "x"}).status_code in (403, 404)
    r = a.post(f"/housing/transactions/{tx['id']}/cancel", {"reason": "改变计划"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert HousingTransaction.objects.get().status == "cancelled"
    assert verified()


def test_list_filters_refuse_an_unknown_value_and_filter_a_known_one(world, pool, api):
    from .conftest import add_unit

    unit = add_unit(pool)
    h = api(pool.user)
    r = h.get("/housing/units?status=nonsense")
    assert r.status_code == 400 and "状态" in r.json()["message"], r.content
    assert h.get("/housing/transactions?kind=nope").status_code == 400
    ok = h.get(f"/housing/units?status={unit.status}").json()
    items = ok["items"] if isinstance(ok, dict) else ok
    assert [u["id"] for u in items] == [unit.pk]
    none = h.get("/housing/units?status=sold").json()
    assert (none["items"] if isinstance(none, dict) else none) == []
