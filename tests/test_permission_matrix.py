"""The permission matrix (issue 17, permanent probes): every page route and every API operation,
asked by every kind of caller, against ``tests/permission_matrix.txt``.

Each cell is what the caller gets, asked with the demo data loaded, object ids 1 and a minimal
valid body (every write is rolled back):

    A  answered (2xx, or a redirect that is not to the login page)
    L  sent to log in (302 to /login/, or 401)
    D  denied (403, or 404: pages and objects of others answer 404 so nothing is revealed)
    M  method not allowed (405: a page that only takes POST)
    V  refused on its merits (400/409/413/415/422: the caller got past the role check)

Two rules hold whatever the file says: nothing answers 5xx, and an anonymous caller gets ``L``
everywhere except the routes in ``PUBLIC``. Then every cell must match the file: a new route
without a row fails, and so does any change of who may do what — review the difference and, if
intended, regenerate with ``LIUZHUAN_WRITE_MATRIX=1 pytest tests/test_permission_matrix.py``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import get_resolver
from django.urls.resolvers import URLResolver

from liuzhuan.members.models import User

from .openapi import operations, sample

MATRIX = Path(__file__).with_name("permission_matrix.txt")
#: who asks: column name → demo username (None: anonymous)
CALLERS = {"anon": None, "member": "sme02_boss", "bank": "bank1_zhou", "purchaser": "xt_zheng",
           "operator": "op_clerk", "regulator": "jg_sun", "bureau": "czj_liu", "fund": "xc_huang"}
#: routes anyone may use without signing in
PUBLIC = {"GET /", "GET /login/", "GET /healthz", "GET /robots.txt", "GET /favicon.ico", "GET /verify/<str:number>",
          "GET /members/register/", "GET /api/v1/csrf", "GET /api/v1/openapi.json", "GET /api/v1/docs",
          "POST /api/v1/registrations"}
#: sample values for string path parameters of pages
PAGE_PARAMS = {"verb": "accept", "fmt": "csv", "number": "LZ2026000001M-001", "dept": "finance"}


def _page_routes() -> list[str]:
    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    return [r for r in walk(get_resolver()) if not r.startswith(("api/v1/", "static/"))]


def _page_url(route: str) -> str:
    def value(m):
        kind, name = m.group(1), m.group(2)
        return "1" if kind == "int" else PAGE_PARAMS.get(name, "x")

    return "/" + re.sub(r"<(\w+):(\w+)>", value, route)


def _category(response) -> str:
    status = response.status_code
    if status >= 500:
        return "E"
    if status == 401 or (status == 302 and "/login/" in response.get("Location", "")):
        return "L"
    if status < 400:
        return "A"
    if status in (403, 404):
        return "D"
    if status == 405:
        return "M"
    return "V"


def _requests():
    """(row key, method, url, body) for every page route (GET) and API operation."""
    for route in _page_routes():
        yield f"GET /{route}", "get", _page_url(route), None
    for method, path, op in operations():
        url = re.sub(r"{\w+}", "1", path)
        query = {p["name"]: sample(p["schema"]) for p in op.get("parameters", []) if p["in"] == "query" and p.get("required")}
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        content = op.get("requestBody", {}).get("content", {})
        body = sample(content["application/json"]["schema"]) if "application/json" in content else None
        yield f"{method.upper()} {path}", method, url, body


def _ask(client: Client, method: str, url: str, body) -> str:
    with transaction.atomic():
        if method == "get":
            response = client.get(url)
        else:
            response = client.generic(method.upper(), url, json.dumps(body if body is not None else {}),
                                      content_type="application/json")
        transaction.set_rollback(True)  # a write that went through changes nothing for the next cell
    return _category(response)


def _read_matrix() -> dict[str, dict[str, str]]:
    rows = {}
    for line in MATRIX.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, cells = line.rsplit(None, 1)
        rows[key.strip()] = dict(zip(CALLERS, cells, strict=True))
    return rows


def _write_matrix(observed: dict[str, dict[str, str]]) -> None:
    width = max(len(k) for k in observed) + 2
    lines = ["# Who may use what: see tests/test_permission_matrix.py for the letters.",
             f"# {'route'.ljust(width - 2)}{''.join(c[0] for c in CALLERS)}   (columns: {', '.join(CALLERS)})"]
    lines += [f"{key.ljust(width)}{''.join(cells[c] for c in CALLERS)}" for key, cells in observed.items()]
    MATRIX.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.django_db(transaction=True, reset_sequences=True)  # ids from 1 on PostgreSQL too
def test_every_route_for_every_caller_matches_the_matrix():
    call_command("demo", quiet_logins=True)
    clients = {}
    for name, username in CALLERS.items():
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        clients[name] = client
    observed: dict[str, dict[str, str]] = {}
    for key, method, url, body in _requests():
        observed[key] = {name: _ask(client, method, url, body) for name, client in clients.items()}

    errors = [f"{key}: 5xx for {[c for c, v in cells.items() if v == 'E']}" for key, cells in observed.items()
              if "E" in cells.values()]
    errors += [f"{key}: anonymous got {cells['anon']}" for key, cells in observed.items()
               if key not in PUBLIC and cells["anon"] != "L"]
    assert not errors, "\n".join(errors)
    assert len(observed) > 200

    if os.environ.get("LIUZHUAN_WRITE_MATRIX") == "1":
        _write_matrix(observed)
    expected = _read_matrix()
    missing = sorted(set(observed) - set(expected))
    stale = sorted(set(expected) - set(observed))
    changed = [f"{key}: expected {''.join(expected[key].values())}, got {''.join(cells.values())}"
               for key, cells in observed.items() if key in expected and cells != expected[key]]
    assert not (missing or stale or changed), (
        f"routes without a row: {missing}\nrows for routes that no longer exist: {stale}\n"
        "changed (columns " + ", ".join(CALLERS) + "):\n" + "\n".join(changed))
