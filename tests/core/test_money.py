from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liuzhuan.core.money import (
    INT64_MAX,
    MoneyError,
    apply_rate,
    capital,
    format_plain,
    format_yuan,
    largest_remainder_split,
    parse_fen,
    parse_yuan,
)


@pytest.mark.parametrize(
    ("text", "fen"),
    [("12,345.67", 1234567), ("12345.6", 1234560), ("￥12,345.67", 1234567), ("¥0.01", 1), ("100", 10000),
     (" 1,000,000.00 ", 100000000), ("12345.60元", 1234560), (".5", 50)],
)
def test_parse_yuan_exact(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    ("text", "code"),
    [("1.234", "too_precise"), ("-5", "negative_amount"), ("abc", "invalid_amount"), ("", "empty_amount"),
     ("1,23.00", "invalid_amount"), ("1e5", "invalid_amount"), ("NaN", "invalid_amount")],
)
def test_parse_yuan_refuses(text, code):
    with pytest.raises(MoneyError) as exc:
        parse_yuan(text)
    assert exc.value.code == code


def test_trailing_zero_decimals_are_not_over_precise():
    assert parse_yuan("1.2300") == 123


def test_ceiling_and_zero():
    with pytest.raises(MoneyError) as exc:
        parse_yuan("1000.01", ceiling_fen=100000)
    assert exc.value.code == "amount_too_large"
    assert parse_yuan("1000.00", ceiling_fen=100000) == 100000
    with pytest.raises(MoneyError):
        parse_yuan("0", allow_zero=False)
    assert parse_yuan("-3.5", allow_negative=True) == -350


def test_parse_fen():
    assert parse_fen("123") == 123
    with pytest.raises(MoneyError):
        parse_fen("1.5")
    with pytest.raises(MoneyError):
        parse_fen(str(INT64_MAX + 1), ceiling_fen=None)


def test_format():
    assert format_yuan(1234567) == "¥12,345.67"
    assert format_yuan(-5) == "-¥0.05"
    assert format_plain(100) == "1.00"


@pytest.mark.parametrize(
    ("fen", "text"),
    [(1234567, "壹万贰仟叁佰肆拾伍元陆角柒分"), (100, "壹元整"), (0, "零元整"), (1050, "壹拾元伍角")],
)
def test_capital(fen, text):
    assert capital(fen) == text


def test_apply_rate_half_up():
    assert apply_rate(100000, Decimal("0.000335")) == 34  # 33.5 → 34 (half up, not banker's)
    assert apply_rate(100000, Decimal("0.000325")) == 33  # 32.5 → 33


@given(st.integers(min_value=0, max_value=10**15))
def test_format_parse_roundtrip(fen):
    assert parse_yuan(format_yuan(fen), ceiling_fen=None) == fen
    assert parse_yuan(format_plain(fen), ceiling_fen=None) == fen


@given(st.integers(min_value=0, max_value=10**12), st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=20))
def test_largest_remainder_split_sums(total, weights):
    if sum(weights) == 0:
        with pytest.raises(ValueError):
            largest_remainder_split(total, weights)
        return
    parts = largest_remainder_split(total, weights)
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)
    wsum = sum(weights)
    for p, w in zip(parts, weights, strict=True):
        assert abs(p * wsum - total * w) < wsum  # each part within one fen of its exact share


@given(st.integers(min_value=1, max_value=10**14))
def test_capital_never_empty_and_ends_right(fen):
    text = capital(fen)
    assert text.endswith(("分", "角", "整"))
    assert "元" in text or fen < 100
