"""Paying a merchant with certificate credit: by transfer (the merchant becomes holder) and by
consumption offset (the merchant is the debtor: the claim is cancelled by the operator's 注销登记
after the merchant settles, never by the merchant itself); conservation after each
step; cancel / refuse restore stock and credit; every refusal leaves everything as it was."""

from __future__ import annotations

import datetime as dt

import pytest

from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.certificates.ledger.models import Piece
from liuzhuan.certificates.offset import actions as offsetting
from liuzhuan.certificates.offset.models import OffsetApplication, OffsetEvidence
from liuzhuan.core.errors import DomainError
from liuzhuan.core.models import AuditEvent
from liuzhuan.merchants import actions as merchants
from liuzhuan.merchants.models import CatalogueItem, Order, Settlement
from liuzhuan.merchants.rules import Line

from ..certificates.helpers import days, pdf, pledge, state, verified
from .conftest import buy


def snapshot():
    return (state(), tuple(CatalogueItem.objects.order_by("pk").values_list("pk", "stock", "on_shelf")),
            tuple(Order.objects.order_by("pk").values_list("pk", "status")), Settlement.objects.count())


def live(org):
    return sum(Piece.objects.filter(holder=org, status="live").values_list("amount_fen", flat=True))


def test_transfer_purchase_end_to_end(world, market, cert_piece):
    _cert, piece = cert_piece
    order = buy(world.alice, market.profile, piece, (market.flour, 2), (market.service, 1))
    assert order.total_fen == 2 * 150_00 + 80_00 and order.status == "pending"
    market.flour.refresh_from_db()
    assert market.flour.stock == 3
    assert order.transfer.status == "offered" and order.transfer.to_org == market.shop_org
    assert verified()
    settlement = merchants.settle_order(market.shop, order.pk)
    order.refresh_from_db()
    assert order.status == "settled" and settlement.registration_no.startswith("BG")
    assert live(market.shop_org) == order.total_fen  # the merchant now holds the credit
    assert live(world.alice_org) == 10_000_00 - order.total_fen
    # the debtor was given notice of the assignment, as for any transfer
    assert world.bob_org.notifications.filter(kind="transfer_notice").exists()
    assert verified()
    # the merchant may pass it on
    held = Piece.objects.get(holder=market.shop_org, status="live")
    t = circulation.offer_transfer(market.shop, held.pk, world.carol_org.pk, held.amount_fen, "ZR-1")
    circulation.accept_offer(world.carol, t.pk)
    assert verified()
    assert AuditEvent.objects.filter(action="merchant.order_settle").count() == 1


def test_consumption_offset_purchase_end_to_end(world, market, cert_piece):
    cert, piece = cert_piece
    order = buy(world.alice, market.debtor_profile, piece, (market.oil, 2), mode="offset")
    assert order.offset.status == "agreed" and order.offset.price_fen == 240_00
    assert Piece.objects.get(pk=order.offset.piece_id).status == "offsetting"
    assert verified()
    settlement = merchants.settle_order(world.bob, order.pk)
    off = OffsetApplication.objects.get(pk=order.offset_id)
    # the merchant settled its counter: the claim waits for the operator's 注销登记, still reserved
    assert off.status == "received" and not off.cancellation_no and settlement.registration_no == off.number
    assert Piece.objects.get(pk=off.piece_id).status == "offsetting" and off.fee_fen == 0
    ev = OffsetEvidence.objects.get(offset=off)
    assert ev.kind == "settlement" and ev.content_type == "application/pdf"
    assert world.operator.notifications.filter(title__contains=off.number).exists()
    assert verified()  # a settled order with its offset awaiting registration is consistent
    off = offsetting.register_offset_cancellation(world.clerk, off.pk)
    assert off.status == "completed" and off.offset_fen == 240_00 and off.cancellation_no.startswith("ZX")
    assert off.completed_by == world.clerk and Piece.objects.get(pk=off.offset_piece_id).status == "offset"
    assert live(world.alice_org) == 10_000_00 - 240_00
    cert.refresh_from_db()
    assert cert.status == "active"
    assert verified()  # conservation and the completed-offset checks hold


