"""The fee term of the transfer / pledge contract (「按债权转让合同或质押合同的明确约定…交纳」), and
fee settlement: paid, unpaid, arrears."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.certificates.fees import actions as fees
from liuzhuan.certificates.fees import queries as fee_queries
from liuzhuan.certificates.fees.models import FeeCharge
from liuzhuan.certificates.fees.rules import DUE_DAYS, fee_term, split_fee
from liuzhuan.certificates.pledge import actions as pledging
from liuzhuan.certificates.void import actions as void
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from liuzhuan.members.models import Position

from ...conftest import make_user
from ..conftest import issue

TODAY = today_china()


@pytest.fixture
def finance(world):
    return make_user(world.operator, "finance", Position.FINANCE)


def _offer(world, piece, amount, **term):
    return circulation.offer_transfers(world.alice, [circulation.OfferItem(piece.pk, world.carol_org.pk, amount, "ZR-01", **term)])[0]


@given(st.integers(min_value=0, max_value=10**12), st.decimals(min_value="0.01", max_value="99.99", places=2))
def test_split_by_agreed_share_adds_up_exactly(fee, share):
    a, b = split_fee(fee, "split", share)
    assert a + b == fee and a >= 0 and b >= 0
    assert a == int((Decimal(fee) * share / 100).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def test_fee_term_validation():
    assert fee_term("split") == ("split", Decimal(50))
    assert fee_term("transferee") == ("transferee", Decimal(0))
    for payer, share, field in [("nobody", None, "fee_payer"), ("split", "100", "fee_share_pct"), ("split", "0", "fee_share_pct"),
                                ("split", "33.333", "fee_share_pct"), ("transferor", "30", "fee_share_pct")]:
        with pytest.raises(DomainError) as exc:
            fee_term(payer, share)
        assert exc.value.field == field


def test_transfer_fee_follows_the_contract_not_the_schedule(world):
    fees.set_fee_rule(world.clerk, "transfer", "5", 0, None, "transferor", TODAY)  # schedule: transferor pays
    _cert, piece = issue(world, amount_fen=1_000_001_00)
    offer = _offer(world, piece, 1_000_001_00, fee_payer="split", fee_share_pct="30")
    assert (offer.fee_payer, offer.fee_share_pct) == ("split", Decimal("30.00"))
    circulation.accept_offer(world.carol, offer.pk)
    rows = {c.org_id: c.amount_fen for c in FeeCharge.objects.filter(transfer=offer)}
    fee = 50000  # 1,000,001.00 yuan × 5‱ = 500.0005 yuan → 50000 fen (half-up to the fen)
    assert rows == {world.alice_org.pk: 15000, world.carol_org.pk: 35000} and sum(rows.values()) == fee


def test_transfer_without_a_term_records_the_schedules_default(world, client):
    fees.set_fee_rule(world.clerk, "transfer", "5", 0, None, "transferee", TODAY)
    _cert, piece = issue(world)
    offer = _offer(world, piece, 100_000_00)
    assert (offer.fee_payer, offer.fee_share_pct) == ("transferee", Decimal(0))
    client.force_login(world.carol)  # the transferee sees the agreed payer before accepting
    assert "<td>受让方/质权人</td>" in client.get("/certificates/").content.decode()
    circulation.accept_offer(world.carol, offer.pk)
    assert list(FeeCharge.objects.filter(transfer=offer).values_list("org_id", "amount_fen")) == [(world.carol_org.pk, 5000)]


def test_bad_term_refused_and_nothing_changes(world, api, client):
    _cert, piece = issue(world)
    r = api(world.alice).post(f"/certificates/pieces/{piece.pk}/transfer", {
        "to_org_id": world.carol_org.pk, "amount_fen": 100_000_00, "agreement_ref": "ZR-1", "fee_payer": "split", "fee_share_pct": "100"})
    assert r.status_code == 400 and r.json()["field"] == "fee_share_pct"
    r = api(world.alice).post(f"/certificates/pieces/{piece.pk}/transfer", {
        "to_org_id": world.carol_org.pk, "amount_fen": 100_000_00, "agreement_ref": "ZR-1", "fee_share_pct": "20"})
    assert r.status_code == 400 and r.json()["field"] == "fee_payer"
    client.force_login(world.alice)
    page = client.post(f"/certificates/pieces/{piece.pk}/", {"form": "single", "to_org": world.carol_org.pk, "amount": "1000.00",
                                                             "agreement_ref": "ZR-1", "fee_payer": "transferor", "fee_share_pct": "40"})
    assert page.status_code == 200 and "仅“双方分担”需填写承担比例" in page.content.decode()
    piece.refresh_from_db()
    assert piece.status == "live" and not piece.offers.exists()


def test_transfer_term_through_api(world, api):
    fees.set_fee_rule(world.clerk, "transfer", "5", 0, None, "split", TODAY)
    _cert, piece = issue(world)
    r = api(world.alice).post(f"/certificates/pieces/{piece.pk}/transfer", {
        "to_org_id": world.carol_org.pk, "amount_fen": 100_000_00, "agreement_ref": "ZR-1", "fee_payer": "transferee"})
    assert r.status_code == 201 and r.json()["fee_payer"] == "transferee" and r.json()["fee_term"].startswith("受让方")
    accepted = api(world.carol).post(f"/certificates/offers/{r.json()['id']}/accept").json()
    assert accepted["fee_fen"] == 5000
    assert list(FeeCharge.objects.values_list("org_id", "amount_fen")) == [(world.carol_org.pk, 5000)]


def test_pledge_fee_follows_the_pledge_contract(world, api):
    fees.set_fee_rule(world.clerk, "pledge", "3", 0, None, "transferor", TODAY)
    _cert, piece = issue(world)
    r = api(world.alice).post(f"/certificates/pieces/{piece.pk}/pledge", {
        "pledgee_id": world.bank_org.pk, "amount_fen": 100_000_01, "contract_ref": "ZY-1", "secured_fen": 50_000_00,
        "start_date": TODAY.isoformat(), "end_date": (TODAY + dt.timedelta(days=90)).isoformat(), "fee_payer": "split",
        "fee_share_pct": "12.5"})
    assert r.status_code == 201 and r.json()["fee_share_pct"] == "12.50"
    p = pledging.register_pledge(world.banker, r.json()["id"], "REG-1", TODAY)
    rows = dict(FeeCharge.objects.filter(reference=p.number).values_list("org_id", "amount_fen"))
    # 100,000.01 × 3‱ = 30.000003 → 3000 fen; pledgor 12.5 % = 375, pledgee the rest
    assert p.fee_fen == 3000 and rows == {world.alice_org.pk: 375, world.bank_org.pk: 2625}


def test_pledge_bad_term_refused_on_the_page(world, client):
    _cert, piece = issue(world)
    client.force_login(world.alice)
    r = client.post(f"/certificates/lifecycle/pieces/{piece.pk}/", {
        "form": "pledge", "pledgee": world.bank_org.pk, "amount": "1000.00", "contract_ref": "ZY-1", "secured": "500.00",
        "start_date": TODAY.isoformat(), "end_date": (TODAY + dt.timedelta(days=30)).isoformat(), "fee_payer": "split",
        "fee_share_pct": "0"})
    assert r.status_code == 200 and "双方分担时" in r.content.decode()
    assert not piece.pledges.exists()


# --- settlement ---------------------------------------------------------------------------------

def _charge(world):
    fees.set_fee_rule(world.clerk, "issuance", "2", 0, None, "transferor", TODAY)
    cert, _piece = issue(world)
    return cert, FeeCharge.objects.get(certificate=cert)


def test_finance_records_payment_and_statement_shows_it(world, finance, api):
    _cert, charge = _charge(world)
    assert api(world.alice).get("/certificates/fees/statement").json()["items"][0]["status"] == "unpaid"
    r = api(finance).post(f"/certificates/fees/charges/{charge.pk}/paid", {"paid_on": TODAY.isoformat(), "payment_ref": "HD-001"})
    assert r.status_code == 200 and r.json()["status"] == "paid" and r.json()["settled_by"] == "finance"
    totals = api(world.alice).get("/certificates/fees/statement/totals").json()
    assert totals["paid_fen"] == 20000 and totals["outstanding_fen"] == 0 and totals["arrears_fen"] == 0
    again = api(finance).post(f"/certificates/fees/charges/{charge.pk}/paid", {"paid_on": TODAY.isoformat(), "payment_ref": "HD-2"})
    assert again.status_code == 409
    charge.refresh_from_db()
    assert charge.payment_ref == "HD-001"


def test_arrears_after_the_due_date(world, finance, api, client):
    _cert, charge = _charge(world)
    FeeCharge.objects.filter(pk=charge.pk).update(charged_on=TODAY - dt.timedelta(days=DUE_DAYS))
    assert api(world.alice).get("/certificates/fees/statement").json()["items"][0]["status"] == "unpaid"  # due today
    FeeCharge.objects.filter(pk=charge.pk).update(charged_on=TODAY - dt.timedelta(days=DUE_DAYS + 1))
    items = api(world.alice).get("/certificates/fees/statement", status="arrears").json()["items"]
    assert [i["id"] for i in items] == [charge.pk] and items[0]["due_date"] == (TODAY - dt.timedelta(days=1)).isoformat()
    assert api(world.alice).get("/certificates/fees/statement", status="unpaid").json()["items"] == []
    assert api(world.alice).get("/certificates/fees/statement/totals").json()["arrears_fen"] == 20000
    client.force_login(world.alice)
    html = client.get("/certificates/fees/?status=arrears").content.decode()
    assert "欠费（逾期未缴）" in html and "¥200.00" in html and "登记缴费" not in html  # a member sees no settle button
    client.force_login(finance)
    assert "登记缴费" in client.get("/certificates/fees/").content.decode()


def test_member_and_operator_clerk_may_not_mark_paid(world, finance, api, client):
    _cert, charge = _charge(world)
    body = {"paid_on": TODAY.isoformat(), "payment_ref": "HD-001"}
    assert api(world.alice).post(f"/certificates/fees/charges/{charge.pk}/paid", body).status_code == 403  # the payer itself
    r = api(world.clerk).post(f"/certificates/fees/charges/{charge.pk}/paid", body)
    assert r.status_code == 403 and r.json()["code"] == "finance_required"
    assert api(world.inspector).post(f"/certificates/fees/charges/{charge.pk}/paid", body).status_code == 403
    client.force_login(world.alice)
    page = client.post("/certificates/fees/", {"form": "paid", "charge": charge.pk, **body})
    assert page.status_code == 200 and "仅限" in page.content.decode()
    charge.refresh_from_db()
    assert charge.paid_on is None
    client.force_login(finance)
    page = client.post("/certificates/fees/", {"form": "paid", "charge": charge.pk, **body})
    assert page.status_code == 302
    charge.refresh_from_db()
    assert charge.paid_on == TODAY and charge.settled_by == finance


def test_payment_input_refused(world, finance, api):
    _cert, charge = _charge(world)
    for body, field in [({"paid_on": TODAY.isoformat(), "payment_ref": "  "}, "payment_ref"),
                        ({"paid_on": (TODAY + dt.timedelta(days=1)).isoformat(), "payment_ref": "X"}, "paid_on"),
                        ({"paid_on": (TODAY - dt.timedelta(days=1)).isoformat(), "payment_ref": "X"}, "paid_on")]:
        r = api(finance).post(f"/certificates/fees/charges/{charge.pk}/paid", body)
        assert r.status_code == 400 and r.json()["field"] == field
    assert api(finance).post("/certificates/fees/charges/999999/paid", {"paid_on": TODAY.isoformat(), "payment_ref": "X"}).status_code == 404
    with pytest.raises(NotFound):
        fees.record_fee_paid(finance, 999999, TODAY, "X")


def test_reversal_keeps_working_and_is_never_paid(world, finance):
    cert, charge = _charge(world)
    v = void.prepare_void(world.clerk, cert.pk, "开具错误")
    void.decide_void(world.checker, v.pk, True)
    reversal = FeeCharge.objects.get(reverses=charge)
    assert reversal.amount_fen == -charge.amount_fen
    with pytest.raises(DomainError):
        fees.record_fee_paid(finance, reversal.pk, TODAY, "X")
    with pytest.raises(Conflict):
        fees.record_fee_paid(finance, charge.pk, TODAY, "X")
    totals = fee_queries.fee_totals(fee_queries.fee_statement(world.alice_org.pk), TODAY)
    assert totals["total"] == 0 and totals["outstanding"] == 0 and totals["reversed"] == 0


def test_wrong_organisation_sees_no_settlement(world, finance, api):
    _cert, charge = _charge(world)
    fees.record_fee_paid(finance, charge.pk, TODAY, "HD-9")
    assert api(world.bob).get("/certificates/fees/statement/totals").json()["paid_fen"] == 0
    assert api(world.bob).get("/certificates/fees/statement/totals", org_id=world.alice_org.pk).status_code == 404
    with pytest.raises(PermissionDenied):
        fees.record_fee_paid(world.bob, charge.pk, TODAY, "HD-10")


def test_verify_catches_fee_rows_that_do_not_follow_the_term(world):
    from liuzhuan.core.integrity import run_all

    from ..helpers import verified

    fees.set_fee_rule(world.clerk, "transfer", "5", 0, None, "transferor", TODAY)
    _cert, piece = issue(world)
    offer = circulation.accept_offer(world.carol, _offer(world, piece, 100_000_00, fee_payer="split", fee_share_pct="40").pk)
    assert verified()
    a = FeeCharge.objects.get(transfer=offer, org=world.alice_org)
    b = FeeCharge.objects.get(transfer=offer, org=world.carol_org)
    FeeCharge.objects.filter(pk=a.pk).update(amount_fen=b.amount_fen)  # shares swapped: the sum still matches
    FeeCharge.objects.filter(pk=b.pk).update(amount_fen=a.amount_fen)
    assert any("未按合同约定的付费方分担" in p for p in run_all().problems)


def test_verify_catches_pledge_fee_rows_off_the_term(world):
    from liuzhuan.core.integrity import run_all

    fees.set_fee_rule(world.clerk, "pledge", "3", 0, None, "transferor", TODAY)
    _cert, piece = issue(world)
    p = pledging.create_pledge(world.alice, piece.pk, world.bank_org.pk, 100_000_00, "ZY-1", 50_000_00, TODAY,
                               TODAY + dt.timedelta(days=30), "transferee")
    p = pledging.register_pledge(world.banker, p.pk, "REG-1", TODAY)
    assert list(FeeCharge.objects.filter(reference=p.number).values_list("org_id", flat=True)) == [world.bank_org.pk]
    assert not run_all().problems
    FeeCharge.objects.filter(reference=p.number).update(org=world.alice_org)
    assert any(f"质押 {p.number}" in x for x in run_all().problems)
