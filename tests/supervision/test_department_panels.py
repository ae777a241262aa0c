"""The housing pool and the merchants answer the departments' panels (supervision finds them by
name and imports neither): each figure agrees with the records, and the list behind it shows the
same count."""

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client

from liuzhuan.core.dates import today_china
from liuzhuan.housing.models import HousingTransaction, TxStatus, Unit, UnitStatus
from liuzhuan.members.models import User
from liuzhuan.merchants.models import Order, OrderStatus
from liuzhuan.supervision import departments

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("demo", quiet_logins=True)


def _figures(key):
    return {f["label"]: f for f in departments.providers()[key]["figures"](today_china())}


def test_housing_panel_matches_the_pool_and_its_lists(demo):
    inspector = User.objects.get(username="jg_sun")
    c = Client()
    c.force_login(inspector)
    figs = _figures("housing")
    in_pool = figs["房源在池可售"]
    assert in_pool["count"] == Unit.objects.filter(status=UnitStatus.IN_POOL).count() >= 1
    assert in_pool["fen"] == Unit.objects.filter(status=UnitStatus.IN_POOL).aggregate(t=Sum("valuation_fen"))["t"]
    offset = figs["凭证抵付（已完成）"]
    assert offset["count"] == HousingTransaction.objects.filter(status=TxStatus.COMPLETED, kind="certificate_offset").count() >= 1
    for f in figs.values():
        if "status=" in (f["url"] or ""):
            assert c.get(f["url"]).context["page"].paginator.count == f["count"], f
    page = c.get("/supervision/d/housing/").content.decode()
    section = page.split('data-panel="housing"')[1].split("</section>")[0]
    assert "尚未接入" not in section and "房源在池可售" in section


def test_market_panel_counts_settled_orders(demo):
    figs = _figures("market")
    settled = Order.objects.filter(status=OrderStatus.SETTLED)
    assert sum(f["count"] for k, f in figs.items() if k.startswith("已结算订单")) == settled.count() >= 1
    assert sum(f["fen"] for k, f in figs.items() if k.startswith("已结算订单")) == settled.aggregate(t=Sum("total_fen"))["t"]
    c = Client()
    c.force_login(User.objects.get(username="jg_sun"))
    section = c.get("/supervision/d/market/").content.decode().split('data-panel="market"')[1].split("</section>")[0]
    assert "尚未接入" not in section and "已核准特约商户" in section


def test_demo_department_logins_open_their_own_dashboards(demo):
    for username, key in (("zjj_ma", "housing"), ("scj_tian", "market"), ("czj_liu", "finance"), ("jg_sun", "regulator")):
        c = Client()
        c.force_login(User.objects.get(username=username))
        assert f'data-dept="{key}" class="active"' in c.get("/supervision/").content.decode(), username
