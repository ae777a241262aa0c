"""One dashboard per department (信息化监管平台): which sections each department reads, whose
dashboard a user opens by default, and the panels other apps provide.

Department of an organisation: its ``department`` field where the operator set one; otherwise the
finance bureau by its role (``Role.BUREAU``), and any other oversight organisation (the operator,
a regulator with no department recorded) the general 监管部门 view, which shows every section.

Panels from apps this package does not import (housing pool, merchants): any installed app may
have an ``oversight.py`` module with ``PANELS``, a list of dicts
``{"key": "housing", "title": "存量房盘活", "figures": callable(today) -> [{"label", "count", "fen", "url"}]}``
(``count``/``fen``/``url`` may be None). Supervision finds them by name (``core.discovery``), so
those apps never import supervision and supervision never imports them. A department asks for a
panel by key; while no app provides it, the dashboard says so instead of showing a zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from liuzhuan.core.discovery import app_modules
from liuzhuan.core.roles import DEPARTMENT_LABELS, Department, Role
from liuzhuan.members.models import User


@dataclass(frozen=True)
class Dept:
    key: Department
    sections: tuple[str, ...]
    panels: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return DEPARTMENT_LABELS[self.key]


#: panel keys a department expects from other apps, with what the placeholder says until one answers
PANEL_TITLES = {"housing": "存量房盘活（房源池去化）", "market": "特约商户与消费抵付"}

DEPARTMENTS: dict[str, Dept] = {d.key.value: d for d in (
    Dept(Department.FINANCE, ("bridge", "fees", "certificates", "trends")),
    Dept(Department.HOUSING, ("offset", "certificates", "trends"), ("housing",)),
    Dept(Department.MARKET, ("offset", "members", "certificates", "trends"), ("market",)),
    Dept(Department.LEADING_GROUP, ("certificates", "setoff", "bridge", "trends"), ("housing", "market")),
    Dept(Department.REGULATOR, ("certificates", "fees", "setoff", "bridge", "offset", "members", "trends"),
         ("housing", "market")),
)}


def department_of(user: User) -> Dept:
    org = user.organisation
    if org.department in DEPARTMENTS:
        return DEPARTMENTS[org.department]
    if org.has_role(Role.BUREAU):
        return DEPARTMENTS[Department.FINANCE]
    return DEPARTMENTS[Department.REGULATOR]


def providers() -> dict[str, dict]:
    """Panels other apps provide, by key (first provider of a key wins, in INSTALLED_APPS order)."""
    found: dict[str, dict] = {}
    for _config, module in app_modules("oversight"):
        for panel in getattr(module, "PANELS", ()):
            found.setdefault(panel["key"], panel)
    return found


def panels(dept: Dept, today: dt.date) -> list[dict]:
    """The department's provided panels with their figures now, or a placeholder for each missing one."""
    have = providers()
    out = []
    for key in dept.panels:
        panel = have.get(key)
        if panel is None:
            out.append({"key": key, "title": PANEL_TITLES.get(key, key), "figures": None})
        else:
            out.append({"key": key, "title": panel.get("title", PANEL_TITLES.get(key, key)),
                        "figures": list(panel["figures"](today))})
    return out
