"""core.months: the month of a date or a moment grouped by the database (China time), the same
answer on SQLite and PostgreSQL as Django's TruncMonth, without a Python call per row."""

import datetime as dt

import pytest
from django.db.models import DateField, DateTimeField, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone

from liuzhuan.core.months import MonthOf, month_end, monthly, months_back, since
from liuzhuan.core.roles import Role

from ..conftest import make_org

UTC = dt.UTC


def month_of(value, field):
    """(MonthOf, TruncMonth) of ``value`` as the database computes them."""
    row = (type(make_org("某公司", Role.MEMBER)).objects.annotate(
        m=MonthOf(Value(value, output_field=field())), t=TruncMonth(Value(value, output_field=field())))
        .values("m", "t").first())
    return row["m"], row["t"]


@pytest.mark.django_db
@pytest.mark.parametrize("moment, month", [
    (dt.datetime(2026, 10, 31, 15, 59, 59, tzinfo=UTC), "2026-10"),  # 23:59:59 on 31 October in Beijing
    (dt.datetime(2026, 10, 31, 16, 0, 0, tzinfo=UTC), "2026-11"),  # 00:00 on 1 November in Beijing
    (dt.datetime(2026, 12, 31, 16, 30, tzinfo=UTC), "2027-01"),  # the year turns too
    (dt.datetime(2026, 3, 1, 0, 0, tzinfo=UTC), "2026-03"),
])
def test_a_moment_falls_in_its_china_month(moment, month):
    got, trunc = month_of(moment, DateTimeField)
    assert got == month
    assert timezone.localtime(trunc).strftime("%Y-%m") == month  # the same month as Django's own grouping


@pytest.mark.django_db
@pytest.mark.parametrize("day", [dt.date(2026, 1, 1), dt.date(2026, 2, 28), dt.date(2024, 2, 29), dt.date(2026, 12, 31)])
def test_a_date_falls_in_its_month(day):
    got, trunc = month_of(day, DateField)
    assert got == day.strftime("%Y-%m") == trunc.strftime("%Y-%m")


def test_months_back_and_month_end():
    assert months_back(dt.date(2026, 2, 17), 4) == [dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    assert month_end(dt.date(2024, 2, 1)) == dt.date(2024, 2, 29) and month_end(dt.date(2026, 12, 1)) == dt.date(2026, 12, 31)


def test_monthly_places_rows_and_fills_gaps():
    months = months_back(dt.date(2026, 3, 5), 3)
    rows = [{"month": "2026-03", "n": 5}, {"month": "2026-01", "n": None}, {"month": "2025-06", "n": 9}]
    assert monthly(rows, months, "n") == [0, 0, 5]  # None counts as 0; a month outside the window is dropped


def test_since_is_midnight_in_china():
    start = since(dt.date(2026, 11, 1))
    assert start.astimezone(UTC) == dt.datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
