"""Rules that decide on the fund (30 % halt, resumption, turnover), pure — no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liuzhuan.bridge.fund.rules import (
    may_resume,
    next_suspended,
    should_suspend,
    time_weighted_principal,
    turnover_rate,
    turnover_rate_weighted,
)
from liuzhuan.bridge.rates.common import BridgeError, exposure_ratio

from ..conftest import exact_half_up

D = dt.date


# ---------------------------------------------------------------------------------- risk, turnover


def test_suspend_at_thirty_percent_inclusive():
    fund = 10_000_000_000  # 100 million yuan
    assert not should_suspend(2_999_000_000, fund)  # 29.99 %
    assert should_suspend(3_000_000_000, fund)  # exactly 30 %
    assert should_suspend(3_000_000_001, fund)
    assert exposure_ratio(2_999_000_000, fund) == Decimal("0.2999")
    # one fen below 30 % is below 30 %
    assert not should_suspend(2_999_999_999, fund)


def test_resume_only_below_thirty_percent_with_approval():
    fund = 10_000
    assert next_suspended(False, 3_000, fund) is True
    assert next_suspended(True, 3_000, fund, bureau_approved=True) is True  # 30 % still blocks
    assert may_resume(2_999, fund) and not may_resume(3_000, fund)
    assert next_suspended(True, 2_999, fund) is True  # below 30 % but not yet approved
    assert next_suspended(True, 2_999, fund, bureau_approved=True) is False
    assert next_suspended(False, 2_999, fund) is False
    with pytest.raises(BridgeError):
        should_suspend(1, 0)


def test_turnover_rate_simple_and_time_weighted():
    assert turnover_rate(1_200_000_000, 100_000_000) == Decimal("12.0000")
    assert turnover_rate(1, 3) == Decimal("0.3333")
    # 2025 (365 days): 100 million yuan until 30 June (181 days), 200 million from 1 July (184 days)
    e8, e8x2 = 10_000_000_000, 20_000_000_000
    changes = [(D(2020, 1, 1), e8), (D(2025, 7, 1), e8x2)]
    day_sum = e8 * 181 + e8x2 * 184
    avg = time_weighted_principal(changes, D(2025, 1, 1), D(2025, 12, 31))
    assert avg == Decimal(exact_half_up(Fraction(day_sum * 100, 365))) / 100  # ≈ 150.41 million yuan
    volume = 150_000_000_000  # 1.5 billion yuan lent during the year
    weighted = turnover_rate_weighted(volume, changes, D(2025, 1, 1), D(2025, 12, 31))
    assert weighted == Decimal(exact_half_up(Fraction(volume * 365 * 10_000, day_sum))) / 10_000
    assert weighted == Decimal("9.9727")
    # against the year-end principal the same volume would look like 7.5 turns, against the
    # opening principal 15: the weighted figure sits between them
    assert turnover_rate(volume, e8x2) == Decimal("7.5000")
    assert turnover_rate(volume, e8) == Decimal("15.0000")
    # a change before the period and one after it do not count
    assert time_weighted_principal(
        [(D(2024, 1, 1), e8), (D(2026, 1, 1), e8x2)], D(2025, 1, 1), D(2025, 12, 31)
    ) == Decimal(e8)
    with pytest.raises(BridgeError, match="未知"):
        time_weighted_principal([(D(2025, 2, 1), 100)], D(2025, 1, 1), D(2025, 12, 31))
    with pytest.raises(BridgeError):
        time_weighted_principal(changes, D(2025, 12, 31), D(2025, 1, 1))



@settings(max_examples=200, deadline=None)
@given(risk=st.integers(min_value=0, max_value=10**12), fund=st.integers(min_value=1, max_value=10**12))
def test_prop_suspend_matches_exact_ratio(risk, fund):
    assert should_suspend(risk, fund) == (Fraction(risk, fund) >= Fraction(3, 10))
    assert may_resume(risk, fund) != should_suspend(risk, fund)