def test_the_merchant_cannot_register_its_own_cancellation_nor_the_operator_return_it(world, market, cert_piece):
    """注销 is the operator's act (seed 二(一)1): the settling merchant, the buyer and an outsider
    are refused; the operator cannot send a settled counter offset back (the order is closed)."""
    _cert, piece = cert_piece
    order = buy(world.alice, market.debtor_profile, piece, (market.oil, 1), mode="offset")
    merchants.settle_order(world.bob, order.pk)
    before = state()
    for who in (world.bob, world.alice, world.outsider, world.inspector):
        with pytest.raises(DomainError):
            offsetting.register_offset_cancellation(who, order.offset_id)
    with pytest.raises(DomainError) as exc:
        offsetting.return_offset_delivery(world.clerk, order.offset_id, "结算单不清")
    assert exc.value.code == "counter_offset_settled" and state() == before


def test_the_operator_registers_a_batch_all_or_none(world, market, cert_piece):
    _cert, piece = cert_piece
    orders = [buy(world.alice, market.debtor_profile, piece, (market.oil, 1), mode="offset")]
    orders.append(buy(world.alice, market.debtor_profile, Piece.objects.get(holder=world.alice_org, status="live"), (market.oil, 1),
                      mode="offset"))
    for order in orders[:1]:
        merchants.settle_order(world.bob, order.pk)
    ids = [o.offset_id for o in orders]
    before = state()
    with pytest.raises(DomainError) as exc:  # the second is not settled yet: neither is registered
        offsetting.register_offset_cancellations(world.clerk, ids)
    assert exc.value.code == "offset_state" and state() == before
    merchants.settle_order(world.bob, orders[1].pk)
    done = offsetting.register_offset_cancellations(world.clerk, ids)
    assert [o.status for o in done] == ["completed", "completed"]
    assert len({o.cancellation_no for o in done}) == 2 and live(world.alice_org) == 10_000_00 - 2 * 120_00
    assert verified()
    with pytest.raises(DomainError) as exc:
        offsetting.register_offset_cancellations(world.clerk, [])
    assert exc.value.field == "offset_ids"


def test_offset_of_the_whole_piece_settles_the_certificate(world, market, cert_piece):
    _cert, piece = cert_piece
    item = merchants.add_item(world.bob, name="年货礼包", kind="goods", category="food", price_fen=10_000_00, stock=1)
    order = buy(world.alice, market.debtor_profile, piece, (item, 1), mode="offset")
    merchants.settle_order(world.bob, order.pk)
    piece.certificate.refresh_from_db()
    assert piece.certificate.status == "active"  # settled only once the operator registers
    offsetting.register_offset_cancellation(world.clerk, order.offset_id)
    piece.certificate.refresh_from_db()
    assert piece.certificate.status == "settled"
    assert verified()


@pytest.mark.parametrize("mode", ["transfer", "offset"])
def test_buyer_cancels_before_settlement_and_everything_comes_back(world, market, cert_piece, mode):
    _cert, piece = cert_piece
    profile, item = (market.profile, market.flour) if mode == "transfer" else (market.debtor_profile, market.oil)
    stock = item.stock
    order = buy(world.alice, profile, piece, (item, 2), mode=mode)
    merchants.cancel_order(world.alice, order.pk)
    order.refresh_from_db()
    item.refresh_from_db()
    assert order.status == "cancelled" and item.stock == stock
    assert live(world.alice_org) == 10_000_00
    assert verified()
    with pytest.raises(DomainError) as exc:
        merchants.settle_order(market.shop if mode == "transfer" else world.bob, order.pk)
    assert exc.value.code == "order_state"


@pytest.mark.parametrize("mode", ["transfer", "offset"])
def test_merchant_refuses_with_a_reason(world, market, cert_piece, mode):
    _cert, piece = cert_piece
    profile, item, user = ((market.profile, market.flour, market.shop) if mode == "transfer"
                           else (market.debtor_profile, market.oil, world.bob))
    order = buy(world.alice, profile, piece, (item, 1), mode=mode)
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        merchants.cancel_order(user, order.pk, "")
    assert exc.value.code == "reason_required" and snapshot() == before
    merchants.cancel_order(user, order.pk, "缺货")
    order.refresh_from_db()
    assert order.status == "refused" and live(world.alice_org) == 10_000_00
    assert verified()


