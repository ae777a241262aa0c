import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liuzhuan.core.dates import (
    CalendarNotCovered,
    add_workdays,
    calendar_covers,
    days_inclusive,
    is_workday,
    parse_iso_date,
    workdays_between,
)


def test_national_day_is_not_workday():
    assert not is_workday(dt.date(2025, 10, 1))
    assert is_workday(dt.date(2025, 9, 30))


def test_adjusted_weekend_workday():
    # 2025-09-28 (Sunday) was an adjusted working day before the National Day holiday
    assert is_workday(dt.date(2025, 9, 28))


def test_add_workdays_skips_holiday():
    assert add_workdays(dt.date(2025, 9, 30), 1) == dt.date(2025, 10, 9)


def test_uncovered_year_has_clear_error_when_strict():
    with pytest.raises(CalendarNotCovered) as exc:
        is_workday(dt.date(2099, 1, 5), strict=True)
    assert "2099" in str(exc.value)


def test_uncovered_year_counts_monday_to_friday():
    """chinesecalendar ends with 2026: a set-off deadline set in late December must not crash."""
    assert not calendar_covers(dt.date(2027, 1, 4)) and calendar_covers(dt.date(2026, 12, 31))
    assert is_workday(dt.date(2027, 1, 4)) and not is_workday(dt.date(2027, 1, 9))  # Monday, Saturday
    assert not is_workday(dt.date(2027, 1, 1)) and not is_workday(dt.date(2027, 10, 1))  # Friday holidays
    # 2026-12-28 (Mon) + 5 working days crosses into the uncovered year, over New Year's Day
    assert add_workdays(dt.date(2026, 12, 28), 5) == dt.date(2027, 1, 5)


def test_days_inclusive_counts_both_ends():
    assert days_inclusive(dt.date(2026, 3, 1), dt.date(2026, 3, 10)) == 10
    assert days_inclusive(dt.date(2026, 3, 1), dt.date(2026, 3, 1)) == 1


def test_parse_iso_date_error_names_field():
    with pytest.raises(ValueError, match="maturity"):
        parse_iso_date("2026-13-01", "maturity")


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2025, 12, 1)), st.integers(min_value=0, max_value=20))
def test_add_workdays_lands_on_workday(day, n):
    result = add_workdays(day, n)
    assert is_workday(result)
    assert workdays_between(day, result) >= n
