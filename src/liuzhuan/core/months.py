"""Monthly figures: the last twelve months, and the month of a stored date or moment grouped in the
database without a Python function per row.

Django's ``TruncMonth`` on SQLite calls a Python function (``django_datetime_trunc``) for every row
it groups — on 100k transfers ≈ 0.1–0.3 s of a dashboard request — and ``__date`` filters do the
same. ``MonthOf`` is the month as ``'YYYY-MM'`` text from the database's own C functions
(``strftime`` on SQLite, ``to_char`` on PostgreSQL); a moment is read in the site's time zone
(``settings.TIME_ZONE``; Asia/Shanghai has had no daylight saving since 1991, so SQLite gets a fixed
offset). ``since`` turns a first day into the aware moment a ``>=`` filter on a datetime column can
compare with directly (and use an index for).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone


def months_back(today: dt.date, n: int = 12) -> list[dt.date]:
    """First days of the last ``n`` months, oldest first, ending with ``today``'s month."""
    y, m = today.year, today.month
    out = []
    for _ in range(n):
        out.append(dt.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def month_end(first: dt.date) -> dt.date:
    nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def since(day: dt.date) -> dt.datetime:
    """The first moment of ``day`` in the site's time zone (for ``moment__gte``)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _offset_modifier() -> str:
    """The site's UTC offset as an SQLite date modifier ('+8 hours', '+330 minutes')."""
    offset = timezone.get_current_timezone().utcoffset(dt.datetime(2000, 1, 1)) or dt.timedelta()
    return f"{int(offset.total_seconds() // 60):+d} minutes"


class MonthOf(models.Func):
    """``'YYYY-MM'`` of a date or datetime column (a datetime in the site's time zone)."""

    output_field = models.CharField()
    arity = 1

    def _is_moment(self) -> bool:
        return isinstance(self.source_expressions[0].output_field, models.DateTimeField)

    def as_sqlite(self, compiler, connection, **extra):
        # the format and the offset go as parameters: a literal "%" in the SQL would be read as a
        # placeholder by Django's query logging
        sql, params = compiler.compile(self.source_expressions[0])
        if self._is_moment():
            return f"strftime(%s, {sql}, %s)", ("%Y-%m", *params, _offset_modifier())
        return f"strftime(%s, {sql})", ("%Y-%m", *params)

    def as_postgresql(self, compiler, connection, **extra):
        if self._is_moment():
            zone = settings.TIME_ZONE.replace("'", "")
            return self.as_sql(compiler, connection, template=f"to_char(%(expressions)s AT TIME ZONE '{zone}', 'YYYY-MM')", **extra)
        return self.as_sql(compiler, connection, template="to_char(%(expressions)s, 'YYYY-MM')", **extra)


def monthly(rows, months: list[dt.date], key: str, month_key: str = "month") -> list[int]:
    """``rows`` grouped by ``MonthOf`` (``{month_key: 'YYYY-MM', key: n}``) as one figure per month of ``months``."""
    by = {r[month_key]: r[key] or 0 for r in rows}
    return [by.get(m.strftime("%Y-%m"), 0) for m in months]
