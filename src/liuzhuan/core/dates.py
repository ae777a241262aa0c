"""Dates and working days (chinesecalendar). Pure module: no Django import."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar

CHINA_TZ = ZoneInfo("Asia/Shanghai")


class CalendarNotCovered(ValueError):
    """The official holiday calendar does not cover this year yet (``is_workday(strict=True)``)."""

    def __init__(self, day: dt.date):
        self.day = day
        super().__init__(
            f"节假日日历尚未覆盖 {day.year} 年（{day.isoformat()}），请升级 chinesecalendar 或人工确认工作日"
        )


def calendar_covers(day: dt.date) -> bool:
    """Whether the official holiday calendar (chinesecalendar) has ``day``'s year."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def today_china(now: dt.datetime | None = None) -> dt.date:
    """Today's date in Beijing time (the business day of every record)."""
    now = now or dt.datetime.now(tz=CHINA_TZ)
    return now.astimezone(CHINA_TZ).date()


#: statutory holidays on fixed solar dates (全国年节及纪念日放假办法, art. 2)
_FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)})


def is_workday(day: dt.date, *, strict: bool = False) -> bool:
    """A working day by the State Council's holiday calendar. For a year the calendar does not
    cover yet (it is published each November; chinesecalendar 1.11 ends with 2026), Monday to
    Friday count except the fixed-date statutory holidays (元旦, 劳动节, 国庆 1–3 October) — a
    deadline may then fall on a lunar holiday or an adjusted day, never into a crash of the daily
    batch or a set-off run on 1 January. ``strict`` raises ``CalendarNotCovered`` instead."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError as exc:
        if strict:
            raise CalendarNotCovered(day) from exc
        return day.weekday() < 5 and (day.month, day.day) not in _FIXED_HOLIDAYS


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
