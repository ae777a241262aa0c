"""Rules that price a bridge loan (桐城市中小企业续贷过桥资金管理办法), pure — no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liuzhuan.bridge.rates.common import BridgeError
from liuzhuan.bridge.rates.fees import (
    BINDING_BOTH,
    BINDING_DAILY,
    BINDING_LPR,
    MODE_ENTRUSTED,
    RATE_PLACES,
    annual_to_daily,
    cap_daily_rate,
    check_basis,
    check_days,
    contract_lpr,
    daily_to_annual,
    entrusted_daily_rate,
    fee_fen,
    fee_fen_from_annual,
    max_amount_fen,
    usage_days,
)
from liuzhuan.bridge.rates.lpr import (
    LprRow,
    LprTable,
    LprUnavailable,
    jan1_lpr,
    load_lpr_csv,
    lpr_on,
    parse_lpr_csv,
    shipped_table,
)
from liuzhuan.bridge.rates.penalty import check_penalty_rate, overdue_days, penalty_fen, penalty_rate_cap
from liuzhuan.bridge.rates.quote import RATE_SOURCE_CAP, RATE_SOURCE_ENTRUSTED, early_repayment_fee, quote

from ..conftest import exact_half_up

D = dt.date
SHIPPED = shipped_table()


# ---------------------------------------------------------------------------------- LPR table


def test_shipped_csv_matches_shared_history():
    assert SHIPPED.first_date == D(2019, 8, 20)
    assert SHIPPED.latest == LprRow(D(2025, 5, 20), Decimal("3.00"), Decimal("3.50"))
    assert len(SHIPPED.rows) == 15


@pytest.mark.parametrize(
    ("day", "expected_1y"),
    [
        (D(2019, 8, 20), "4.25"),  # first publication, in force the same day
        (D(2019, 9, 1), "4.25"),
        (D(2019, 9, 19), "4.25"),
        (D(2019, 9, 20), "4.20"),  # a new value is in force from its effective date
        (D(2024, 1, 1), "3.45"),
        (D(2024, 7, 21), "3.45"),
        (D(2024, 7, 22), "3.35"),
        (D(2024, 12, 31), "3.10"),
        (D(2026, 11, 22), "3.00"),  # after the last row, the last value stays in force
    ],
)
def test_lpr_on_takes_latest_row_not_after_the_date(day, expected_1y):
    assert lpr_on(day).lpr_1y == Decimal(expected_1y)


def test_lpr_before_reform_is_a_clear_error():
    with pytest.raises(LprUnavailable) as info:
        lpr_on(D(2019, 8, 19))
    assert "2019-08-20" in info.value.message
    assert info.value.code == "lpr_unavailable"


def test_parse_lpr_csv_sorts_and_rejects_bad_rows():
    table = parse_lpr_csv(
        "effective_date,lpr_1y_percent,lpr_5y_percent\n2021-01-20,3.85,4.65\n2020-01-20,4.15,4.80\n\n"
    )
    assert [r.effective_date for r in table.rows] == [D(2020, 1, 20), D(2021, 1, 20)]
    with pytest.raises(BridgeError, match="重复"):
        parse_lpr_csv("effective_date,lpr_1y_percent,lpr_5y_percent\n2020-01-20,1,2\n2020-01-20,1,2\n")
    with pytest.raises(BridgeError, match="第 2 行"):
        parse_lpr_csv("effective_date,lpr_1y_percent,lpr_5y_percent\n2020-13-20,1,2\n")
    with pytest.raises(BridgeError, match="表头"):
        parse_lpr_csv("date,one,five\n2020-01-20,1,2\n")
    with pytest.raises(BridgeError):
        parse_lpr_csv("effective_date,lpr_1y_percent,lpr_5y_percent\n2020-01-20,-1,2\n")


def test_load_lpr_csv_from_file(tmp_path):
    path = tmp_path / "lpr.csv"
    path.write_text("effective_date,lpr_1y_percent,lpr_5y_percent\n2020-01-20,5.00,6.00\n", encoding="utf-8")
    table = load_lpr_csv(path)
    assert table.on(D(2030, 1, 1)).lpr_1y == Decimal("5.00")
    assert load_lpr_csv(None) is SHIPPED
    with pytest.raises(BridgeError, match="无法读取"):
        load_lpr_csv(tmp_path / "missing.csv")


# ---------------------------------------------------------------------------------- day count


def test_ten_days_counting_both_ends_is_allowed():
    assert usage_days(D(2026, 3, 1), D(2026, 3, 10)) == 10
    assert check_days(10) is None


def test_eleven_days_is_refused():
    assert usage_days(D(2026, 3, 1), D(2026, 3, 11)) == 11
    assert check_days(11) == "使用天数 11 天超过 10 天上限（含提款日及还款日，第十条（二））"


def test_same_day_repayment_is_one_day():
    assert usage_days(D(2026, 3, 1), D(2026, 3, 1)) == 1


def test_repay_before_draw_raises_in_usage_days():
    with pytest.raises(BridgeError) as info:
        usage_days(D(2026, 3, 5), D(2026, 3, 4))
    assert info.value.field == "repay"


def test_days_cross_month_and_leap_day():
    assert usage_days(D(2028, 2, 25), D(2028, 3, 5)) == 10  # 2028 is a leap year


def test_basis_conversion_round_trip():
    assert daily_to_annual(Decimal("0.00033"), 360) == Decimal("0.1188")
    assert daily_to_annual(Decimal("0.00033"), 365) == Decimal("0.12045")
    assert annual_to_daily(Decimal("0.1188"), 360) == Decimal("0.00033")
    with pytest.raises(BridgeError):
        check_basis(366)
    with pytest.raises(BridgeError):
        annual_to_daily(Decimal("0.1"), 100)


def test_derived_daily_rate_is_truncated_never_rounded_up():
    daily = annual_to_daily(Decimal("0.12"), 365)
    assert Fraction(daily) <= Fraction(12, 36500)
    assert Fraction(12, 36500) - Fraction(daily) < Fraction(1, 10**RATE_PLACES)
    assert Fraction(annual_to_daily(Decimal("0.02"), 360)) < Fraction(2, 36000)  # 0.0000555…


# ---------------------------------------------------------------------------------- fees


def test_fee_is_rounded_half_up_once():
    # 1,000,015.00 yuan × 0.0003 × 10 days = 300 004.5 fen exactly → 300 005 (half-up).
    principal = 100_001_500
    assert Fraction(principal) * Fraction(3, 10_000) * 10 == Fraction(600_009, 2)
    assert fee_fen(principal, Decimal("0.0003"), 10) == 300_005
    # Rounding each day first would give 30 000.45 → 30 000 × 10 = 300 000: not what we do.
    assert fee_fen(principal, Decimal("0.0003"), 1) * 10 == 300_000


def test_fee_small_half_case():
    # 15.00 yuan × 0.0003 × 10 = 4.5 fen → 5 (banker's rounding would say 4)
    assert fee_fen(1500, Decimal("0.0003"), 10) == 5
    # just below a half rounds down
    assert fee_fen(1499, Decimal("0.0003"), 10) == 4


def test_fee_at_365_lpr_cap_matches_exact_rational():
    cap = cap_daily_rate(D(2026, 3, 1), 365)
    principal = 100_000_000
    exact = Fraction(principal) * Fraction(12, 36500) * 11  # 361 643.835… fen
    assert fee_fen_from_annual(principal, Decimal("0.12"), 365, 11) == exact_half_up(exact) == 361_644
    assert cap.annual_rate == Decimal("0.12") and cap.exact_daily_rate == Fraction(12, 36500)


def test_derived_rate_fee_is_exact_at_a_true_half_fen():
    # Entrusted 2026, 1 January LPR 3.00 %, basis 360: 1,000,002.00 yuan × 3 % × 10 / 360
    # = 83 333.5 fen exactly → 83 334. The shown daily rate 0.0000833… is truncated; using it
    # would lose the half (83 333.4999…), so the fee is computed with the division last.
    principal = 100_000_200
    assert Fraction(principal) * Fraction(3, 100) * 10 / 360 == Fraction(166_667, 2)
    q = quote(principal_fen=principal, draw=D(2026, 3, 1), repay=D(2026, 3, 10), mode="entrusted")
    assert q.annual_rate == Decimal("0.03")
    assert q.fee_fen == 83_334
    assert fee_fen(principal, q.daily_rate, 10) == 83_333  # what a truncated rate would give
    assert fee_fen_from_annual(principal, Decimal("0.03"), 360, 10) == 83_334
    assert early_repayment_fee(q, D(2026, 3, 10)) == 83_334


def test_fee_refuses_negative_inputs():
    with pytest.raises(BridgeError):
        fee_fen(-1, Decimal("0.0003"), 1)


def test_early_repayment_charges_days_actually_used():
    q = quote(
        principal_fen=100_000_000, draw=D(2026, 3, 1), repay=D(2026, 3, 10), daily_rate=Decimal("0.0003")
    )
    assert q.fee_fen == 300_000
    assert early_repayment_fee(q, D(2026, 3, 4)) == 120_000  # 4 days
    assert early_repayment_fee(q, D(2026, 3, 1)) == 30_000  # same day: 1 day
    with pytest.raises(BridgeError, match="逾期"):
        early_repayment_fee(q, D(2026, 3, 11))


# ---------------------------------------------------------------------------------- caps


def test_cap_360_current_lpr_fixed_daily_cap_binds():
    cap = cap_daily_rate(D(2026, 3, 1), 360)
    assert cap.lpr.lpr_1y == Decimal("3.00")
    # 4 × 3.00 % / 360 = 0.000333… which is above 0.00033
    assert Fraction(cap.lpr_cap_daily) == pytest.approx(Fraction(12, 36000), abs=1e-25)
    assert Fraction(12, 36000) > Fraction(33, 100_000)
    assert cap.daily_rate == Decimal("0.00033")
    assert cap.binding == BINDING_DAILY


def test_cap_365_current_lpr_four_times_lpr_binds():
    cap = cap_daily_rate(D(2026, 3, 1), 365)
    assert Fraction(12, 36500) < Fraction(33, 100_000)  # 0.000328767… < 0.00033
    assert cap.binding == BINDING_LPR
    assert cap.daily_rate == cap.lpr_cap_daily
    assert str(cap.daily_rate).startswith("0.000328767123")
    assert cap.daily_rate * 365 <= Decimal("0.12")


@pytest.mark.parametrize("basis", [360, 365])
def test_cap_2019_higher_lpr_fixed_cap_binds_on_both_bases(basis):
    cap = cap_daily_rate(D(2019, 9, 1), basis)
    assert cap.lpr.lpr_1y == Decimal("4.25")
    assert Fraction(17, 100 * basis) > Fraction(33, 100_000)  # 0.000472 / 0.000466
    assert cap.daily_rate == Decimal("0.00033")
    assert cap.binding == BINDING_DAILY


def test_cap_tie_reports_both():
    # 4 × 2.97 % / 360 = 0.00033 exactly
    table = LprTable.from_rows([(D(2030, 1, 1), "2.97", "3.50")], "test")
    cap = cap_daily_rate(D(2030, 6, 1), 360, table)
    assert cap.binding == BINDING_BOTH
    assert cap.daily_rate == Decimal("0.00033")


@pytest.mark.parametrize("day", [row.effective_date for row in SHIPPED.rows])
@pytest.mark.parametrize("basis", [360, 365])
def test_cap_is_min_of_both_limits_on_every_lpr(day, basis):
    cap = cap_daily_rate(day, basis)
    exact_lpr_daily = Fraction(cap.lpr.lpr_1y) * 4 / 100 / basis
    assert Fraction(cap.daily_rate) <= min(Fraction(33, 100_000), exact_lpr_daily)
    assert min(Fraction(33, 100_000), exact_lpr_daily) - Fraction(cap.daily_rate) < Fraction(1, 10**29)


def test_self_rate_omitted_uses_cap():
    q = quote(principal_fen=100_000_000, draw=D(2026, 3, 1), repay=D(2026, 3, 10))
    assert q.rate_source == RATE_SOURCE_CAP
    assert q.daily_rate == Decimal("0.00033")
    assert q.fee_fen == 330_000  # 1,000,000 × 0.00033 × 10 = 3,300.00 yuan
    assert q.allowed and q.reasons == () and not q.clamped


def test_configured_rate_above_cap_is_clamped_with_alert():
    q = quote(
        principal_fen=100_000_000,
        draw=D(2026, 3, 1),
        repay=D(2026, 3, 10),
        daily_rate=Decimal("0.00033"),
        basis=365,
    )
    assert q.clamped
    assert q.allowed  # the statutory cap prevails; the loan is not refused
    assert q.daily_rate == q.cap_daily_rate < Decimal("0.00033")
    assert q.fee_fen == exact_half_up(Fraction(100_000_000) * Fraction(12, 36500) * 10) == 328_767
    assert len(q.alerts) == 1 and "以法定利率上限优先执行（第七条）" in q.alerts[0]
    assert "0.00033" in q.alerts[0]


def test_configured_rate_below_cap_is_used():
    q = quote(
        principal_fen=100_000_000, draw=D(2026, 3, 1), repay=D(2026, 3, 5), daily_rate=Decimal("0.0002")
    )
    assert not q.clamped and q.daily_rate == Decimal("0.0002") and q.fee_fen == 100_000


def test_cap_is_that_of_the_draw_date_and_lpr_change_is_noted():
    # 2025-05-20 the LPR fell 3.10 → 3.00; on 365 days the cap falls from 3.3‱ to 3.2877‱
    q = quote(principal_fen=100_000_000, draw=D(2025, 5, 15), repay=D(2025, 5, 24), basis=365)
    assert q.cap.lpr.lpr_1y == Decimal("3.10")
    assert q.daily_rate == Decimal("0.00033")
    assert q.allowed
    assert any("2025-05-20" in a and "3.00%" in a for a in q.alerts)


def test_invalid_configured_rates():
    for bad in (Decimal(0), Decimal("-0.0001"), Decimal(1), Decimal("NaN")):
        with pytest.raises(BridgeError):
            quote(principal_fen=1, draw=D(2026, 3, 1), repay=D(2026, 3, 1), daily_rate=bad)


# ---------------------------------------------------------------------------------- entrusted


def test_entrusted_uses_lpr_of_1_january_all_year():
    # 2024: 1 January → 3.45 (set 2023-08-21); 3.35 from 22 July; 3.10 from 21 October.
    assert jan1_lpr(2024).lpr_1y == Decimal("3.45")
    q = quote(
        principal_fen=100_000_000, draw=D(2024, 11, 20), repay=D(2024, 11, 29), mode=MODE_ENTRUSTED
    )
    assert q.contract_lpr.lpr_1y == Decimal("3.45")
    assert q.cap.lpr.lpr_1y == Decimal("3.10")  # the cap still uses the latest LPR
    assert q.rate_source == RATE_SOURCE_ENTRUSTED
    assert Fraction(q.daily_rate) == pytest.approx(Fraction(345, 10000 * 360), abs=1e-28)
    # 1,000,000 × 3.45 % / 360 × 10 = 958.333… yuan → 95 833 fen
    assert q.fee_fen == exact_half_up(Fraction(100_000_000) * Fraction(345, 10000 * 360) * 10) == 95_833
    assert q.allowed


def test_entrusted_same_rate_in_january_and_december():
    a = entrusted_daily_rate(2024, 365)
    assert a == annual_to_daily(Decimal("0.0345"), 365)
    early = quote(principal_fen=10**8, draw=D(2024, 1, 2), repay=D(2024, 1, 11), mode="entrusted")
    late = quote(principal_fen=10**8, draw=D(2024, 12, 20), repay=D(2024, 12, 29), mode="entrusted")
    assert early.daily_rate == late.daily_rate and early.fee_fen == late.fee_fen


def test_entrusted_multiplier():
    q = quote(
        principal_fen=100_000_000,
        draw=D(2026, 3, 1),
        repay=D(2026, 3, 10),
        mode="entrusted",
        multiplier=Decimal("1.5"),
    )
    # 3.00 % × 1.5 = 4.5 % / 360 = 0.000125 exactly; × 1,000,000 × 10 = 1,250.00 yuan
    assert q.daily_rate == Decimal("0.000125")
    assert q.fee_fen == 125_000


def test_entrusted_absurd_multiplier_is_clamped():
    q = quote(
        principal_fen=10**8, draw=D(2026, 3, 1), repay=D(2026, 3, 2), mode="entrusted", multiplier=Decimal(5)
    )
    assert q.clamped and q.daily_rate == Decimal("0.00033")


def test_entrusted_rejects_daily_rate_and_self_rejects_multiplier():
    with pytest.raises(BridgeError):
        quote(
            principal_fen=1,
            draw=D(2026, 3, 1),
            repay=D(2026, 3, 1),
            mode="entrusted",
            daily_rate=Decimal("0.0003"),
        )
    with pytest.raises(BridgeError):
        quote(principal_fen=1, draw=D(2026, 3, 1), repay=D(2026, 3, 1), multiplier=Decimal(2))


def test_entrusted_2019_has_no_january_lpr():
    with pytest.raises(BridgeError, match="2019 年 1 月 1 日"):
        quote(principal_fen=1, draw=D(2019, 10, 1), repay=D(2019, 10, 2), mode="entrusted")
    assert jan1_lpr(2020).lpr_1y == Decimal("4.15")


def test_contract_lpr_by_mode():
    assert contract_lpr(D(2024, 11, 1), "self").lpr_1y == Decimal("3.10")
    assert contract_lpr(D(2024, 11, 1), "entrusted").lpr_1y == Decimal("3.45")
    with pytest.raises(BridgeError):
        contract_lpr(D(2024, 11, 1), "other")


# ---------------------------------------------------------------------------------- quote refusals


def test_quote_eleven_days_refused_but_priced():
    q = quote(principal_fen=100_000_000, draw=D(2026, 3, 1), repay=D(2026, 3, 11))
    assert q.days == 11 and not q.allowed
    assert q.reasons == ("使用天数 11 天超过 10 天上限（含提款日及还款日，第十条（二））",)
    assert q.fee_fen == 363_000


def test_quote_repay_before_draw_refused():
    q = quote(principal_fen=100_000_000, draw=D(2026, 3, 5), repay=D(2026, 3, 1))
    assert not q.allowed and q.days == 0 and q.fee_fen == 0
    assert "早于提款日" in q.reasons[0]


def test_amount_limit_is_min_of_due_and_approved():
    assert max_amount_fen(100, 80) == 80
    assert max_amount_fen(None, 80) == 80
    assert max_amount_fen(None, None) is None
    ok = quote(
        principal_fen=80_000_000,
        draw=D(2026, 3, 1),
        repay=D(2026, 3, 10),
        due_fen=100_000_000,
        approved_fen=80_000_000,
    )
    assert ok.allowed and ok.max_amount_fen == 80_000_000
    over = quote(
        principal_fen=80_000_001,
        draw=D(2026, 3, 1),
        repay=D(2026, 3, 10),
        due_fen=100_000_000,
        approved_fen=80_000_000,
    )
    assert not over.allowed
    assert over.reasons == ("申请金额 ¥800,000.01 超过银行续贷批复当期审批额度 ¥800,000.00（第十条（三））",)
    both = quote(
        principal_fen=200_000_000, draw=D(2026, 3, 1), repay=D(2026, 3, 12), due_fen=1, approved_fen=2
    )
    assert len(both.reasons) == 3 and all("第十条" in r for r in both.reasons)


def test_quote_input_errors():
    with pytest.raises(BridgeError):
        quote(principal_fen=0, draw=D(2026, 3, 1), repay=D(2026, 3, 1))
    with pytest.raises(BridgeError):
        quote(principal_fen=1, draw=D(2026, 3, 1), repay=D(2026, 3, 1), mode="bank")
    with pytest.raises(LprUnavailable):
        quote(principal_fen=1, draw=D(2019, 1, 1), repay=D(2019, 1, 2))


def test_quote_to_dict_is_json_friendly():
    import json

    q = quote(
        principal_fen=100_001_500, draw=D(2026, 3, 1), repay=D(2026, 3, 10), daily_rate=Decimal("3E-4")
    )
    d = json.loads(json.dumps(q.to_dict(), ensure_ascii=False))
    assert d["daily_rate"] == "0.0003"
    assert d["fee_fen"] == 300_005 and d["fee_yuan"] == "3000.05"
    assert d["cap_daily_rate"] == "0.00033" and d["binding_cap"] == "daily_3.3_per_10k"
    assert d["allowed"] is True and d["reasons"] == []


# ---------------------------------------------------------------------------------- penalty


def test_penalty_cap_is_four_times_contract_lpr():
    assert penalty_rate_cap(Decimal("3.45")) == Decimal("0.138")
    assert check_penalty_rate(Decimal("0.138"), Decimal("3.45")) is None
    refusal = check_penalty_rate(Decimal("0.1381"), Decimal("3.45"))
    assert refusal and "第十七条" in refusal and "13.80%" in refusal


def test_penalty_amount_and_overdue_days():
    assert overdue_days(D(2026, 3, 10), D(2026, 3, 10)) == 0
    assert overdue_days(D(2026, 3, 10), D(2026, 3, 13)) == 3
    assert overdue_days(D(2026, 3, 10), D(2026, 3, 5)) == 0
    # 1,000,000 × 12 % / 360 × 3 = 1,000.00 yuan
    assert penalty_fen(100_000_000, Decimal("0.12"), 3, contract_lpr_1y=Decimal("3.00")) == 100_000
    # 365 basis: 100 000 000 × 0.12 × 3 / 365 = 98 630.136… → 98 630
    assert (
        penalty_fen(100_000_000, Decimal("0.12"), 3, contract_lpr_1y=Decimal("3.00"), basis=365)
        == 98_630
    )
    with pytest.raises(BridgeError) as info:
        penalty_fen(100_000_000, Decimal("0.1201"), 3, contract_lpr_1y=Decimal("3.00"))
    assert info.value.code == "penalty_rate_over_cap"


def test_quote_reports_penalty_cap_of_contract_lpr():
    q = quote(principal_fen=10**8, draw=D(2024, 11, 20), repay=D(2024, 11, 29), mode="entrusted")
    assert q.penalty_annual_rate_cap == Decimal("0.138")  # 4 × 3.45 (1 January LPR)
    q = quote(principal_fen=10**8, draw=D(2024, 11, 20), repay=D(2024, 11, 29))
    assert q.penalty_annual_rate_cap == Decimal("0.124")  # 4 × 3.10

# ---------------------------------------------------------------------------------- properties

dates = st.dates(min_value=D(2019, 8, 20), max_value=D(2031, 12, 31))
principals = st.integers(min_value=1, max_value=10**14)
day_counts = st.integers(min_value=0, max_value=10)
rate_values = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("0.001"), places=8)


@settings(max_examples=200, deadline=None)
@given(draw=dates, span=st.integers(min_value=0, max_value=400))
def test_prop_days_formula(draw, span):
    assert usage_days(draw, draw + dt.timedelta(days=span)) == span + 1


@settings(max_examples=200, deadline=None)
@given(p=principals, rate=rate_values, d1=day_counts, d2=day_counts)
def test_prop_fee_monotone_in_days(p, rate, d1, d2):
    lo, hi = sorted((d1, d2))
    assert fee_fen(p, rate, lo) <= fee_fen(p, rate, hi)


@settings(max_examples=200, deadline=None)
@given(p1=principals, p2=principals, rate=rate_values, days=day_counts)
def test_prop_fee_monotone_in_principal(p1, p2, rate, days):
    lo, hi = sorted((p1, p2))
    assert fee_fen(lo, rate, days) <= fee_fen(hi, rate, days)


@settings(max_examples=200, deadline=None)
@given(p=principals, rate=rate_values, days=day_counts)
def test_prop_fee_is_exact_half_up(p, rate, days):
    assert fee_fen(p, rate, days) == exact_half_up(Fraction(p) * Fraction(rate) * days)


@settings(max_examples=300, deadline=None)
@given(
    p=principals,
    draw=dates,
    span=st.integers(min_value=0, max_value=9),
    basis=st.sampled_from([360, 365]),
    rate=st.none() | rate_values,
    mode=st.sampled_from(["self", "entrusted"]),
    multiplier=st.decimals(min_value=Decimal("0.5"), max_value=Decimal(6), places=2),
)
def test_prop_fee_never_exceeds_cap(p, draw, span, basis, rate, mode, multiplier):
    if mode == "entrusted":
        rate = None
        if draw.year == 2019:
            draw = D(2020, draw.month, min(draw.day, 28))
    else:
        multiplier = None
    q = quote(
        principal_fen=p,
        draw=draw,
        repay=draw + dt.timedelta(days=span),
        mode=mode,
        daily_rate=rate,
        basis=basis,
        multiplier=multiplier,
    )
    lpr = lpr_on(draw).lpr_1y
    exact_cap = min(Fraction(33, 100_000), Fraction(lpr) * 4 / 100 / basis)
    assert q.exact_daily_rate <= exact_cap
    assert q.fee_fen == exact_half_up(Fraction(p) * q.exact_daily_rate * q.days)
    assert Fraction(q.fee_fen) <= Fraction(p) * exact_cap * q.days + Fraction(1, 2)
    assert q.daily_rate <= q.cap_daily_rate
    assert q.allowed
