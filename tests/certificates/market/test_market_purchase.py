"""Market purchase of SME receivables (化解债务风险): the purchaser records the purchase, then the
normal joint application issues a certificate to the SME with the purchaser as debtor."""

import pytest

from liuzhuan.certificates.issuance import actions as issuance
from liuzhuan.certificates.market import actions as market
from liuzhuan.certificates.market.models import ReceivablePurchase
from liuzhuan.core.errors import DomainError
from liuzhuan.core.roles import Role
from liuzhuan.members import actions as members
from liuzhuan.members.models import Organisation

from ...conftest import make_org, make_user
from ..conftest import attach_contract, check_contract
from ..helpers import TODAY, days, state, verified


@pytest.fixture
def buyer(world):
    org = make_org("兴投公司", Role.PURCHASER, Role.MEMBER)
    # the sellers of these tests are small firms (the purchase takes only 中小微 or 民营 sellers)
    Organisation.objects.filter(pk__in=[world.alice_org.pk, world.bob_org.pk]).update(enterprise_size="small")
    return make_user(org, "xt", "manager")


def _record(world, buyer, **kw):
    args = {"seller_id": world.alice_org.pk, "original_debtor_name": "临河区某房地产开发公司", "receivable_fen": 1_000_000_00,
            "price_fen": 800_000_00, "agreement_ref": "SG-XY-01", "agreement_date": TODAY, "description": "工程款"} | kw
    return market.record_receivable_purchase(buyer, **args)


def test_purchase_then_certificate_to_sme_with_purchaser_as_debtor(world, buyer):
    rp = _record(world, buyer)
    assert rp.status == "recorded" and rp.number.startswith("SJ")
    rp = market.apply_for_purchase_certificate(buyer, rp.pk, maturity_date=days(180), offset_scope=("house",), extension_days=90,
                                               extension_max=1, extension_conditions=("applied",))
    app = rp.application
    assert app.extension_conditions == ["applied"]
    assert rp.status == "applied" and app.creditor == world.alice_org and app.debtor == buyer.organisation
    assert app.amount_fen == 800_000_00 and app.contract_no == "SG-XY-01" and app.debtor_confirmed_at and not app.creditor_confirmed_at
    attach_contract(buyer, app)  # the applicant (debtor) uploads the purchase agreement
    issuance.confirm_application(world.alice, app.pk)
    check_contract(world.clerk, app)
    issuance.prepare_review(world.clerk, app.pk, "approve")
    issuance.decide_review(world.checker, app.pk, True)
    app.refresh_from_db()
    cert = app.certificate
    assert cert.debtor == buyer.organisation and cert.creditor == world.alice_org and cert.face_fen == 800_000_00
    with pytest.raises(DomainError) as exc:
        market.apply_for_purchase_certificate(buyer, rp.pk, maturity_date=days(180), offset_scope=("house",))
    assert exc.value.code == "purchase_state"
    with pytest.raises(DomainError) as exc:
        market.cancel_receivable_purchase(buyer, rp.pk, "不要了")
    assert exc.value.code == "purchase_state"
    assert verified()


@pytest.mark.parametrize(("kw", "code"), [
    ({"price_fen": 0}, "price_not_positive"), ({"price_fen": -1}, "price_not_positive"),
    ({"price_fen": 1_000_000_01}, "price_above_amount"), ({"receivable_fen": 0}, "amount_not_positive"),
    ({"original_debtor_name": ""}, "original_debtor_required"), ({"agreement_ref": ""}, "agreement_required"),
    ({"agreement_date": days(1)}, "agreement_date_future"),
])
def test_bad_input_changes_nothing(world, buyer, kw, code):
    before = state()
    with pytest.raises(DomainError) as exc:
        _record(world, buyer, **kw)
    assert exc.value.code == code and state() == before and not ReceivablePurchase.objects.exists()


def test_wrong_role_and_other_org(world, buyer):
    for user, code in ((world.alice, "role_required"), (world.banker, "role_required"), (world.inspector, "read_only")):
        with pytest.raises(DomainError) as exc:
            _record(world, user)
        assert exc.value.status == 403 and exc.value.code == code
    with pytest.raises(DomainError) as exc:
        _record(world, buyer, seller_id=buyer.organisation_id)
    assert exc.value.code == "seller_self"
    rp = _record(world, buyer)
    other = make_user(make_org("另一收购主体", Role.PURCHASER), "other_buyer")
    with pytest.raises(DomainError) as exc:
        market.apply_for_purchase_certificate(other, rp.pk, maturity_date=days(90), offset_scope=("house",))
    assert exc.value.status == 404
    with pytest.raises(DomainError) as exc:  # the seller sees the record but cannot act on the purchaser's behalf
        market.cancel_receivable_purchase(world.alice, rp.pk, "x")
    assert exc.value.status == 403


def test_cancel_before_application_or_after_withdrawal(world, buyer):
    rp = market.cancel_receivable_purchase(buyer, _record(world, buyer).pk, "协议解除")
    assert rp.status == "cancelled"
    rp = market.apply_for_purchase_certificate(buyer, _record(world, buyer).pk, maturity_date=days(90), offset_scope=("house",))
    issuance.withdraw_application(world.alice, rp.application_id)
    assert market.cancel_receivable_purchase(buyer, rp.pk, "企业撤回").status == "cancelled"