def test_payment_lapsed_in_certificates_then_order_is_cancelled(world, market, cert_piece):
    _cert, piece = cert_piece
    order = buy(world.alice, market.profile, piece, (market.flour, 1))
    # nobody can withdraw it outside the order (see below), but the daily job lapses it when due
    assert circulation.lapse_expired_offers(order.transfer.deadline + dt.timedelta(days=1)) == 1
    with pytest.raises(DomainError) as exc:
        merchants.settle_order(market.shop, order.pk)
    assert exc.value.code == "payment_closed"
    merchants.cancel_order(world.alice, order.pk)
    market.flour.refresh_from_db()
    assert market.flour.stock == 5 and verified()


def test_counter_offset_closes_only_through_the_order(world, market, cert_piece):
    """The holder cannot withdraw a counter offset on the certificate pages: the order would wait
    on credit that is live again. Cancelling the order closes it."""
    from liuzhuan.certificates.offset import actions as offset_actions
    from liuzhuan.core.errors import Conflict

    _cert, piece = cert_piece
    order = buy(world.alice, market.debtor_profile, piece, (market.oil, 1), mode="offset")
    before = snapshot()
    with pytest.raises(Conflict) as exc:
        offset_actions.close_offset(world.alice, order.offset_id, "")
    assert exc.value.code == "managed_offset" and order.number in exc.value.message
    assert snapshot() == before
    merchants.cancel_order(world.alice, order.pk)
    assert live(world.alice_org) == 10_000_00 and verified()


# ---- wrong organisation, for every action ---------------------------------------------------------

def test_wrong_organisation_for_every_order_action(world, market, cert_piece):
    _cert, piece = cert_piece
    order = buy(world.alice, market.profile, piece, (market.flour, 1))
    before = snapshot()
    for fn in (lambda u: merchants.settle_order(u, order.pk), lambda u: merchants.cancel_order(u, order.pk, "不要了")):
        with pytest.raises(DomainError) as exc:
            fn(world.outsider)  # neither party: nothing to see
        assert exc.value.status == 404
    with pytest.raises(DomainError) as exc:
        merchants.settle_order(world.alice, order.pk)  # the buyer cannot settle its own order
    assert exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        merchants.settle_order(world.bob, order.pk)  # another merchant
    assert exc.value.status == 404
    with pytest.raises(DomainError) as exc:
        merchants.settle_order(world.inspector, order.pk)  # the regulator reads only
    assert exc.value.status in (403, 404)
    with pytest.raises(DomainError) as exc:  # paying with a piece someone else holds
        buy(world.outsider, market.profile, piece, (market.flour, 1))
    assert exc.value.status == 404
    assert snapshot() == before


def test_wrong_organisation_for_catalogue_actions(world, market):
    before = snapshot()
    for user in (world.outsider, world.bob):  # a member that is no merchant; another merchant
        for fn in (lambda u: merchants.edit_item(u, market.flour.pk, name="x", kind="goods", category="food", price_fen=1, stock=1),
                   lambda u: merchants.set_shelf(u, market.flour.pk, False)):
            with pytest.raises(DomainError) as exc:
                fn(user)
            assert exc.value.status in (403, 404)
    with pytest.raises(DomainError) as exc:
        merchants.add_item(world.outsider, name="x", kind="goods", category="food", price_fen=1, stock=1)
    assert exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        merchants.save_profile(world.alice, shop_name="甲", category="retail", address="a", contact_name="b", contact_phone="c")
    assert exc.value.status == 403
    assert snapshot() == before


# ---- refusals ---------------------------------------------------------------------------------

def test_refusals_leave_everything_unchanged(world, market, cert_piece):
    _cert, piece = cert_piece
    expired = merchants.add_item(market.shop, name="月饼券", kind="goods", category="food", price_fen=50_00, stock=9,
                                 valid_from=days(-30), valid_until=days(-1))
    shelved = merchants.set_shelf(market.shop, merchants.add_item(market.shop, name="旧款", kind="goods", category="food",
                                                                   price_fen=50_00, stock=9).pk, False)
    big = merchants.add_item(market.shop, name="收割机", kind="goods", category="equipment", price_fen=20_000_00, stock=1)
    cases = [
        ((market.flour, 6), "transfer", "stock_out", None),
        ((expired, 1), "transfer", "item_expired", "lines[0].item_id"),
        ((shelved, 1), "transfer", "item_off_shelf", "lines[0].item_id"),
        ((big, 1), "transfer", "amount_exceeds_available", "piece_id"),
        ((market.flour, 1), "offset", "mode_not_accepted", "mode"),  # the shop accepts transfers only? no: not the debtor
        ((market.oil, 1), "transfer", "transferee_is_debtor", "merchant_id"),  # credit never goes to its own debtor
    ]
    merchants.save_profile(market.shop, shop_name="万家福超市", category="retail", address="临河区", contact_name="何",
                           contact_phone="1", accepts_transfer=True, accepts_offset=False)
    before = snapshot()
    for (item, qty), mode, code, field in cases:
        profile = market.debtor_profile if item == market.oil else market.profile
        with pytest.raises(DomainError) as exc:
            buy(world.alice, profile, piece, (item, qty), mode=mode)
        assert (exc.value.code, exc.value.field) == (code, field) if field else exc.value.code == code
        assert snapshot() == before


