"""The home page's set-off card: what waits for this member (confirmations, agreements)."""

from __future__ import annotations

from liuzhuan.core.roles import Role

from . import queries


def dashboard_section(request):
    org = request.user.organisation
    if not org or not org.has_role(Role.MEMBER):
        return None
    return {"title": "债权债务抵销", "template": "setoff/_dashboard_section.html", "context": {
        "counts": queries.register_counts(request.user),
        "agreements": len(queries.awaiting_agreements(request.user)),
    }}