def test_api_book_and_pages(world, buyer, api, client):
    b = api(buyer)
    r = b.post("/certificates/receivable-purchases", {
        "seller_id": world.alice_org.pk, "original_debtor_name": "某开发商", "receivable_fen": 500_000_00, "price_fen": 450_000_00,
        "agreement_ref": "SG-API", "agreement_date": TODAY.isoformat()})
    assert r.status_code == 201, r.json()
    rid = r.json()["id"]
    r = b.post(f"/certificates/receivable-purchases/{rid}/apply", {"maturity_date": days(120).isoformat()})
    assert r.status_code == 400 and r.json()["field"] == "offset_scope"  # the scope is agreed, never assumed
    r = b.post(f"/certificates/receivable-purchases/{rid}/apply", {"maturity_date": days(120).isoformat(), "offset_scope": ["house"]})
    assert r.json()["application_status"] == "draft"
    app_id = ReceivablePurchase.objects.get(pk=rid).application_id
    attach_contract(buyer, ReceivablePurchase.objects.get(pk=rid).application)
    issuance.confirm_application(world.alice, app_id)
    check_contract(world.clerk, ReceivablePurchase.objects.get(pk=rid).application)
    issuance.prepare_review(world.clerk, app_id, "approve")
    issuance.decide_review(world.checker, app_id, True)
    book = b.get("/certificates/receivable-purchases/book").json()
    assert book["receivable_fen"] == 500_000_00 and book["certified_fen"] == 450_000_00
    assert book["outstanding_as_debtor_fen"] == 450_000_00 and book["purchases"][0]["certificate"]
    assert api(world.alice).get("/certificates/receivable-purchases/book").status_code == 403
    assert [x["id"] for x in api(world.alice).get("/certificates/receivable-purchases").json()["items"]] == [rid]
    assert api(world.outsider).get("/certificates/receivable-purchases").json()["items"] == []
    assert api(world.alice).post("/certificates/receivable-purchases", {
        "seller_id": world.bob_org.pk, "original_debtor_name": "x", "receivable_fen": 1, "price_fen": 1, "agreement_ref": "x",
        "agreement_date": TODAY.isoformat()}).status_code == 403
    client.force_login(buyer)
    html = client.get("/certificates/lifecycle/purchases/").content.decode()
    assert "收购台账" in html and "SG-API" in html
    r = client.post("/certificates/lifecycle/purchases/", {
        "seller": world.bob_org.pk, "original_debtor_name": "另一开发商", "receivable": "100,000", "price": "90,000",
        "agreement_ref": "SG-WEB", "agreement_date": TODAY.isoformat(), "description": ""})
    assert r.status_code == 302
    client.force_login(world.outsider)
    assert client.get(f"/certificates/lifecycle/purchases/{rid}/").status_code == 404
    client.force_login(world.alice)
    assert client.get(f"/certificates/lifecycle/purchases/{rid}/").status_code == 200


@pytest.mark.parametrize(("size", "ownership", "allowed"), [
    ("large", "", False), ("", "", False), ("large", "state", False), ("", "private", True), ("large", "private", True),
    ("medium", "", True), ("micro", "state", True),
])
def test_seller_must_be_sme_or_private(world, buyer, size, ownership, allowed):
    members.set_classification(world.clerk, world.carol_org.pk, "C", size, ownership)
    before = state()
    if allowed:
        assert _record(world, buyer, seller_id=world.carol_org.pk).seller == world.carol_org
        return
    with pytest.raises(DomainError) as exc:
        _record(world, buyer, seller_id=world.carol_org.pk)
    assert exc.value.code == "seller_not_sme_or_private" and exc.value.field == "seller_id" and "中小微企业或民营企业" in exc.value.message
    assert state() == before and not ReceivablePurchase.objects.exists()


def test_large_state_seller_refused_through_api_and_page(world, buyer, api, client):
    members.set_classification(world.clerk, world.carol_org.pk, "C", "large", "state")
    r = api(buyer).post("/certificates/receivable-purchases", {
        "seller_id": world.carol_org.pk, "original_debtor_name": "某开发商", "receivable_fen": 100_000_00, "price_fen": 90_000_00,
        "agreement_ref": "SG-1", "agreement_date": TODAY.isoformat()})
    assert r.status_code == 400 and r.json()["code"] == "seller_not_sme_or_private" and r.json()["field"] == "seller_id"
    client.force_login(buyer)
    page = client.post("/certificates/lifecycle/purchases/", {
        "seller": world.carol_org.pk, "original_debtor_name": "某开发商", "receivable": "100,000", "price": "90,000",
        "agreement_ref": "SG-WEB", "agreement_date": TODAY.isoformat(), "description": ""})
    assert page.status_code == 200 and "中小微企业或民营企业" in page.content.decode()
    assert not ReceivablePurchase.objects.exists()
    # another purchaser's organisation (wrong organisation): a member that is not a purchaser may not record at all
    assert api(world.outsider).post("/certificates/receivable-purchases", {
        "seller_id": world.alice_org.pk, "original_debtor_name": "x", "receivable_fen": 1, "price_fen": 1, "agreement_ref": "x",
        "agreement_date": TODAY.isoformat()}).status_code == 403


def test_ownership_classification_recorded_by_the_operator_only(world):
    from liuzhuan.core.errors import PermissionDenied

    with pytest.raises(DomainError) as exc:
        members.set_classification(world.clerk, world.carol_org.pk, "C", "small", "mixed")
    assert exc.value.field == "ownership"
    with pytest.raises(PermissionDenied):
        members.set_classification(world.carol, world.carol_org.pk, "C", "small", "private")
    world.carol_org.refresh_from_db()
    assert world.carol_org.ownership == ""
