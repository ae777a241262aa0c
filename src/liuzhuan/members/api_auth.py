"""Who is calling the API: bearer tokens (hashed at rest) and the acting user of a request.

Every app's ``api.py`` imports ``acting_user`` from here; the root ``liuzhuan.api`` only composes
the routers, so no app imports the root and the root imports no app but through discovery.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from liuzhuan.core.errors import PermissionDenied

from .models import TOKEN_PREFIX, ApiToken, TokenScope

#: how precisely a token's "last used" time is kept
LAST_USED_GRANULARITY = dt.timedelta(minutes=5)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer lz_<key_id>_<secret>``; only the secret's SHA-256 is stored."""

    def authenticate(self, request: HttpRequest, token: str):
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
            return None
        _, key_id, secret = parts
        api_token = ApiToken.objects.select_related("user", "user__organisation").filter(key_id=key_id).first()
        if api_token is None or not api_token.is_usable or not api_token.matches(secret):
            return None
        user = api_token.user
        if not user.is_active:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_GRANULARITY:
            # at most one write per token per interval: a read must not take a write lock each time
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = user
        request.token_scope = api_token.scope
        return user


def acting_user(request: HttpRequest, *, write: bool = False):
    """The authenticated user; for a write, a read-only token is refused."""
    user = request.auth
    if write and getattr(request, "token_scope", TokenScope.WRITE) != TokenScope.WRITE:
        raise PermissionDenied("此令牌为只读令牌，不能执行写操作", code="token_read_only")
    return user
