"""Every error is answered in the shape its reader expects (issue 17 item 8, issue 18): JSON
``{code, message, field}`` under /api/ whatever failed (an unknown path, a malformed multipart
body, an unexpected exception), a Chinese page elsewhere; and the OpenAPI document lists the
error answers each operation really gives."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.openapi import document, operations, resolve

pytestmark = pytest.mark.django_db


def _ref(response: dict) -> str:
    return response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]


def test_every_operation_documents_its_error_answers():
    ops = operations()
    assert len(ops) > 100
    for method, path, op in ops:
        responses = op["responses"]
        where = f"{method.upper()} {path}"
        for status in ("400", "403", "404", "409"):
            assert _ref(responses[status]) == "ApiError", where
        assert "422" in responses, where  # ApiValidationError unless the operation documents its own
        assert ("401" in responses) == bool(op.get("security")), where
        body = op.get("requestBody", {}).get("content", {})
        assert ("413" in responses) == bool(body), where
        assert ("415" in responses) == ("application/json" in body), where
    error = resolve({"$ref": "#/components/schemas/ApiError"})
    assert set(error["required"]) == {"code", "message"}
    assert "errors" in resolve({"$ref": "#/components/schemas/ApiValidationError"})["properties"]
    # the anonymous CSRF endpoint has no 401, a member write endpoint has one
    paths = document()["paths"]
    assert "401" not in paths["/api/v1/csrf"]["get"]["responses"]


def test_unknown_api_path_is_a_json_404(world):
    client = Client()
    client.force_login(world.alice)
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"code": "not_found", "message": "页面不存在", "field": None}


def test_unknown_page_is_a_chinese_page(world):
    for client in (Client(), Client()):
        response = client.get("/certificates/no-such-page/")
        assert response.status_code == 404
        text = response.content.decode()
        assert "页面不存在" in text and "Not Found" not in text
        client.force_login(world.alice)


def test_page_hidden_from_a_role_answers_in_chinese(world):
    """A member opening an operator page gets 404 (nothing revealed) — in Chinese."""
    client = Client()
    client.force_login(world.alice)
    response = client.get("/supervision/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_malformed_multipart_upload_is_a_json_400(world):
    client = Client()
    client.force_login(world.alice)
    token = client.get("/api/v1/csrf").json()["csrftoken"]
    response = client.generic(
        "POST", "/api/v1/setoff/obligations/import", b"--xx\r\nContent-Disposition: form-data; name=\"file\"\r\n",
        content_type="multipart/form-data; boundary=", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "bad_request"


def test_unexpected_api_failure_is_json_and_changes_nothing(world, monkeypatch):
    import liuzhuan.api

    def broken(request):
        raise RuntimeError("boom")

    monkeypatch.setattr(liuzhuan.api, "get_token", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/csrf")
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "server_error" and "错误已记录" in body["message"]
    assert "boom" not in response.content.decode()  # no internals leak


def test_unexpected_page_failure_is_a_chinese_page(monkeypatch):
    import liuzhuan.core.views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(liuzhuan.core.views, "JsonResponse", broken)
    response = Client(raise_request_exception=False).get("/healthz")
    assert response.status_code == 500
    text = response.content.decode()
    assert "系统出错" in text and "boom" not in text


def test_the_served_document_has_one_key_per_status(world):
    """Ninja keys its own answers by int and JSON turns both into the same string: a duplicate
    key made Swagger UI (js-yaml) refuse the whole document."""
    import json

    client = Client()
    client.force_login(world.alice)
    raw = client.get("/api/v1/openapi.json").content

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
        return dict(pairs)

    json.loads(raw, object_pairs_hook=no_duplicates)
