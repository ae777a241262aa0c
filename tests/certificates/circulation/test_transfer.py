import datetime as dt

import pytest

from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.certificates.fees import actions as fees
from liuzhuan.certificates.fees.models import FeeCharge
from liuzhuan.certificates.ledger.models import Piece, Transfer
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import Conflict, DomainError, NotFound
from liuzhuan.core.integrity import run_all
from liuzhuan.core.numbers import is_valid_number
from liuzhuan.members.models import Notification

from ...conftest import make_org


def test_whole_transfer_creates_new_piece_for_transferee(world, issued):
    cert, piece = issued
    offer = circulation.offer_transfer(world.alice, piece.pk, world.bank_org.pk, piece.amount_fen, "ZR-1")
    piece.refresh_from_db()
    assert piece.status == "offered" and offer.piece == piece
    done = circulation.accept_offer(world.banker, offer.pk)
    piece.refresh_from_db()
    assert piece.status == "transferred" and piece.holder == world.alice_org  # a piece's holder never changes
    new = done.new_piece
    assert new.holder == world.bank_org and new.amount_fen == cert.face_fen and new.parent == piece
    assert is_valid_number(done.registration_no)
    assert run_all().ok


def test_partial_transfer_splits(world, issued):
    cert, piece = issued
    offer = circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, 300_000_00, "ZR-2")
    piece.refresh_from_db()
    assert piece.status == "split"
    children = list(piece.children.order_by("id"))
    assert [(c.amount_fen, c.status, c.holder_id) for c in children] == [
        (300_000_00, "offered", world.alice_org.pk), (700_000_00, "live", world.alice_org.pk)]
    assert offer.piece == children[0]
    circulation.accept_offer(world.carol, offer.pk)
    assert sum(p.amount_fen for p in Piece.objects.filter(status__in=["live", "offered"])) == cert.face_fen
    assert run_all().ok


def test_accept_notifies_debtor_and_records_fee(world, issued):
    _cert, piece = issued
    fees.set_fee_rule(world.clerk, "transfer", "5", 1000, 100000, "split", today_china())
    offer = circulation.offer_transfer(world.alice, piece.pk, world.bank_org.pk, 123_456_78, "ZR-3")
    done = circulation.accept_offer(world.banker, offer.pk)
    assert done.fee_fen == 6173  # 12,345,678 fen × 5‱ = 6172.839 → 6173 (half-up)
    charges = {c.org_id: c.amount_fen for c in FeeCharge.objects.filter(transfer=done)}
    assert charges == {world.alice_org.pk: 3087, world.bank_org.pk: 3086}
    notice = Notification.objects.get(organisation=world.bob_org, kind="transfer_notice")
    assert notice.requires_ack and done.registration_no in notice.body and "清偿义务及方式不变" in notice.body
    from liuzhuan.members.actions import acknowledge

    acked = acknowledge(world.bob, notice.pk)
    assert acked.acknowledged_by == world.bob and acked.acknowledged_at


@pytest.mark.parametrize(
    ("amount", "code", "fragment"),
    [(1_000_000_01, "amount_exceeds_available", "¥1,000,000.01"), (50, "amount_below_min", "最小拆分单位"),
     (0, "amount_not_positive", "大于零"), (999_999_50, "remainder_below_min", "剩余金额")],
)
def test_bad_amounts_change_nothing(world, issued, amount, code, fragment):
    _, piece = issued
    with pytest.raises(DomainError) as exc:
        circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, amount, "ZR")
    assert exc.value.code == code and fragment in exc.value.message and exc.value.field == "amount_fen"
    piece.refresh_from_db()
    assert piece.status == "live" and Piece.objects.count() == 1 and not Transfer.objects.exists()


def test_above_available_names_both_amounts(world, issued):
    _, piece = issued
    with pytest.raises(DomainError) as exc:
        circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, 2_000_000_00, "ZR")
    assert "¥2,000,000.00" in exc.value.message and "¥1,000,000.00" in exc.value.message


def test_transferee_rules(world, issued):
    _, piece = issued
    with pytest.raises(DomainError) as exc:
        circulation.offer_transfer(world.alice, piece.pk, world.alice_org.pk, 100, "ZR")
    assert exc.value.code == "transfer_to_self"
    with pytest.raises(DomainError) as exc:
        circulation.offer_transfer(world.alice, piece.pk, make_org("暂停公司", status="suspended").pk, 100_00, "ZR")
    assert exc.value.code == "transferee_unavailable"
    with pytest.raises(DomainError) as exc:
        circulation.offer_transfer(world.alice, piece.pk, 987654, 100_00, "ZR")
    assert exc.value.code == "transferee_unavailable"
    with pytest.raises(DomainError) as exc:
        circulation.offer_transfer(world.alice, piece.pk, world.bob_org.pk, 100_00, " ")
    assert exc.value.field == "agreement_ref"


