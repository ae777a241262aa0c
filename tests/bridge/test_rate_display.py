"""Rates read as people state them: the penalty as an annual percentage, daily rates in ‱."""

from decimal import Decimal

from django.test import Client

from liuzhuan.core.templatetags.liuzhuan_tags import per_10k, percent

from .conftest import disbursed


def test_filters():
    assert percent(Decimal("0.1")) == "10%" and percent(Decimal("0.0385")) == "3.85%" and percent(Decimal("0.123456")) == "12.3456%"
    assert percent(None) == "—" and per_10k(None) == "—"
    assert per_10k(Decimal("0.00033")) == "3.3000‱" and per_10k(Decimal("0.000333333")) == "3.3333‱"


def test_penalty_rate_reads_as_a_percentage(bw):
    app = disbursed(bw)
    c = Client()
    c.force_login(bw.manager)
    rates = c.get("/bridge/rates/").content.decode()
    bw.fund.refresh_from_db()
    fund_rate = percent(bw.fund.penalty_annual_rate)
    assert fund_rate.endswith("%") and not fund_rate.startswith("0.")
    assert f"逾期违约金年利率：{fund_rate}" in rates and "逾期违约金年利率：0.1" not in rates
    overview = c.get("/bridge/overview/").content.decode()
    assert f"违约金年利率 {fund_rate}" in overview and "‱" in overview
    detail = c.get(f"/bridge/applications/{app.pk}/").content.decode()
    assert "日利率 0.000" not in detail


def test_outsider_does_not_see_the_rates(bw):
    c = Client()
    c.force_login(bw.sme)
    assert c.get("/bridge/rates/").status_code == 404
