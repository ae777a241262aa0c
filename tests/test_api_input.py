"""Lax input the API used to take (issue 17 item 5): ``amount_fen: true`` as 1 fen, ``"100"`` as
100, a ``text/plain`` body read as JSON. Every integer of every body is covered by the OpenAPI
walk in ``test_api_bounds.py``; these are the probes themselves, with nothing changed after."""

from __future__ import annotations

import json

import pytest

from liuzhuan.certificates.ledger.models import Transfer
from liuzhuan.core.models import AuditEvent

from .certificates.conftest import issue


@pytest.fixture
def transfer_url(world):
    _, piece = issue(world)
    return f"/certificates/pieces/{piece.pk}/transfer"


def _body(world, **over):
    return {"to_org_id": world.carol_org.pk, "amount_fen": 100_00, "agreement_ref": "ZR-1", **over}


@pytest.mark.parametrize(("field", "value"), [
    ("amount_fen", True), ("amount_fen", "100"), ("amount_fen", 100.0), ("amount_fen", "1e2"),
    ("to_org_id", True), ("to_org_id", "5"),
])
def test_amounts_and_ids_in_a_body_are_json_integers(world, api, transfer_url, field, value):
    events = AuditEvent.objects.count()
    r = api(world.alice).post(transfer_url, _body(world, **{field: value}))
    assert r.status_code == 422, r.content
    data = r.json()
    assert data["code"] == "invalid" and data["field"] == field and data["message"].startswith(f"字段 {field} 不正确：")
    assert not Transfer.objects.exists() and AuditEvent.objects.count() == events


def test_a_json_integer_still_transfers(world, api, transfer_url):
    r = api(world.alice).post(transfer_url, _body(world))
    assert r.status_code == 201, r.content
    assert Transfer.objects.get().amount_fen == 100_00


@pytest.mark.parametrize("value", ["yes", 1, "true"])
def test_flags_in_a_body_are_json_booleans(world, api, value):
    r = api(world.checker).post("/certificates/applications/1/decide", {"agree": value})
    assert r.status_code == 422 and r.json()["field"] == "agree" and "true 或 false" in r.json()["message"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_a_body_that_is_not_declared_json_is_refused_with_415(world, api, transfer_url, content_type):
    c = api(world.alice)
    r = c.client.post(f"/api/v1{transfer_url}", json.dumps(_body(world)), content_type=content_type, HTTP_X_CSRFTOKEN=c.csrf)
    assert r.status_code == 415
    data = r.json()
    assert data["code"] == "unsupported_media_type" and "Content-Type: application/json" in data["message"]
    assert content_type in data["message"]
    assert not Transfer.objects.exists()


def test_json_with_a_charset_or_a_json_suffix_is_accepted(world, api, transfer_url):
    c = api(world.alice)
    r = c.client.post(f"/api/v1{transfer_url}", json.dumps(_body(world)), content_type="application/json; charset=utf-8",
                      HTTP_X_CSRFTOKEN=c.csrf)
    assert r.status_code == 201, r.content


def test_malformed_json_says_where(world, api, transfer_url):
    c = api(world.alice)
    r = c.client.post(f"/api/v1{transfer_url}", '{"amount_fen": 1,\n "to_org_id": }', content_type="application/json",
                      HTTP_X_CSRFTOKEN=c.csrf)
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_json" and "第 2 行" in r.json()["message"]
    assert not Transfer.objects.exists()


def test_a_body_that_is_not_an_object_is_a_field_error(world, api, transfer_url):
    c = api(world.alice)
    r = c.client.post(f"/api/v1{transfer_url}", "[1, 2]", content_type="application/json", HTTP_X_CSRFTOKEN=c.csrf)
    assert 400 <= r.status_code < 500 and not Transfer.objects.exists()


@pytest.mark.parametrize("rate", ["NaN", "Infinity", "-Infinity"])
def test_a_decimal_that_is_not_a_number_is_refused_in_chinese(world, api, rate):
    r = api(world.clerk).post("/certificates/fees/rules", {"op_type": "issuance", "rate_per_10k": rate, "payer": "transferor",
                                                           "effective_date": "2030-01-01"})
    assert r.status_code == 422 and r.json()["message"] == "字段 rate_per_10k 不正确：须为有限的数字"
