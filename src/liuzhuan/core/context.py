"""Navigation by role for the base template."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.urls import reverse

from .roles import Role

# (label, url name, roles that see it; empty = every signed-in user)
NAV_ITEMS: list[tuple[str, str, frozenset[str]]] = [
    ("工作台", "home", frozenset()),
    ("会员审核", "members:review_queue", frozenset({Role.OPERATOR})),
    ("机构管理", "members:org_list", frozenset({Role.OPERATOR, Role.REGULATOR, Role.BUREAU})),
    ("本机构", "members:my_org", frozenset()),
    ("审计日志", "supervision:events", frozenset({Role.OPERATOR, Role.REGULATOR, Role.BUREAU})),
    ("通知", "members:inbox", frozenset()),
    ("API 令牌", "members:tokens", frozenset()),
]

#: apps that add nav entries register them here at import time
EXTRA_NAV: list[tuple[str, str, frozenset[str]]] = []

#: apps that add a count badge to the page header register a function here at import time:
#: request -> {"label", "url", "count"} or None (keep it to a query or a few; it runs on every page)
HEADER_BADGES: list[Callable[[HttpRequest], dict | None]] = []


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated or not getattr(user, "organisation_id", None):
        return {"nav_items": []}
    org = user.organisation
    items = []
    for label, name, roles in [*NAV_ITEMS[:3], *EXTRA_NAV, *NAV_ITEMS[3:]]:
        if roles and not org.has_any_role(roles):
            continue
        items.append({"label": label, "url": reverse(name), "active": False})
    # Highlight only the most specific entry whose URL prefixes the current path.
    matches = [i for i in items if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    unread = org.notifications.filter(acknowledged_at__isnull=True).count()
    badges = [b for b in (badge(request) for badge in HEADER_BADGES) if b]
    return {"nav_items": items, "unread_count": unread, "current_org": org, "header_badges": badges}
