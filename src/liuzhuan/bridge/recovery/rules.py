"""The sanction for fraud (第十七条): no application is accepted from the organisation for five
years. Pure module: no Django import."""

from __future__ import annotations

import datetime as dt

#: 第十七条: 5 年内不再受理
BAN_YEARS = 5


def add_years(day: dt.date, years: int) -> dt.date:
    """Same month and day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