def test_transfer_of_piece_not_held_is_not_found(world, issued):
    _, piece = issued
    with pytest.raises(NotFound):
        circulation.offer_transfer(world.outsider, piece.pk, world.outsider_org.pk, 100_00, "ZR")
    with pytest.raises(NotFound):
        circulation.offer_transfer(world.bob, piece.pk, world.outsider_org.pk, 100_00, "ZR")


def test_ended_piece_cannot_move(world, issued):
    _, piece = issued
    circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, 100_00, "ZR")
    with pytest.raises(Conflict) as exc:
        circulation.offer_transfer(world.alice, piece.pk, world.bank_org.pk, 100_00, "ZR")
    assert exc.value.code == "piece_not_live" and "已拆分" in exc.value.message


def test_accepting_someone_elses_offer_is_not_found(world, issued):
    _, piece = issued
    offer = circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, 100_00, "ZR")
    for intruder in (world.outsider, world.banker, world.alice):
        with pytest.raises(NotFound):
            circulation.accept_offer(intruder, offer.pk)
    with pytest.raises(NotFound):
        circulation.cancel_offer(world.carol, offer.pk)
    offer.refresh_from_db()
    assert offer.status == "offered"


def test_decline_and_cancel_return_amount(world, issued):
    _, piece = issued
    offer = circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, 200_000_00, "ZR")
    circulation.decline_offer(world.carol, offer.pk, "价格不合适")
    offer.piece.refresh_from_db()
    assert offer.piece.status == "live" and offer.piece.holder == world.alice_org
    again = circulation.offer_transfer(world.alice, offer.piece_id, world.bank_org.pk, 200_000_00, "ZR-b")
    circulation.cancel_offer(world.alice, again.pk)
    with pytest.raises(Conflict):
        circulation.accept_offer(world.banker, again.pk)
    assert run_all().ok


def test_lapse_by_daily_job_is_idempotent(world, issued):
    from django.core.management import call_command

    _, piece = issued
    offer = circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, 100_00, "ZR")
    day_after = offer.deadline + dt.timedelta(days=1)
    assert circulation.lapse_expired_offers(offer.deadline) == 0  # still acceptable on the deadline itself
    call_command("daily", date=day_after.isoformat())
    offer.refresh_from_db()
    assert offer.status == "lapsed"
    offer.piece.refresh_from_db()
    assert offer.piece.status == "live"
    assert circulation.lapse_expired_offers(day_after) == 0
    assert run_all().ok


def test_multi_tier_chain_of_title(world, issued, api):
    _cert, piece = issued
    o1 = circulation.accept_offer(world.carol, circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, 600_000_00, "T1").pk)
    o2 = circulation.accept_offer(world.banker, circulation.offer_transfer(world.carol, o1.new_piece_id, world.bank_org.pk, 250_000_00, "T2").pk)
    r = api(world.banker).get(f"/certificates/pieces/{o2.new_piece_id}/chain")
    assert r.status_code == 200
    steps = r.json()
    assert [s["kind"] for s in steps] == ["issue", "split", "transfer", "split", "transfer"]
    assert [s["holder"] for s in steps][-1] == "丙银行" and steps[2]["registration_no"] == o1.registration_no
    assert steps[-1]["amount_fen"] == 250_000_00
    # earlier holder alice does not see the downstream piece; the debtor does
    assert api(world.alice).get(f"/certificates/pieces/{o2.new_piece_id}/chain").status_code == 404
    assert api(world.bob).get(f"/certificates/pieces/{o2.new_piece_id}").status_code == 200
    assert api(world.outsider).get(f"/certificates/pieces/{o2.new_piece_id}/chain").status_code == 404


def test_transfer_via_api_errors_name_field(world, issued, api):
    _, piece = issued
    r = api(world.alice).post(f"/certificates/pieces/{piece.pk}/transfer", {"to_org_id": world.carol_org.pk, "amount_fen": 5_000_000_00, "agreement_ref": "X"})
    assert r.status_code == 400 and r.json()["field"] == "amount_fen"
    r = api(world.outsider).post(f"/certificates/pieces/{piece.pk}/transfer", {"to_org_id": world.carol_org.pk, "amount_fen": 100_00, "agreement_ref": "X"})
    assert r.status_code == 404
    r = api(world.alice).post(f"/certificates/pieces/{piece.pk}/transfer", {"to_org_id": world.carol_org.pk, "amount_fen": 100_00, "agreement_ref": "X"})
    assert r.status_code == 201
    offer_id = r.json()["id"]
    assert api(world.outsider).post(f"/certificates/offers/{offer_id}/accept").status_code == 404
    r = api(world.carol).post(f"/certificates/offers/{offer_id}/accept")
    assert r.status_code == 200 and r.json()["registration_no"]
    r = api(world.carol).post(f"/certificates/offers/{offer_id}/accept")
    assert r.status_code == 409


