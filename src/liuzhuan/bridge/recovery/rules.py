"""The sanction for fraud (第十七条): no application is accepted from the organisation for five
years. Pure module: no Django import.

How the five years are counted (Civil Code arts. 201–202): the day of the declaration is not
counted, the period starts the next day, and its last day is the day of the fifth year that
corresponds to the declaration day (no such day — 29 February — gives the last day of that
month). A ban declared on 2026-03-02 therefore runs through 2031-03-02 inclusive; applications are
accepted again from 2031-03-03. Art. 203 (a last day on a public holiday moves to the next working
day) is not applied: it lengthens the time a party has to act, and a ban is not such a time.
"""

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


def ban_last_day(declared_on: dt.date, years: int = BAN_YEARS) -> dt.date:
    """The last day (inclusive) on which no application is accepted (Civil Code arts. 201–202)."""
    return add_years(declared_on, years)

