import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liuzhuan.certificates.fees import actions as fees
from liuzhuan.certificates.fees import charges as fee_charges
from liuzhuan.certificates.fees.rules import compute_fee, split_fee
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError, PermissionDenied


def test_compute_fee_clamps_and_rounds():
    assert compute_fee(100_00, Decimal("5"), 1000, None) == 1000  # min applies
    assert compute_fee(10**12, Decimal("5"), 0, 500000) == 500000  # max applies
    assert compute_fee(12_345_678, Decimal("5"), 0, None) == 6173


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["transferor", "transferee", "split"]))
def test_split_fee_adds_up(fee, payer):
    a, b = split_fee(fee, payer)
    assert a + b == fee and a >= 0 and b >= 0 and abs(a - b) <= fee


@pytest.mark.parametrize(
    ("kw", "field"),
    [({"op_type": "magic"}, "op_type"), ({"rate_per_10k": "-1"}, "rate_per_10k"), ({"rate_per_10k": "1.00001"}, "rate_per_10k"),
     ({"min_fen": 500, "max_fen": 100}, "max_fen"), ({"payer": "nobody"}, "payer"),
     ({"effective_date": dt.date(2020, 1, 1)}, "effective_date")],
)
def test_fee_rule_validation(world, kw, field):
    args = {"op_type": "transfer", "rate_per_10k": "5", "min_fen": 0, "max_fen": None, "payer": "split", "effective_date": today_china()}
    args.update(kw)
    with pytest.raises(DomainError) as exc:
        fees.set_fee_rule(world.clerk, **args)
    assert exc.value.field == field


def test_fee_rule_rejects_other_org(world):
    with pytest.raises(PermissionDenied):
        fees.set_fee_rule(world.alice, "transfer", "5", 0, None, "split", today_china())


def test_schedule_in_force_is_used(world):
    today = today_china()
    fees.set_fee_rule(world.clerk, "transfer", "5", 0, None, "split", today)
    fees.set_fee_rule(world.clerk, "transfer", "8", 0, None, "split", today + dt.timedelta(days=30))
    assert fee_charges.fee_rule_on("transfer", today).rate_per_10k == Decimal("5")
    assert fee_charges.fee_rule_on("transfer", today + dt.timedelta(days=31)).rate_per_10k == Decimal("8")


def test_statement_scoping_and_excel(world, api, client):
    from openpyxl import load_workbook

    from ..conftest import issue

    fees.set_fee_rule(world.clerk, "issuance", "2", 0, None, "transferor", today_china())
    issue(world)
    mine = api(world.alice).get("/certificates/fees/statement").json()["items"]
    assert len(mine) == 1 and mine[0]["amount_fen"] == 20000
    assert api(world.bob).get("/certificates/fees/statement").json()["items"] == []
    assert api(world.bob).get("/certificates/fees/statement", org_id=world.alice_org.pk).status_code == 404
    assert len(api(world.inspector).get("/certificates/fees/statement", org_id=world.alice_org.pk).json()["items"]) == 1
    client.force_login(world.alice)
    r = client.get("/certificates/fees/statement.xlsx")
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    assert ws["A1"].value.startswith("服务费明细") and ws["A2"].value == "日期"
    assert ws["H3"].value == 200.0 and ws["H3"].number_format == "#,##0.00"
    assert ws["A4"].value == "合计（1 条）" and ws["H4"].value == 200.0 and ws["F4"].value is None
    client.force_login(world.bob)
    ws = load_workbook(io.BytesIO(b"".join(client.get("/certificates/fees/statement.xlsx").streaming_content))).active
    assert ws.max_row == 3  # title, header, total: bob sees none of alice's fees
    client.force_login(world.inspector)
    r = client.get("/certificates/fees/statement.xlsx", {"org": world.alice_org.pk, "status": "unpaid"})
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    assert "机构 甲公司" in ws["A1"].value and "缴费状态" in ws["A1"].value and ws.max_row == 4


def test_config_via_api_and_wrong_org(world, api):
    r = api(world.clerk).post("/certificates/config", {"min_unit_fen": 10000, "offer_days": 3})
    assert r.status_code == 200 and r.json() == {"min_unit_fen": 10000, "offer_days": 3}
    assert api(world.alice).post("/certificates/config", {"min_unit_fen": 1, "offer_days": 3}).status_code == 403
    bad = api(world.clerk).post("/certificates/config", {"min_unit_fen": 100, "offer_days": 90})
    assert bad.status_code == 400 and bad.json()["field"] == "offer_days"
    from liuzhuan.certificates.ledger.models import CertificateConfig

    assert CertificateConfig.get().min_unit_fen == 10000
