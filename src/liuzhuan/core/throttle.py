"""Who is asking (the client's address) and how often: a fixed-window counter in the cache.

The public verify page counts requests per client address; the login lockout keys failures by
(username, address). Behind a reverse proxy every request comes from the proxy's address, so
``LIUZHUAN_TRUSTED_PROXIES`` says how many proxies in front append to ``X-Forwarded-For``; the
client is then the entry that many places from the right (entries further left are the client's
own claims and are never trusted).
"""

from __future__ import annotations

import ipaddress
import time

from django.conf import settings
from django.core.cache import caches

#: the cache alias the counters live in (shared by the server's processes, see settings.CACHES)
CACHE_ALIAS = "throttle"


def client_ip(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or the trusted proxies' ``X-Forwarded-For`` entry."""
    remote = (request.META.get("REMOTE_ADDR") or "").strip()
    hops = settings.TRUSTED_PROXIES
    if hops > 0:
        forwarded = [p.strip() for p in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if p.strip()]
        if len(forwarded) >= hops:
            remote = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(remote))
    except ValueError:
        return "unknown"


def hit(scope: str, key: str, *, limit: int, window_seconds: int = 60) -> int | None:
    """Count one request for ``key`` in ``scope``; ``None`` while within ``limit`` per window,
    else the seconds until the window ends (for ``Retry-After``)."""
    now = int(time.time())
    window = now // window_seconds
    name = f"{scope}:{key}:{window}"
    cache = caches[CACHE_ALIAS]
    if cache.add(name, 1, timeout=window_seconds + 1):
        count = 1
    else:
        try:
            count = cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.set(name, 1, timeout=window_seconds + 1)
            count = 1
    if count <= limit:
        return None
    return max(1, (window + 1) * window_seconds - now)
