"""set_rates: the manager's self-operated rate is checked against both caps (第七条) on the fund's
day-count basis; the penalty rate against 4 × LPR (第十七条)."""

from decimal import Decimal

import pytest

from liuzhuan.bridge.fund import actions
from liuzhuan.bridge.models.fund import RateSetting
from liuzhuan.core.errors import DomainError, PermissionDenied

from ..conftest import TODAY

OK = dict(day_basis=360, self_daily_rate="0.00033", entrusted_multiplier="1", penalty_annual_rate="0.12", on=TODAY)


def test_cap_on_360_days_is_3_3_per_10k(bw):
    """LPR 3.00 %: 4 × 3 % ÷ 360 = 3.333‱ > 3.3‱, so 3.3‱ binds and is allowed exactly."""
    s = actions.set_rates(bw.manager, **OK)
    assert bw.refresh().self_daily_rate == Decimal("0.00033") and bw.fund.penalty_annual_rate == Decimal("0.12")
    assert "日利率不超过万分之三点三" in s.cap_daily_rate_then and RateSetting.objects.count() == 2


def test_cap_on_365_days_is_four_times_lpr(bw):
    """On 365 days 4 × 3 % ÷ 365 = 3.2877‱ < 3.3‱: 3.3‱ is refused, 3.28‱ accepted."""
    with pytest.raises(DomainError) as exc:
        actions.set_rates(bw.manager, **(OK | {"day_basis": 365}))
    assert exc.value.field == "self_daily_rate" and "3.2877‱" in exc.value.message and "四倍" in exc.value.message
    actions.set_rates(bw.manager, **(OK | {"day_basis": 365, "self_daily_rate": "0.000328"}))
    assert bw.refresh().day_basis == 365


def test_blank_rate_means_charge_the_cap(bw):
    from ..conftest import disbursed

    actions.set_rates(bw.manager, **(OK | {"day_basis": 365, "self_daily_rate": None}))
    app = disbursed(bw)
    # 100,000,000 fen × 12 % × 10 ÷ 365 = 328,767.1 → 328,767 (rounded once)
    assert app.rate_annual == Decimal("0.12") and app.planned_fee_fen == 328_767 and app.basis == 365


@pytest.mark.parametrize(("kw", "field"), [
    ({"self_daily_rate": "0"}, "self_daily_rate"),
    ({"self_daily_rate": "abc"}, "self_daily_rate"),
    ({"self_daily_rate": "0.000330001"}, "self_daily_rate"),
    ({"self_daily_rate": "0.00034"}, "self_daily_rate"),
    ({"day_basis": 366}, "day_basis"),
    ({"entrusted_multiplier": "0"}, "entrusted_multiplier"),
    ({"entrusted_multiplier": "5"}, "entrusted_multiplier"),
    ({"penalty_annual_rate": "0.1201"}, "penalty_annual_rate"),
    ({"penalty_annual_rate": "-0.01"}, "penalty_annual_rate"),
])
def test_bad_input(bw, kw, field):
    with pytest.raises(DomainError) as exc:
        actions.set_rates(bw.manager, **(OK | kw))
    assert exc.value.field == field
    assert bw.refresh().self_daily_rate == Decimal("0.0003")


def test_rejects_other_org(bw):
    for user in (bw.clerk, bw.other_fm, bw.bureau, bw.sme):
        with pytest.raises(PermissionDenied):
            actions.set_rates(user, **OK)
    assert bw.refresh().self_daily_rate == Decimal("0.0003")
