"""Issuance rules that need no database (pure: no Django import)."""

from __future__ import annotations

import datetime as dt

#: a certificate's maturity (清偿期限) is at most this many years after the application day
MAX_TERM_YEARS = 5


def latest_maturity(today: dt.date) -> dt.date:
    """The last maturity an application made ``today`` may ask for (29 February → 28 February)."""
    try:
        return today.replace(year=today.year + MAX_TERM_YEARS)
    except ValueError:
        return today.replace(year=today.year + MAX_TERM_YEARS, day=28)


MATURITY_TEXT = f"清偿期限（YYYY-MM-DD）：晚于申请日，至多为申请日起 {MAX_TERM_YEARS} 年"
