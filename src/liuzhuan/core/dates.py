"""Dates and working days (chinesecalendar). Pure module: no Django import."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar

CHINA_TZ = ZoneInfo("Asia/Shanghai")


class CalendarNotCovered(ValueError):
    """The official holiday calendar does not cover this year yet."""

    def __init__(self, day: dt.date):
        self.day = day
        super().__init__(
            f"节假日日历尚未覆盖 {day.year} 年（{day.isoformat()}），请升级 chinesecalendar 或人工确认工作日"
        )


def today_china(now: dt.datetime | None = None) -> dt.date:
    """Today's date in Beijing time (the business day of every record)."""
    now = now or dt.datetime.now(tz=CHINA_TZ)
    return now.astimezone(CHINA_TZ).date()


def is_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError as exc:
        raise CalendarNotCovered(day) from exc


def add_workdays(day: dt.date, n: int) -> dt.date:
    """The n-th working day after ``day`` (n ≥ 0; n = 0 gives the next working day on or after)."""
    if n < 0:
        raise ValueError("n must be non-negative")
    current = day
    while not is_workday(current):
        current += dt.timedelta(days=1)
    while n > 0:
        current += dt.timedelta(days=1)
        if is_workday(current):
            n -= 1
    return current


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in [start, end], both ends included."""
    if end < start:
        return 0
    count = 0
    day = start
    while day <= end:
        count += is_workday(day)
        day += dt.timedelta(days=1)
    return count


def days_inclusive(start: dt.date, end: dt.date) -> int:
    """Days counting both the first and the last day (算头又算尾)."""
    return (end - start).days + 1


def parse_iso_date(text: str, field: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except (ValueError, AttributeError) as exc:
        raise ValueError(f"{field}: 日期“{text}”格式不正确，应为 YYYY-MM-DD") from exc
