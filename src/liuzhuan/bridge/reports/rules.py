"""The reporting calendar (第二十四条): quarters, and the due date ten days after a quarter ends.
Pure module: no Django import."""

from __future__ import annotations

import calendar
import datetime as dt

REPORT_DUE_DAYS = 10  # 季度终了后 10 日内


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    return dt.date(year, first_month, 1), dt.date(year, last_month, calendar.monthrange(year, last_month)[1])


def due_date(year: int, quarter: int) -> dt.date:
    return quarter_bounds(year, quarter)[1] + dt.timedelta(days=REPORT_DUE_DAYS)


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def previous_quarter(day: dt.date) -> tuple[int, int]:
    year, q = quarter_of(day)
    return (year - 1, 4) if q == 1 else (year, q - 1)


def finished_quarters(since: dt.date, today: dt.date) -> list[tuple[int, int]]:
    """Every quarter from the one containing ``since`` that has ended before ``today``, oldest first."""
    out: list[tuple[int, int]] = []
    year, q = quarter_of(since)
    last = previous_quarter(today)
    while (year, q) <= last:
        out.append((year, q))
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return out