def test_offset_needs_the_merchant_to_be_the_debtor(world, market, cert_piece):
    _cert, piece = cert_piece
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        buy(world.alice, market.profile, piece, (market.flour, 1), mode="offset")
    assert exc.value.code == "not_the_debtor" and exc.value.field == "piece_id" and snapshot() == before


def test_offset_needs_consumption_in_the_certificates_scope(world, market):
    from ..certificates.conftest import issue

    _cert, piece = issue(world, 1_000_00)  # scope: houses only
    with pytest.raises(DomainError) as exc:
        buy(world.alice, market.debtor_profile, piece, (market.oil, 1), mode="offset")
    assert exc.value.code == "offset_kind_not_agreed"


def test_pledged_or_frozen_piece_cannot_pay(world, market, cert_piece):
    _cert, piece = cert_piece
    pledge(world, piece)
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        buy(world.alice, market.profile, piece, (market.flour, 1))
    assert exc.value.code == "piece_pledged" and snapshot() == before


def test_piece_reserved_for_an_offset_cannot_pay(world, market, cert_piece):
    _cert, piece = cert_piece
    offsetting.apply_offset(world.alice, piece.pk, "consumption", piece.amount_fen)
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        buy(world.alice, market.profile, piece, (market.flour, 1))
    assert exc.value.code == "piece_reserved_offset" and snapshot() == before


def test_merchant_not_yet_approved_cannot_publish_or_be_paid(world, market, cert_piece):
    _cert, piece = cert_piece
    from liuzhuan.members.models import OrgStatus

    type(market.shop_org).objects.filter(pk=market.shop_org.pk).update(status=OrgStatus.PENDING)
    market.shop.organisation.refresh_from_db()
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        merchants.add_item(market.shop, name="新品", kind="goods", category="food", price_fen=1_00, stock=1)
    assert exc.value.code == "merchant_not_approved"
    with pytest.raises(DomainError) as exc:
        buy(world.alice, market.profile, piece, (market.flour, 1))
    assert (exc.value.code, exc.value.field) == ("merchant_not_approved", "merchant_id")
    assert snapshot() == before
    # the profile itself may be prepared while the review is pending
    merchants.save_profile(market.shop, shop_name="万家福超市（新）", category="retail", address="临河区", contact_name="何",
                           contact_phone="1")


def test_bad_lines_name_the_field(world, market, cert_piece):
    _cert, piece = cert_piece
    for lines, code, field in (([], "lines_required", "lines"), ([Line(market.flour.pk, 0)], "quantity_not_positive", "lines[0].quantity"),
                               ([Line(999999, 1)], "item_unavailable", "lines[0].item_id")):
        with pytest.raises(DomainError) as exc:
            merchants.place_order(world.alice, market.profile.pk, lines, mode="transfer", piece_id=piece.pk)
        assert (exc.value.code, exc.value.field) == (code, field)
    with pytest.raises(DomainError) as exc:
        merchants.place_order(world.alice, market.profile.pk, [Line(market.flour.pk, 1)], mode="cash", piece_id=piece.pk)
    assert exc.value.field == "mode"
    # an item of another merchant is not on this merchant's list
    with pytest.raises(DomainError) as exc:
        merchants.place_order(world.alice, market.profile.pk, [Line(market.oil.pk, 1)], mode="transfer", piece_id=piece.pk)
    assert exc.value.code == "item_unavailable"


