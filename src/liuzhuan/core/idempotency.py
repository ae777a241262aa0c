"""``Idempotency-Key`` on API writes: a client that retries a POST after a timeout must not
transfer twice. The first request with a key runs inside one transaction together with the row
that stores its answer; a retry with the same key and the same request gets that answer back
(header ``Idempotent-Replayed: true``) and changes nothing; the same key with a different request
is refused (422). A concurrent duplicate waits on the key's unique index and then replays.

Answers that are not the request's fault or result — 401 (who is asking is unknown) and 5xx —
are not kept: the transaction rolls back and a retry runs afresh. Keys are kept for
``KEEP_HOURS`` and then purged by the daily batch (``core.jobs``).
"""

from __future__ import annotations

import hashlib
import re

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse

HEADER = "HTTP_IDEMPOTENCY_KEY"
KEEP_HOURS = 24
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_KEY = re.compile(r"[\x21-\x7e]{1,64}")  # visible ASCII, like the IETF draft's examples (UUIDs)


class _NotKept(Exception):
    def __init__(self, response):
        self.response = response


def _scope(request) -> str | None:
    """Whose key space: a signed-in session's user, or the Bearer token (hashed; the token is
    checked by the view itself — an invalid one answers 401, which is not kept)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u:{user.pk}"
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth.lower().startswith("bearer ") and len(auth) > 7:
        return "t:" + hashlib.sha256(auth[7:].strip().encode()).hexdigest()[:64]
    return None


def _error(message: str, status: int, code: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "field": "Idempotency-Key"}, status=status)


def _replay(row, request_hash: str) -> HttpResponse:
    if row.request_hash != request_hash:
        return _error("同一幂等键已用于另一笔不同的请求；请为新请求使用新的 Idempotency-Key", 422, "idempotency_key_reused")
    response = HttpResponse(bytes(row.body), status=row.status, content_type=row.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get(HEADER)
        if key is None or request.method not in _WRITES or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not _KEY.fullmatch(key):
            return _error("Idempotency-Key 须为 1–64 个可见 ASCII 字符（建议使用 UUID）", 400, "invalid_idempotency_key")
        scope = _scope(request)
        if scope is None:
            return self.get_response(request)  # anonymous: the view answers 401 (or is public)
        digest = hashlib.sha256()
        for part in (request.method, request.get_full_path(), request.content_type or ""):
            digest.update(part.encode() + b"\0")
        digest.update(request.body)
        request_hash = digest.hexdigest()

        from .models import IdempotencyKey

        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        row = IdempotencyKey.objects.create(scope=scope, key=key, request_hash=request_hash,
                                                            status=0, content_type="", body=b"")
                except IntegrityError:
                    row = None
                if row is None:  # answered before, or a concurrent duplicate that has now committed
                    return _replay(IdempotencyKey.objects.get(scope=scope, key=key), request_hash)
                response = self.get_response(request)
                if response.status_code == 401 or response.status_code >= 500 or response.streaming:
                    raise _NotKept(response)
                row.status = response.status_code
                row.content_type = response.get("Content-Type", "application/json")
                row.body = response.content
                row.save(update_fields=["status", "content_type", "body"])
                return response
        except _NotKept as not_kept:
            return not_kept.response

