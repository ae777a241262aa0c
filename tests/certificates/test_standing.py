"""会员资格 re-checked at every step that creates or moves a claim (seed 二(二)「完成会员注册…的主体」):
one rule, ``ledger.checks.require_standing``. A party suspended or closed after an earlier step
is refused at the next one, and nothing changes."""

import pytest

from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.certificates.issuance import actions as issuance
from liuzhuan.certificates.ledger.checks import Party, require_standing
from liuzhuan.certificates.offset import actions as offset
from liuzhuan.certificates.pledge import actions as pledging
from liuzhuan.certificates.purchase import actions as purchase
from liuzhuan.core.errors import DomainError
from liuzhuan.members.models import Organisation

from .conftest import app_input, confirm_and_check, issue
from .helpers import TODAY, commitment, days, end_lockup, pdf, pledge, purchaser, state


def _set(org, status):
    Organisation.objects.filter(pk=org.pk).update(status=status)


def _refused(call, code="party_not_in_standing", field=None):
    before = state()
    with pytest.raises(DomainError) as exc:
        call()
    assert exc.value.code == code, exc.value.message
    if field is not None:
        assert exc.value.field == field
    assert state() == before
    return exc.value


def test_the_rule(world):
    require_standing("办理", Party(world.alice_org.pk, "持有人"), Party(world.bob_org.pk, "债务人"))
    _set(world.bob_org, "closed")
    err = _refused(lambda: require_standing("办理", Party(world.alice_org.pk, "持有人"), Party(world.bob_org.pk, "债务人", "x")), field="x")
    assert "债务人“乙公司”当前状态为“已注销”" in err.message
    err = _refused(lambda: require_standing("质押", Party(world.regulator_org.pk, "质权人")), "party_not_member")
    # a party the actor chose by id: one message for unknown, inactive and non-member
    for pk in (world.bob_org.pk, world.regulator_org.pk, 987654, 10**30):
        _refused(lambda pk=pk: require_standing("受让", Party(pk, "受让方", "to_org_id", chosen=True)), "to_org_id_unavailable")


@pytest.mark.parametrize(("who", "status"), [("creditor", "suspended"), ("debtor", "closed")])
def test_issuance_approval(world, who, status):
    app = issuance.create_application(world.alice, app_input(world.bob_org))
    confirm_and_check(world, app)
    issuance.prepare_review(world.clerk, app.pk, "approve")
    _set(world.alice_org if who == "creditor" else world.bob_org, status)
    err = _refused(lambda: issuance.decide_review(world.checker, app.pk, True))
    assert ("债权人" if who == "creditor" else "债务人") in err.message
    app.refresh_from_db()
    assert app.status == "prepared"


def test_transfer_offer_and_acceptance(world):
    _, piece = issue(world)
    _set(world.carol_org, "suspended")
    _refused(lambda: circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, 100_00, "ZR"), "transferee_unavailable", "to_org_id")
    _set(world.carol_org, "active")
    t = circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, 100_00, "ZR")
    _set(world.alice_org, "suspended")  # the transferor, after offering
    err = _refused(lambda: circulation.accept_offer(world.carol, t.pk))
    assert "转让方“甲公司”" in err.message


def test_pledge_creation_registration_and_consented_transfer(world):
    _, piece = issue(world)
    _set(world.bank_org, "suspended")
    _refused(lambda: pledge(world, piece, 100_000_00, register=False), "pledgee_id_unavailable", "pledgee_id")
    _set(world.bank_org, "active")
    p = pledge(world, piece, 100_000_00, register=False)
    _set(world.alice_org, "suspended")  # the pledgor, before the pledge takes effect
    _refused(lambda: pledging.register_pledge(world.banker, p.pk, "0123456789ABCDEF", TODAY))
    _set(world.alice_org, "active")
    pledging.register_pledge(world.banker, p.pk, "0123456789ABCDEF", TODAY)
    req = pledging.request_pledged_transfer(world.alice, p.pk, world.carol_org.pk, "ZR-1")
    pledging.consent_pledged_transfer(world.banker, req.pk, True, "提前清偿")
    _set(world.alice_org, "closed")
    _refused(lambda: pledging.accept_pledged_transfer(world.carol, req.pk))