def test_counter_settle_refuses_an_ordinary_consumption_offset(world, market, cert_piece):
    """The counter hook finishes only the offsets it opened, never one agreed case by case."""
    from liuzhuan.certificates.offset import counter

    _cert, piece = cert_piece
    off = offsetting.apply_offset(world.alice, piece.pk, "consumption", 1_000_00)
    offsetting.offer_offset_options(world.bob, off.pk, consumption_scope="门市部日用品")
    offsetting.propose_offset_price(world.alice, off.pk, 1_000_00)
    offsetting.accept_offset_price(world.bob, off.pk)
    before = state()
    with pytest.raises(DomainError) as exc:
        counter.settle_counter_offset(world.bob, off.pk, settlement_ref="JS-1", slip_name="a.pdf", slip=pdf("x"))
    assert exc.value.code == "not_counter_offset" and state() == before


def test_a_transfer_paying_an_order_is_decided_only_through_the_order(world, market, cert_piece, api, client):
    # The offer behind a transfer-mode order belongs to the order: were the merchant to accept it
    # in its inbox, the buyer could still cancel the order (stock back, the credit gone); were
    # the buyer to withdraw it, the order would stay open with nothing reserved. The actions, the
    # API and the dashboard all send both sides to the order, and nothing changes.
    _cert, piece = cert_piece
    order = buy(world.alice, market.profile, piece, (market.flour, 1))
    t = order.transfer
    assert t.managed_by == f"特约商户订单 {order.number}"
    before = snapshot()
    for attempt in (lambda: circulation.accept_offer(market.shop, t.pk),
                    lambda: circulation.accept_offers(market.shop, [t.pk]),
                    lambda: circulation.decline_offer(market.shop, t.pk, "不要"),
                    lambda: circulation.cancel_offer(world.alice, t.pk)):
        with pytest.raises(DomainError) as exc:
            attempt()
        assert exc.value.code == "managed_offer" and order.number in exc.value.message
    for who, path, body in ((market.shop, f"/offers/{t.pk}/accept", None), (market.shop, "/offers/accept", {"transfer_ids": [t.pk]}),
                            (market.shop, f"/offers/{t.pk}/decline", {"reason": "x"}), (world.alice, f"/offers/{t.pk}/cancel", None)):
        r = api(who).post(f"/certificates{path}", body)
        assert r.status_code == 409 and r.json()["code"] == "managed_offer", (path, r.json())
    assert api(market.shop).get("/certificates/offers").json()[0]["managed_by"] == t.managed_by
    client.force_login(market.shop)
    page = client.get("/certificates/").content.decode()
    assert f"{t.managed_by}：在订单中结算或拒绝" in page and f'value="{t.pk}" form="accept-selected"' not in page
    r = client.post(f"/certificates/offers/{t.pk}/accept/", follow=True)
    assert "请在该业务中办理" in r.content.decode()
    assert snapshot() == before and verified()
    # the wrong organisation learns nothing more than before: the offer is not its own
    with pytest.raises(DomainError) as exc:
        circulation.accept_offer(world.carol, t.pk, managed=True)
    assert exc.value.code == "not_found"
    # through the order both ways still work: the buyer cancels, and a new order is settled
    merchants.cancel_order(world.alice, order.pk)
    t.refresh_from_db()
    assert t.status == "cancelled" and live(world.alice_org) == 10_000_00
    piece = Piece.objects.filter(holder=world.alice_org, status="live").order_by("-amount_fen").first()
    order = buy(world.alice, market.profile, piece, (market.flour, 1))
    merchants.settle_order(market.shop, order.pk)
    order.transfer.refresh_from_db()
    assert order.transfer.status == "accepted" and live(market.shop_org) == order.total_fen and verified()


def test_migration_gives_older_orders_offers_to_their_orders(world, market, cert_piece):
    import importlib

    from django.apps import apps

    from liuzhuan.certificates.ledger.models import Transfer

    _cert, piece = cert_piece
    order = buy(world.alice, market.profile, piece, (market.flour, 1))
    Transfer.objects.filter(pk=order.transfer_id).update(managed_by="")  # as placed before the field
    rest = Piece.objects.filter(holder=world.alice_org, status="live").order_by("-amount_fen").first()
    plain = circulation.offer_transfer(world.alice, rest.pk, world.carol_org.pk, 100_00, "ZR-9")
    importlib.import_module("liuzhuan.merchants.migrations.0002_order_transfers_managed").forwards(apps, None)
    assert Transfer.objects.get(pk=order.transfer_id).managed_by == f"特约商户订单 {order.number}"
    assert Transfer.objects.get(pk=plain.pk).managed_by == ""
