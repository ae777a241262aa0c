"""System checks (``manage.py check``, run by ``migrate`` and the server at start-up)."""

from __future__ import annotations

import sqlite3

from django.conf import settings
from django.core.checks import Error, register

#: ``INSERT … RETURNING`` and ``UPDATE … RETURNING`` (core/sql.py, core/numbers.py) need 3.35
SQLITE_MIN = (3, 35, 0)


@register()
def sqlite_returning(app_configs=None, sqlite_version=None, engines=None, **kwargs):
    """Refuse to start on a SQLite library too old for RETURNING, instead of failing every write."""
    version = sqlite_version or sqlite3.sqlite_version_info
    engines = engines if engines is not None else [db.get("ENGINE", "") for db in settings.DATABASES.values()]
    uses_sqlite = any("sqlite" in engine for engine in engines)
    if uses_sqlite and tuple(version) < SQLITE_MIN:
        return [Error(
            f"SQLite {'.'.join(map(str, version))} is too old: liuzhuan needs {'.'.join(map(str, SQLITE_MIN))} or newer "
            "(RETURNING); use a newer Python build or PostgreSQL (DATABASE_URL).",
            id="liuzhuan.E001",
        )]
    return []