def test_sale_to_a_purchase_provider(world):
    cert, piece = issue(world)
    org, user = purchaser(world)
    c = end_lockup(commitment(world, cert, user))
    _set(org, "suspended")
    _refused(lambda: purchase.apply_sale(world.alice, piece.pk, c.pk, 400_000_00))
    _set(org, "active")
    sale = purchase.apply_sale(world.alice, piece.pk, c.pk, 400_000_00)
    _set(world.alice_org, "suspended")  # the seller, after applying
    _refused(lambda: purchase.confirm_sale(user, sale.pk, payment_fen=sale.price_fen, payment_date=TODAY, payment_ref="HX1"))


def test_offset_every_step(world):
    _, piece = issue(world)
    _set(world.bob_org, "suspended")  # the debtor
    _refused(lambda: offset.apply_offset(world.alice, piece.pk, "asset", piece.amount_fen))
    _set(world.bob_org, "active")
    asset = offset.add_asset(world.bob, kind="house", name="房", list_price_fen=100_00)
    off = offset.apply_offset(world.alice, piece.pk, "asset", piece.amount_fen)
    _set(world.alice_org, "suspended")  # the holder, after applying
    _refused(lambda: offset.offer_offset_options(world.bob, off.pk, asset_ids=[asset.pk]))
    _set(world.alice_org, "active")
    offset.offer_offset_options(world.bob, off.pk, asset_ids=[asset.pk])
    offset.propose_offset_price(world.alice, off.pk, 100_00, asset.pk)
    offset.accept_offset_price(world.bob, off.pk)
    for kind in ("delivery", "title"):
        offset.add_offset_evidence(world.bob, off.pk, kind, "x.pdf", pdf(kind))
    _set(world.alice_org, "closed")
    _refused(lambda: offset.record_offset_delivery(world.bob, off.pk, delivery_ref="JF", title_registration_ref="DJ"))
    _set(world.alice_org, "active")
    offset.record_offset_delivery(world.bob, off.pk, delivery_ref="JF", title_registration_ref="DJ")
    offset.confirm_offset_receipt(world.alice, off.pk)
    _set(world.alice_org, "closed")  # closed between receipt and the operator's registration
    err = _refused(lambda: offset.register_offset_cancellation(world.clerk, off.pk))
    assert "持有人“甲公司”当前状态为“已注销”" in err.message


def test_standing_is_not_a_way_round_wrong_organisation(world):
    """An outsider is still 404 (it learns nothing) even when a party has lost its standing."""
    _, piece = issue(world)
    _set(world.bob_org, "suspended")
    with pytest.raises(DomainError) as exc:
        offset.apply_offset(world.outsider, piece.pk, "asset", 100_00)
    assert exc.value.status == 404
    with pytest.raises(DomainError) as exc:
        pledging.create_pledge(world.outsider, piece.pk, world.bank_org.pk, 100_00, "ZY", 1, TODAY, days(3))
    assert exc.value.status == 404


def test_api_and_page_refusals(world, api, client):
    app = issuance.create_application(world.alice, app_input(world.bob_org))
    confirm_and_check(world, app)
    issuance.prepare_review(world.clerk, app.pk, "approve")
    _set(world.bob_org, "suspended")
    r = api(world.checker).post(f"/certificates/applications/{app.pk}/decide", {"agree": True})
    assert r.status_code == 400 and r.json()["code"] == "party_not_in_standing" and "债务人" in r.json()["message"]
    client.force_login(world.checker)
    r = client.post(f"/certificates/applications/{app.pk}/", {"form": "decide", "agree": "yes", "reason": ""}, follow=True)
    assert "债务人“乙公司”当前状态为“已暂停”，不能开具凭证" in r.content.decode()
