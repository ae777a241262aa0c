"""Every integer a client can send is bounded in the OpenAPI document, and a number just outside
the bounds is a 4xx naming the field — never a database overflow (a 500). In JSON bodies the
integers are strict: ``true`` is not 1 and ``"100"`` is not 100.

The cases are read from ``/api/v1/openapi.json``: a new endpoint or field is covered without a
line here. Each sends one out-of-range integer (the documented maximum + 1, or minimum − 1), every
other parameter valid, as an authenticated operator with a write token.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from liuzhuan.core.api_types import MAX_ID
from liuzhuan.core.roles import Role
from liuzhuan.members.actions import issue_api_token
from liuzhuan.members.models import Position

from .conftest import make_org, make_user
from .openapi import field_name, integer_targets, non_null, operations, resolve, sample, sample_with


def _cases():
    """(id, method, path, operation, where, name or body path, integer schema)"""
    cases = []
    for method, path, op in operations():
        for param in op.get("parameters", []):
            schema = non_null(param["schema"])
            if schema.get("type") == "integer":
                cases.append((f"{method.upper()} {path} {param['in']}:{param['name']}", method, path, op, param["in"],
                              param["name"], schema))
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            for target, schema in integer_targets(body["schema"]):
                cases.append((f"{method.upper()} {path} body:{field_name(target)}", method, path, op, "body", target, schema))
    return cases


CASES = _cases()


def test_the_walk_finds_the_known_holes():
    """The walk reaches path ids, query ids, body years and nested list items (issue 17's probes)."""
    ids = {c[0] for c in CASES}
    assert "GET /api/v1/certificates/commitments query:cert_id" in ids
    assert "GET /api/v1/certificates/fees/statement query:org_id" in ids
    assert "POST /api/v1/bridge/reports body:year" in ids
    assert "POST /api/v1/certificates/transfers/batch body:items[0].amount_fen" in ids
    assert "POST /api/v1/certificates/offers/accept body:transfer_ids[0]" in ids
    assert any(c[4] == "path" for c in CASES) and len(CASES) > 150


@pytest.fixture
def operator_client(db):
    org = make_org("边界运营机构", Role.OPERATOR)
    user = make_user(org, "bounds", Position.MANAGER)
    _, text = issue_api_token(user, "bounds", "write")
    return Client(HTTP_AUTHORIZATION=f"Bearer {text}")


def _request(client, method, path, op, where, name, value):
    params = {p["name"]: sample(p["schema"]) for p in op.get("parameters", []) if p["in"] == "path"}
    query = {p["name"]: sample(p["schema"]) for p in op.get("parameters", []) if p["in"] == "query" and p.get("required")}
    if where == "path":
        params[name] = value
    elif where == "query":
        query[name] = value
    url = path.format(**params)
    content = op.get("requestBody", {}).get("content", {})
    if method == "get":
        return client.get(url, query)
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    if "application/json" in content:
        schema = content["application/json"]["schema"]
        body = sample_with(schema, name, value) if where == "body" else sample(schema)
        return client.generic(method.upper(), url, json.dumps(body), content_type="application/json")
    if "multipart/form-data" in content:
        files = {n: SimpleUploadedFile("a.pdf", b"%PDF-1.4\n") for n in resolve(content["multipart/form-data"]["schema"])["properties"]}
        return client.post(url, files)
    return client.generic(method.upper(), url)


#: (case, what is sent): every integer one past each bound; in JSON bodies also ``true`` and ``"1"``
SENT = [(c, side) for c in CASES for side in ("above", "below", *(("true", "text") if c[4] == "body" else ()))]


@pytest.mark.parametrize(("case", "side"), SENT, ids=[f"{side}-{c[0]}" for c, side in SENT])
def test_out_of_range_or_lax_integer_is_a_4xx_naming_the_field(operator_client, case, side):
    _, method, path, op, where, name, schema = case
    assert "maximum" in schema and "minimum" in schema, "every integer a client sends needs documented bounds"
    assert schema["maximum"] <= MAX_ID, "a bound beyond the database's range does not protect it"
    value = {"above": schema["maximum"] + 1, "below": schema["minimum"] - 1, "true": True, "text": str(sample(schema))}[side]
    r = _request(operator_client, method, path, op, where, name, value)
    assert 400 <= r.status_code < 500, (r.status_code, r.content[:300])
    data = r.json()
    expected = name if isinstance(name, str) else field_name(name)
    assert data["field"] == expected and expected in data["message"], data
    assert "Input should" not in data["message"], "the reason is said in Chinese"


def test_the_probes_of_issue_17_are_refused_with_chinese_messages(operator_client):
    r = operator_client.get("/api/v1/certificates/commitments", {"cert_id": 2**63})
    assert r.status_code == 422 and r.json()["field"] == "cert_id"
    assert r.json()["message"] == f"字段 cert_id 不正确：不能大于 {MAX_ID}"
    r = operator_client.get("/api/v1/certificates/fees/statement", {"org_id": 2**63})
    assert r.status_code == 422 and r.json()["field"] == "org_id"
    for year in (10000, 2**31, 1999):
        r = operator_client.post("/api/v1/bridge/reports", {"year": year, "quarter": 1}, content_type="application/json")
        assert r.status_code == 422 and r.json()["field"] == "year", r.json()
    assert "不能大于 2100" in operator_client.post(
        "/api/v1/bridge/reports", {"year": 10000, "quarter": 1}, content_type="application/json").json()["message"]
