"""The OpenAPI document describes what the endpoints really take and return.

* Every schema class has a name of its own: django-ninja names a component after its class, so
  two apps' ``ApplicationIn`` became one component and ``POST /certificates/applications`` was
  documented with the bridge fund's body (issue 17 item 3).
* With the demo data loaded, every GET endpoint's real JSON answer, for the users who see it,
  validates against the response schema the document gives for it.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pydantic
import pytest
from django.core.management import call_command
from django.test import Client

import liuzhuan.api  # noqa: F401  (builds the API: every app's schemas are imported)
from liuzhuan.members.actions import issue_api_token
from liuzhuan.members.models import User

from .openapi import document, operations, resolve, sample, validate


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_two_schema_classes_share_a_name():
    by_name = defaultdict(set)
    for cls in _subclasses(pydantic.BaseModel):
        if cls.__module__.startswith("liuzhuan."):
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    duplicates = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert not duplicates, f"rename so each OpenAPI component is one class: {duplicates}"
    assert {"CertificateApplicationIn", "BridgeApplicationIn"} <= set(by_name)


def _operations_by_id() -> dict:
    from liuzhuan.api import api

    def walk(router):
        yield router
        for _, child, *_ in router._routers:
            yield from walk(child)

    return {op.operation_id or api.get_openapi_operation_id(op): op
            for _, top in api._routers for router in walk(top)
            for path_view in router.path_operations.values() for op in path_view.operations}


def test_every_documented_body_is_the_class_its_endpoint_parses():
    components = document()["components"]["schemas"]
    assert "counterparty_id" in components["CertificateApplicationIn"]["properties"]
    bridge_submit = document()["paths"]["/api/v1/bridge/applications"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert "bank_id" in bridge_submit["schema"]["properties"]["data"]["contentSchema"]["properties"]  # a multipart body
    by_id = _operations_by_id()
    checked = 0
    for method, path, op in operations():
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body is None:
            continue
        parsed = [field.annotation for model in by_id[op["operationId"]].models
                  if model.__ninja_param_source__ == "body" for field in model.model_fields.values()]
        assert len(parsed) == 1, (method, path, parsed)
        assert resolve(body["schema"])["title"] == parsed[0].__name__, (method, path)
        assert resolve(body["schema"]) == components[parsed[0].__name__] and set(resolve(body["schema"]).get(
            "properties", {})) == set(parsed[0].model_fields), (method, path)
        checked += 1
    assert checked > 50


#: demo users whose views together reach every GET endpoint
USERS = ["op_clerk", "op_checker", "czj_liu", "jg_sun", "bank1_zhou", "xt_zheng", "hp_chen", "xc_huang", "wjf_he",
         "sme02_boss", "sme03_boss", "sme07_boss", "sme10_boss"]
#: path parameter → (list endpoint, field of its items) where the id does not come from the list above it
ID_SOURCES = {"cert_id": ("/api/v1/certificates/pieces", "certificate_id")}
#: GET endpoints the demo data cannot reach, with the reason (kept short: each is a hole in the test)
UNREACHED: dict[str, str] = {}
#: lists the demo leaves empty (their items' schema is not exercised here; the app's own tests call them)
EMPTY_IN_DEMO = {
    "/api/v1/bridge/agreements/{agreement_id}/history": "no agreement is suspended or terminated in the demo",
    "/api/v1/bridge/fund/resume-requests": "the demo fund is never suspended",
    "/api/v1/bridge/fund/status-changes": "the demo fund is never suspended",
    "/api/v1/certificates/applications/{app_id}/attachments": "demo applications carry no files",
    "/api/v1/certificates/sales": "no sale to a purchase-commitment provider in the demo",
    "/api/v1/setoff/consent": "no standing consent for pledged pieces in the demo",
}


def _json_schema(op: dict) -> dict | None:
    content = op["responses"].get("200", {}).get("content", {})
    return content.get("application/json", {}).get("schema")


def _ids(client: Client, path: str, param: str) -> list:
    if param in ID_SOURCES:
        source, key = ID_SOURCES[param]
    else:
        source, key = path[: path.index("/{" + param + "}")], "id"
    r = client.get(source)
    if r.status_code != 200:
        return []
    items = r.json().get("items", []) if isinstance(r.json(), dict) else r.json()
    return list(dict.fromkeys(item[key] for item in items if item.get(key) is not None))[:3]


@pytest.mark.django_db
def test_every_get_answer_matches_its_documented_schema():
    call_command("demo", quiet_logins=True)
    issue_api_token(User.objects.get(username="op_clerk"), "对账系统", "read")
    gets = [(path, op) for method, path, op in operations() if method == "get" and _json_schema(op) is not None]
    assert len(gets) > 40
    validated = defaultdict(int)
    non_empty = set()
    problems = []
    for username in USERS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        for path, op in gets:
            params = re.findall(r"{(\w+)}", path)
            query = {p["name"]: sample(p["schema"]) for p in op.get("parameters", []) if p["in"] == "query" and p.get("required")}
            urls = [path]
            if len(params) == 1:
                urls = [path.replace("{" + params[0] + "}", str(i)) for i in _ids(client, path, params[0])]
            for url in urls:
                r = client.get(url, query)
                assert r.status_code < 500, (username, url, r.content[:300])
                if r.status_code != 200:
                    continue
                data = r.json()
                found = validate(data, _json_schema(op))
                problems += [f"{username} GET {url}: {p}" for p in found[:3]]
                validated[path] += 1
                if data not in ([], {}) and (not isinstance(data, dict) or data.get("items", True) != []):
                    non_empty.add(path)
    assert not problems, "\n".join(problems[:40])
    # the check has teeth: a bridge application is not what the certificate schema documents
    client = Client()
    client.force_login(User.objects.get(username="xc_huang"))
    bridge_apps = client.get("/api/v1/bridge/applications").json()
    assert bridge_apps["items"] and validate(bridge_apps["items"], resolve(_json_schema(document()["paths"]["/api/v1/certificates/applications"]["get"]))["properties"]["items"])
    missing = {path for path, _ in gets} - set(validated) - set(UNREACHED)
    assert not missing, f"GET endpoints no demo user reached (extend USERS/ID_SOURCES or UNREACHED): {sorted(missing)}"
    empty = {path for path, _ in gets if path.rsplit("/", 1)[-1][:1] != "{"} - non_empty - set(UNREACHED) - set(EMPTY_IN_DEMO)
    assert not empty, f"lists empty for every demo user, so their items were not checked: {sorted(empty)}"
