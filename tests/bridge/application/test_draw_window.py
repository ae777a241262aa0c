"""When bridge money may be drawn (pure rules, no database): around the original loan's maturity —
no earlier than 5 working days before its due date (official holiday calendar) and not after it."""

import datetime as dt

from liuzhuan.bridge.application.rules import (
    DRAW_WINDOW_WORKDAYS,
    compact_account,
    draw_window_refusal,
    earliest_draw,
    overdue_refusal,
)

D = dt.date


def test_window_is_five_working_days():
    assert DRAW_WINDOW_WORKDAYS == 5
    assert earliest_draw(D(2026, 3, 9)) == D(2026, 3, 2)  # Monday back to Monday: a plain week
    assert earliest_draw(D(2026, 3, 10)) == D(2026, 3, 3)


def test_holidays_do_not_count():
    """Due Friday 9 October 2026: the National Day and Mid-Autumn holidays (25–27 Sept, 1–7 Oct) are
    skipped, so the window opens on Thursday 24 September."""
    assert earliest_draw(D(2026, 10, 9)) == D(2026, 9, 24)


def test_years_the_calendar_does_not_cover_count_weekdays():
    assert earliest_draw(D(2031, 3, 3)) == D(2031, 2, 24)


def test_refusals():
    due = D(2026, 3, 9)
    assert draw_window_refusal(D(2026, 3, 2), due) is None
    assert draw_window_refusal(due, due) is None
    assert "最早 2026-03-02" in draw_window_refusal(D(2026, 2, 27), due)
    assert "正常类" in draw_window_refusal(D(2026, 3, 10), due)
    assert "最早" in draw_window_refusal(due - dt.timedelta(days=300), due)
    assert overdue_refusal(due, due) is None
    assert "逾期" in overdue_refusal(due, due + dt.timedelta(days=90))


def test_account_numbers_compare_without_spaces():
    assert compact_account(" 6228 0000\t1111 ") == "622800001111"
