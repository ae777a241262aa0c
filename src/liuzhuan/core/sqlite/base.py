"""Django's SQLite backend, with one change: the placeholder conversion is memoised.

Django writes SQL with ``%s`` placeholders and its SQLite cursor rewrites every statement to
``?`` with a regular expression before running it. The statements of the hot paths are the same
few strings over and over (written SQL in ``core/sql.py``, and the ORM's own), and on a
50-transfer batch the rewriting of the long multi-row INSERTs cost about 5 % of the action's time
(bench/README.md). The rewritten text only depends on the statement, so it is cached.
"""

from __future__ import annotations

from functools import lru_cache

from django.db.backends.sqlite3 import base

#: statements longer than this are rewritten every time rather than kept; with the cache size this
#: bounds the cache at about 256 × 2 × 32 KiB = 16 MiB per process (multi-row INSERTs of up to 500
#: rows and IN lists of up to 500 ids make many distinct long statements)
_MAX_CACHED = 32 * 1024


@lru_cache(maxsize=256)
def _qmark(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query, *, param_names=None):
        if param_names is None and len(query) <= _MAX_CACHED:
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name=None):
        return self.connection.cursor(factory=SQLiteCursorWrapper)