def test_transfer_pages(world, issued, client):
    _, piece = issued
    client.force_login(world.alice)
    r = client.post(f"/certificates/pieces/{piece.pk}/", {"to_org": world.carol_org.pk, "amount": "2,000,000.00", "agreement_ref": "P"})
    assert r.status_code == 200 and "超过该分段可用金额" in r.content.decode()
    r = client.post(f"/certificates/pieces/{piece.pk}/", {"to_org": world.carol_org.pk, "amount": "1,000.00", "agreement_ref": "P"})
    assert r.status_code == 302
    client.force_login(world.outsider)
    assert client.get(f"/certificates/pieces/{piece.pk}/").status_code == 404
    client.force_login(world.carol)
    offer = Transfer.objects.get()
    assert client.post(f"/certificates/offers/{offer.pk}/accept/").status_code == 302
    offer.refresh_from_db()
    assert offer.status == "accepted"


def test_decline_rejects_other_org(world, issued):
    _, piece = issued
    offer = circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, 100_00, "ZR")
    for intruder in (world.outsider, world.alice):  # the transferor cannot decline on the transferee's behalf
        with pytest.raises(NotFound):
            circulation.decline_offer(intruder, offer.pk, "x")
    offer.refresh_from_db()
    assert offer.status == "offered"


def test_chain_of_title_query_count_does_not_grow_with_depth(world, issued, django_assert_max_num_queries):
    from liuzhuan.certificates.ledger.queries import chain_of_title

    _, piece = issued
    holders = [(world.alice, world.carol_org), (world.carol, world.bank_org), (world.banker, world.alice_org),
               (world.alice, world.carol_org)]
    for user, to_org in holders:
        offer = circulation.offer_transfer(user, piece.pk, to_org.pk, piece.amount_fen - 100_00, "T")
        piece = circulation.accept_offer(next(u for u in (world.alice, world.carol, world.banker) if u.organisation_id == to_org.pk), offer.pk).new_piece
    piece = Piece.objects.get(pk=piece.pk)
    with django_assert_max_num_queries(3):
        steps = chain_of_title(piece)
    assert len(steps) == 9 and [s.kind for s in steps][-2:] == ["split", "transfer"]


def test_transfer_only_between_members(world, issued):
    """Seed 三(三): 债权在债权管理服务机构会员间流转 — a non-member organisation cannot receive."""
    _, piece = issued
    for non_member in (world.regulator_org, world.operator):
        with pytest.raises(DomainError) as exc:
            circulation.offer_transfer(world.alice, piece.pk, non_member.pk, 100_00, "ZR")
        assert exc.value.code == "transferee_unavailable" and exc.value.field == "to_org_id"
    piece.refresh_from_db()
    assert piece.status == "live" and not Transfer.objects.exists()


def test_the_debtor_never_takes_its_own_claim(world, issued, api, client):
    """混同: a claim that reaches its debtor ends; the debtor settles by offset, so it is no transferee."""
    _, piece = issued
    with pytest.raises(DomainError) as exc:
        circulation.offer_transfer(world.alice, piece.pk, world.bob_org.pk, 100_00, "ZR")
    assert exc.value.code == "transferee_is_debtor" and exc.value.field == "to_org_id" and "抵付" in exc.value.message
    r = api(world.alice).post(f"/certificates/pieces/{piece.pk}/transfer", {"to_org_id": world.bob_org.pk, "amount_fen": 100_00, "agreement_ref": "X"})
    assert r.status_code == 400 and r.json()["field"] == "to_org_id" and r.json()["code"] == "transferee_is_debtor"
    # wrong organisation: an outsider naming the debtor learns nothing about the piece
    r = api(world.outsider).post(f"/certificates/pieces/{piece.pk}/transfer", {"to_org_id": world.bob_org.pk, "amount_fen": 100_00, "agreement_ref": "X"})
    assert r.status_code == 404
    client.force_login(world.alice)
    page = client.get(f"/certificates/pieces/{piece.pk}/").content.decode()
    assert f'value="{world.carol_org.pk}"' in page and f'value="{world.bob_org.pk}"' not in page  # not offered in the form
    r = client.post(f"/certificates/pieces/{piece.pk}/", {"to_org": world.bob_org.pk, "amount": "1,000.00", "agreement_ref": "P"})
    assert r.status_code == 200 and "选择一个有效的选项" in r.content.decode()
    piece.refresh_from_db()
    assert piece.status == "live" and Piece.objects.count() == 1 and not Transfer.objects.exists()


def test_an_offer_to_the_debtor_made_before_the_rule_cannot_be_accepted(world, issued):
    """Title passes at acceptance: the rule is checked there too (an older offer, or one made by hand)."""
    _, piece = issued
    offer = circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, 100_00, "ZR")
    Transfer.objects.filter(pk=offer.pk).update(to_org=world.bob_org)  # as if offered before the rule
    with pytest.raises(DomainError) as exc:
        circulation.accept_offer(world.bob, offer.pk)
    assert exc.value.code == "transferee_is_debtor"
    offer.refresh_from_db()
    assert offer.status == "offered" and not Piece.objects.filter(holder=world.bob_org).exists()
