"""API lists are pages with a count: a client always learns whether it has the whole list (they
used to stop at 500–5,000 rows without saying so, issue 17 item 6)."""

from __future__ import annotations

import pytest

from liuzhuan.core.roles import Role

from .conftest import make_org
from .openapi import document, non_null, operations, resolve

#: GET endpoints answering a bare JSON array: each returns the whole list, never a cut one
WHOLE_LISTS = {
    "/api/v1/organisations/{org_id}/users": "one organisation's users",
    "/api/v1/tokens": "the caller's own tokens",
    "/api/v1/supervision/events": "a cursor: after_seq + limit, continue from the last seq",
    "/api/v1/certificates/applications/{app_id}/attachments": "one application's files",
    "/api/v1/certificates/offsets/{offset_id}/evidence": "one offset's documents",
    "/api/v1/certificates/pieces/{piece_id}/chain": "one piece's chain of holders",
    "/api/v1/certificates/offers": "offers awaiting the caller (they lapse after the offer period)",
    "/api/v1/certificates/purchase-providers": "the few purchase-commitment providers",
    "/api/v1/certificates/assets": "the caller's assets offered for offsets",
    "/api/v1/bridge/fund/principal": "the fund's capital movements",
    "/api/v1/bridge/lpr": "the LPR history (one row a month at most)",
    "/api/v1/bridge/agreements": "cooperation agreements with banks",
    "/api/v1/bridge/agreements/{agreement_id}/history": "one agreement's status changes",
    "/api/v1/bridge/checklists": "checklist versions",
    "/api/v1/bridge/recovery-cases": "recovery cases (each a defaulted loan)",
    "/api/v1/bridge/reports": "quarterly reports (four a year)",
    "/api/v1/setoff/consent": "the caller's standing consents",
}


def _gets():
    for method, path, op in operations():
        schema = op["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema")
        if method == "get" and schema is not None:
            yield path, op, resolve(schema)


def test_every_list_is_a_page_with_a_count_or_declared_whole():
    pages = 0
    for path, op, schema in _gets():
        if schema.get("type") == "array":
            assert path in WHOLE_LISTS, f"{path} answers a bare list: paginate it (core/api_pages.paged) or declare it whole"
            continue
        props = schema.get("properties", {})
        if "count" not in props:
            continue
        pages += 1
        assert {"count", "limit", "offset"} <= set(props), path
        assert any(non_null(props[k]).get("type") == "array" for k in ("items", "pledges") if k in props), path
        params = {p["name"]: non_null(p["schema"]) for p in op.get("parameters", []) if p["in"] == "query"}
        assert {"limit", "offset"} <= set(params), path
        assert params["limit"]["minimum"] == 1 and params["limit"]["maximum"] <= 5000, path
        assert params["limit"]["default"] <= params["limit"]["maximum"], path
    assert pages >= 18
    assert set(WHOLE_LISTS) <= {path for path, _, _ in _gets()}, "a declared whole list no longer exists"


def test_the_default_page_is_the_old_cut_off():
    """A client that reads ``items`` without asking for a page sees the rows it used to."""
    limits = {path: next(p["schema"]["default"] for p in op["parameters"] if p["name"] == "limit")
              for path, op, schema in _gets() if "count" in schema.get("properties", {})}
    assert limits["/api/v1/certificates/fees/statement"] == 5000
    assert limits["/api/v1/certificates/applications"] == 500 and limits["/api/v1/bridge/applications"] == 500
    assert limits["/api/v1/certificates/pieces"] == 1000 and limits["/api/v1/setoff/obligations"] == 100
    assert limits["/api/v1/certificates/pledgee/pledges"] == 2000


@pytest.fixture
def organisations(world):
    return [make_org(f"分页公司{i}", Role.MEMBER) for i in range(5)]


def test_pages_walk_the_whole_list_with_its_count(world, api, organisations):
    c = api(world.checker)
    whole = c.get("/organisations").json()
    total = whole["count"]
    assert total == len(whole["items"]) >= 12 and (whole["limit"], whole["offset"]) == (500, 0)
    seen = []
    for offset in range(0, total, 5):
        page = c.get("/organisations", limit=5, offset=offset).json()
        assert page["count"] == total and (page["limit"], page["offset"]) == (5, offset)
        seen += [o["id"] for o in page["items"]]
    assert seen == [o["id"] for o in whole["items"]] and len(set(seen)) == total
    assert c.get("/organisations", limit=5, offset=total).json() == {"items": [], "count": total, "limit": 5, "offset": total}
    assert c.get("/organisations", status="pending", limit=1).json()["count"] == 0  # filters count too


@pytest.mark.parametrize(("params", "field"), [({"limit": 501}, "limit"), ({"limit": 0}, "limit"), ({"offset": -1}, "offset")])
def test_a_page_outside_the_bounds_is_refused_not_cut(world, api, params, field):
    r = api(world.checker).get("/organisations", **params)
    assert r.status_code == 422 and r.json()["field"] == field


def test_a_member_counts_only_what_it_may_see(world, api, organisations):
    mine = api(world.alice).get("/organisations").json()
    assert mine["count"] == len(mine["items"]) == 1 and mine["items"][0]["id"] == world.alice_org.pk


def test_the_pledge_book_pages_its_pledges(world, api):
    r = api(world.banker).get("/certificates/pledgee/pledges", limit=1)
    assert r.status_code == 200
    assert r.json() | {"pledges": None} == {"effective_fen": 0, "pending_fen": 0, "secured_fen": 0, "pledges": None, "count": 0,
                                            "limit": 1, "offset": 0}
    assert api(world.banker).get("/certificates/pledgee/pledges", limit=2001).status_code == 422
    assert "pledges" in resolve(document()["paths"]["/api/v1/certificates/pledgee/pledges"]["get"]["responses"]["200"][
        "content"]["application/json"]["schema"])["properties"]
