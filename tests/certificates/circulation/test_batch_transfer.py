"""批量转让 and 批量签收: many transfers in one atomic action, each still its own registration."""

import pytest

from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.certificates.circulation.actions import OfferItem
from liuzhuan.certificates.fees import actions as fees
from liuzhuan.certificates.fees.models import FeeCharge
from liuzhuan.certificates.ledger.models import Piece, Transfer
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from liuzhuan.core.integrity import run_all
from liuzhuan.core.models import AuditEvent
from liuzhuan.core.numbers import is_valid_number
from liuzhuan.members.models import Notification

from ..conftest import issue


def _snapshot():
    return (Piece.objects.count(), list(Piece.objects.order_by("id").values_list("status", flat=True)), Transfer.objects.count(),
            list(Transfer.objects.order_by("id").values_list("status", flat=True)), Notification.objects.count(),
            AuditEvent.objects.count(), FeeCharge.objects.count())


def test_one_piece_split_to_several_suppliers(world, issued):
    cert, piece = issued
    offers = circulation.offer_transfers(world.alice, [
        OfferItem(piece.pk, world.carol_org.pk, 100_000_00, "PAY-1"),
        OfferItem(piece.pk, world.bank_org.pk, 250_000_00, "PAY-2"),
        OfferItem(piece.pk, world.carol_org.pk, 50_000_00, "PAY-3"),
    ])
    piece.refresh_from_db()
    assert piece.status == "split"
    children = list(piece.children.order_by("id"))
    # the parts in item order, then the live remainder, numbered on from the certificate's count
    assert [(c.amount_fen, c.status) for c in children] == [
        (100_000_00, "offered"), (250_000_00, "offered"), (50_000_00, "offered"), (600_000_00, "live")]
    assert [c.number for c in children] == [f"{cert.number}-{n:03d}" for n in (2, 3, 4, 5)]
    assert [o.piece_id for o in offers] == [c.pk for c in children[:3]]
    assert [o.to_org_id for o in offers] == [world.carol_org.pk, world.bank_org.pk, world.carol_org.pk]
    cert.refresh_from_db()
    assert cert.piece_count == 5
    # one inbox notice per transferee: bob's two lines are summed in one
    bob_notes = Notification.objects.filter(organisation=world.carol_org, title__startswith="收到")
    assert [n.title for n in bob_notes] == ["收到 2 笔凭证转让：合计 ¥150,000.00"]
    assert Notification.objects.filter(organisation=world.bank_org, title="收到凭证转让：¥250,000.00").count() == 1
    assert AuditEvent.objects.filter(action="piece.offer").count() == 3
    assert run_all().ok


def test_accept_many_each_gets_registration_fee_notice_and_event(world):
    fees.set_fee_rule(world.clerk, "transfer", "5", 100, None, "split", today_china())
    _, piece = issue(world)
    offers = circulation.offer_transfers(world.alice, [OfferItem(piece.pk, world.bank_org.pk, amt, f"B{n}")
                                                       for n, amt in enumerate((100_000_00, 200_000_00, 300_000_00))])
    done = circulation.accept_offers(world.banker, [o.pk for o in reversed(offers)])
    assert [t.pk for t in done] == [o.pk for o in reversed(offers)]  # results in the order asked
    numbers = [t.registration_no for t in done]
    assert all(is_valid_number(n) for n in numbers) and len(set(numbers)) == 3
    assert [int(n[6:12]) for n in numbers] == sorted(int(n[6:12]) for n in numbers)  # one consecutive block
    for t in done:
        t.refresh_from_db()
        assert t.status == "accepted" and t.new_piece.holder_id == world.bank_org.pk and t.new_piece.amount_fen == t.amount_fen
        assert t.fee_fen == t.amount_fen * 5 // 10000
        assert dict(FeeCharge.objects.filter(transfer=t).values_list("org_id", "amount_fen")) == {
            world.alice_org.pk: t.fee_fen // 2, world.bank_org.pk: t.fee_fen // 2}
        # the debtor gets a notice per registration, to acknowledge each
        note = Notification.objects.get(organisation=world.bob_org, kind="transfer_notice", object_id=str(t.pk))
        assert note.requires_ack and t.registration_no in note.body and world.alice_org.name in note.body
    assert AuditEvent.objects.filter(action="piece.transfer_accept").count() == 3
    summary = Notification.objects.get(organisation=world.alice_org, kind="transfer_batch")
    assert summary.title == "3 笔转让已被接收：合计 ¥600,000.00"
    assert run_all().ok


@pytest.mark.parametrize(("bad", "code", "field"), [
    (OfferItem(0, 0, 50, "X"), "amount_below_min", "items[2].amount_fen"),
    (OfferItem(0, 0, 0, "X"), "amount_not_positive", "items[2].amount_fen"),
    (OfferItem(0, 0, 100_00, " "), "agreement_required", "items[2].agreement_ref"),
    (OfferItem(0, -1, 100_00, "X"), "transfer_to_self", "items[2].to_org_id"),
    (OfferItem(0, 987654, 100_00, "X"), "transferee_unavailable", "items[2].to_org_id"),
    (OfferItem(0, -2, 100_00, "X"), "transferee_is_debtor", "items[2].to_org_id"),  # 混同: never to the debtor
])
def test_one_bad_line_refuses_the_whole_batch_and_names_it(world, issued, bad, code, field):
    _, piece = issued
    to = {0: world.bank_org.pk, -1: world.alice_org.pk, -2: world.bob_org.pk}.get(bad.to_org_id, bad.to_org_id)
    items = [OfferItem(piece.pk, world.carol_org.pk, 100_00, "OK-1"), OfferItem(piece.pk, world.bank_org.pk, 200_00, "OK-2"),
             OfferItem(piece.pk, to, bad.amount_fen, bad.agreement_ref)]
    before = _snapshot()
    with pytest.raises(DomainError) as exc:
        circulation.offer_transfers(world.alice, items)
    assert exc.value.code == code and exc.value.field == field and exc.value.message.startswith("第 3 笔：")
    assert _snapshot() == before


def test_lines_on_one_piece_cannot_exceed_it_or_leave_a_crumb(world, issued):
    _, piece = issued
    before = _snapshot()
    with pytest.raises(DomainError) as exc:
        circulation.offer_transfers(world.alice, [OfferItem(piece.pk, world.carol_org.pk, 600_000_00, "A"),
                                                  OfferItem(piece.pk, world.bank_org.pk, 500_000_00, "B")])
    assert exc.value.code == "amount_exceeds_available" and exc.value.field == "items[1].amount_fen"
    assert "合计 ¥1,100,000.00" in exc.value.message and "¥1,000,000.00" in exc.value.message
    with pytest.raises(DomainError) as exc:
        circulation.offer_transfers(world.alice, [OfferItem(piece.pk, world.carol_org.pk, 600_000_00, "A"),
                                                  OfferItem(piece.pk, world.bank_org.pk, 399_999_50, "B")])
    assert exc.value.code == "remainder_below_min" and exc.value.field == "items[1].amount_fen"
    assert _snapshot() == before
    # exactly the whole piece in two lines: split into two parts, no remainder
    circulation.offer_transfers(world.alice, [OfferItem(piece.pk, world.carol_org.pk, 600_000_00, "A"),
                                              OfferItem(piece.pk, world.bank_org.pk, 400_000_00, "B")])
    assert sorted(piece.children.values_list("amount_fen", "status")) == [(400_000_00, "offered"), (600_000_00, "offered")]
    assert run_all().ok


def test_batch_of_someone_elses_piece_is_not_found_and_changes_nothing(world, issued):
    """Wrong organisation: a line naming another member's piece refuses the batch as 404."""
    _, piece = issued
    _, second = issue(world)  # a second certificate, held by alice too
    mine = circulation.offer_transfer(world.alice, second.pk, world.carol_org.pk, second.amount_fen, "X")
    carols_piece = circulation.accept_offer(world.carol, mine.pk).new_piece
    before = _snapshot()
    with pytest.raises(NotFound) as exc:
        circulation.offer_transfers(world.alice, [OfferItem(piece.pk, world.bank_org.pk, 100_00, "A"),
                                                  OfferItem(carols_piece.pk, world.bank_org.pk, 100_00, "B")])
    assert exc.value.field == "items[1]" and exc.value.message == "第 2 笔：凭证分段不存在"
    with pytest.raises(NotFound):
        circulation.offer_transfers(world.outsider, [OfferItem(piece.pk, world.outsider_org.pk, 100_00, "A")])
    with pytest.raises(PermissionDenied):  # regulators read, never act
        circulation.offer_transfers(world.inspector, [OfferItem(piece.pk, world.carol_org.pk, 100_00, "A")])
    assert _snapshot() == before


def test_accepting_a_batch_with_another_members_offer_accepts_none(world, issued):
    """Wrong organisation: one offer addressed to someone else refuses the whole batch as 404."""
    _, piece = issued
    to_bank = circulation.offer_transfers(world.alice, [OfferItem(piece.pk, world.bank_org.pk, 100_00, "A"),
                                                        OfferItem(piece.pk, world.bank_org.pk, 200_00, "B")])
    to_bob = circulation.offer_transfer(world.alice, piece.children.get(status="live").pk, world.carol_org.pk, 300_00, "C")
    before = _snapshot()
    with pytest.raises(NotFound) as exc:
        circulation.accept_offers(world.banker, [to_bank[0].pk, to_bob.pk, to_bank[1].pk])
    assert exc.value.field == "transfer_ids[1]"
    for intruder in (world.outsider, world.alice, world.carol):
        with pytest.raises(NotFound):
            circulation.accept_offers(intruder, [o.pk for o in to_bank])
    assert _snapshot() == before
    assert [t.status for t in circulation.accept_offers(world.banker, [o.pk for o in to_bank])] == ["accepted", "accepted"]


def test_accepting_a_closed_offer_in_a_batch_is_a_conflict(world, issued):
    _, piece = issued
    offers = circulation.offer_transfers(world.alice, [OfferItem(piece.pk, world.carol_org.pk, 100_00, "A"),
                                                       OfferItem(piece.pk, world.carol_org.pk, 200_00, "B")])
    circulation.decline_offer(world.carol, offers[1].pk, "价格不符")
    before = _snapshot()
    with pytest.raises(Conflict) as exc:
        circulation.accept_offers(world.carol, [o.pk for o in offers])
    assert exc.value.code == "offer_closed" and exc.value.field == "transfer_ids[1]" and "已拒收" in exc.value.message
    assert _snapshot() == before


def test_batch_sizes(world, issued):
    _, piece = issued
    with pytest.raises(DomainError) as exc:
        circulation.offer_transfers(world.alice, [])
    assert exc.value.code == "batch_empty" and exc.value.field == "items"
    with pytest.raises(DomainError) as exc:
        circulation.offer_transfers(world.alice, [OfferItem(piece.pk, world.carol_org.pk, 100, "A")] * (circulation.MAX_BATCH + 1))
    assert exc.value.code == "batch_too_large" and str(circulation.MAX_BATCH) in exc.value.message
    offer = circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, 100_00, "A")
    with pytest.raises(DomainError) as exc:
        circulation.accept_offers(world.carol, [offer.pk, offer.pk])
    assert exc.value.code == "transfer_ids_duplicate"
    with pytest.raises(DomainError) as exc:
        circulation.accept_offers(world.carol, [])
    assert exc.value.code == "batch_empty" and exc.value.field == "transfer_ids"


def test_batch_api(world, issued, api):
    _, piece = issued
    url = "/certificates/transfers/batch"
    r = api(world.alice).post(url, {"items": [{"piece_id": piece.pk, "to_org_id": world.carol_org.pk, "amount_fen": 100_00, "agreement_ref": "A"},
                                              {"piece_id": piece.pk, "to_org_id": world.carol_org.pk, "amount_fen": 5_000_000_00, "agreement_ref": "B"}]})
    assert r.status_code == 400 and r.json()["field"] == "items[1].amount_fen" and r.json()["message"].startswith("第 2 笔")
    r = api(world.outsider).post(url, {"items": [{"piece_id": piece.pk, "to_org_id": world.carol_org.pk, "amount_fen": 100_00, "agreement_ref": "A"}]})
    assert r.status_code == 404
    r = api(world.alice).post(url, {"items": [{"piece_id": piece.pk, "to_org_id": world.carol_org.pk, "amount_fen": 100_00, "agreement_ref": "A"}] * 2})
    assert r.status_code == 201 and [t["status"] for t in r.json()] == ["offered", "offered"]
    ids = [t["id"] for t in r.json()]
    assert api(world.outsider).post("/certificates/offers/accept", {"transfer_ids": ids}).status_code == 404
    assert api(world.inspector).post("/certificates/offers/accept", {"transfer_ids": ids}).status_code == 403
    r = api(world.carol).post("/certificates/offers/accept", {"transfer_ids": ids})
    assert r.status_code == 200 and all(t["registration_no"] and t["new_piece"] for t in r.json())
    r = api(world.carol).post("/certificates/offers/accept", {"transfer_ids": ["x"]})
    assert r.status_code == 422 and r.json()["field"].startswith("transfer_ids")
    assert Transfer.objects.filter(status="accepted").count() == 2


def test_accept_selected_on_the_dashboard(world, issued, client):
    _, piece = issued
    offers = circulation.offer_transfers(world.alice, [OfferItem(piece.pk, world.carol_org.pk, amt, "P") for amt in (100_00, 200_00)])
    client.force_login(world.carol)
    page = client.get("/certificates/").content.decode()
    assert 'form="accept-selected"' in page and "接收所选" in page
    r = client.post("/certificates/offers/accept/", {"transfer_ids": [o.pk for o in offers]}, follow=True)
    assert "已接收 2 笔，合计 ¥300.00" in r.content.decode()
    assert set(Transfer.objects.values_list("status", flat=True)) == {"accepted"}


def test_accept_selected_refuses_wrong_organisation_and_bad_input(world, issued, client):
    _, piece = issued
    offer = circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, 100_00, "P")
    client.force_login(world.outsider)
    r = client.post("/certificates/offers/accept/", {"transfer_ids": [offer.pk]}, follow=True)
    assert "转让不存在" in r.content.decode()
    client.force_login(world.carol)
    r = client.post("/certificates/offers/accept/", {"transfer_ids": ["abc"]}, follow=True)
    assert "所选转让不正确" in r.content.decode()
    r = client.post("/certificates/offers/accept/", {}, follow=True)
    assert "请先勾选" in r.content.decode()
    assert client.get("/certificates/offers/accept/").status_code == 405
    offer.refresh_from_db()
    assert offer.status == "offered"


def test_batch_transfer_form_on_the_piece_page(world, issued, client):
    _, piece = issued
    client.force_login(world.alice)
    url = f"/certificates/pieces/{piece.pk}/"
    assert "批量转让（拆分给多家）" in client.get(url).content.decode()
    lines = f"{world.carol_org.legal_id}\t120,000.00\tZR-1\n\n{world.bank_org.name}，30,000.00，ZR-2\n"
    r = client.post(url, {"form": "batch", "lines": lines}, follow=True)
    assert "已发出 2 笔转让，合计 ¥150,000.00" in r.content.decode()
    assert sorted(Transfer.objects.values_list("to_org_id", "amount_fen", "agreement_ref")) == sorted(
        [(world.carol_org.pk, 120_000_00, "ZR-1"), (world.bank_org.pk, 30_000_00, "ZR-2")])
    assert piece.children.get(status="live").amount_fen == 850_000_00


@pytest.mark.parametrize(("lines", "message"), [
    ("戊公司，12，ZR\n\n不存在公司，1.00，ZR", "第 2 笔受让方“不存在公司”不存在或不是正常状态的会员"),
    ("戊公司，abc，ZR", "第 1 笔金额"),
    ("戊公司，1.00", "第 1 笔应为“受让方，金额，协议编号”三项"),
    ("监管局，1.00，ZR", "第 1 笔受让方“监管局”不存在或不是正常状态的会员"),  # active, but not a member
    ("戊公司，2,000,000.00，ZR", "转让金额 ¥2,000,000.00 超过该分段可用金额"),
    ("戊公司，1.00，A\n丙银行，2,000,000.00，B", "第 2 笔：本批从该分段转让合计 ¥2,000,001.00 超过该分段可用金额"),
    ("   \n", "请至少填写一行"),
])
def test_batch_transfer_form_errors_change_nothing(world, issued, client, lines, message):
    _, piece = issued
    client.force_login(world.alice)
    r = client.post(f"/certificates/pieces/{piece.pk}/", {"form": "batch", "lines": lines})
    assert r.status_code == 200 and message in r.content.decode()
    assert not Transfer.objects.exists() and Piece.objects.count() == 1


def test_batch_transfer_form_wrong_organisation(world, issued, client):
    _, piece = issued
    client.force_login(world.bob)  # the debtor sees the piece but does not hold it
    r = client.post(f"/certificates/pieces/{piece.pk}/", {"form": "batch", "lines": "丙银行，1.00，ZR"})
    assert r.status_code == 404 and not Transfer.objects.exists()
    client.force_login(world.outsider)
    assert client.post(f"/certificates/pieces/{piece.pk}/", {"form": "batch", "lines": "丙银行，1.00，ZR"}).status_code == 404


def test_ids_no_row_can_have_are_refused_not_a_crash(world, issued, api, client):
    """A 64-bit overflow must not reach the driver (it raises there): the API's schema refuses it
    naming the field (422); the page's form finds nothing."""
    _, piece = issued
    huge = 2**70
    r = api(world.alice).post("/certificates/transfers/batch", {"items": [
        {"piece_id": huge, "to_org_id": world.bob_org.pk, "amount_fen": 100_00, "agreement_ref": "A"}]})
    assert r.status_code == 422 and r.json()["field"] == "items[0].piece_id"
    r = api(world.alice).post("/certificates/transfers/batch", {"items": [
        {"piece_id": piece.pk, "to_org_id": huge, "amount_fen": 100_00, "agreement_ref": "A"}]})
    assert r.status_code == 422 and r.json()["field"] == "items[0].to_org_id"
    r = api(world.bob).post("/certificates/offers/accept", {"transfer_ids": [huge, -1]})
    assert r.status_code == 422 and r.json()["field"] == "transfer_ids[0]"
    assert api(world.bob).post(f"/certificates/offers/{huge}/accept").status_code == 422
    client.force_login(world.bob)
    r = client.post("/certificates/offers/accept/", {"transfer_ids": [str(huge)]}, follow=True)
    assert "转让不存在" in r.content.decode()
    assert not Transfer.objects.exists()


def test_batch_form_legal_id_cannot_be_shadowed_by_a_name(world, issued, client):
    """An organisation named after another's legal ID never receives that other's line."""
    from ...conftest import make_org

    _, piece = issued
    impostor = make_org(world.carol_org.legal_id, "member")  # its *name* is bob's USCC
    client.force_login(world.alice)
    url = f"/certificates/pieces/{piece.pk}/"
    # bob suspended: the line is refused, not redirected to the impostor
    world.carol_org.status = "suspended"
    world.carol_org.save(update_fields=["status"])
    r = client.post(url, {"form": "batch", "lines": f"{world.carol_org.legal_id}，1.00，C"})
    assert "第 1 笔受让方" in r.content.decode() and "不存在或不是正常状态的会员" in r.content.decode()
    assert not Transfer.objects.exists()
    world.carol_org.status = "active"
    world.carol_org.save(update_fields=["status"])
    r = client.post(url, {"form": "batch", "lines": f"{world.carol_org.legal_id.lower()}｜1.00｜A\n{world.bank_org.name}|2.00|B"}, follow=True)
    assert "已发出 2 笔转让" in r.content.decode()
    assert sorted(Transfer.objects.values_list("to_org_id", flat=True)) == sorted([world.carol_org.pk, world.bank_org.pk])
    assert not Transfer.objects.filter(to_org=impostor).exists()


def test_agreement_with_control_characters_is_refused(world, issued, api):
    _, piece = issued
    with pytest.raises(DomainError) as exc:
        circulation.offer_transfer(world.alice, piece.pk, world.bob_org.pk, 100_00, "A\x00B")
    assert exc.value.code == "agreement_invalid"
    r = api(world.alice).post("/certificates/transfers/batch", {"items": [
        {"piece_id": piece.pk, "to_org_id": world.bob_org.pk, "amount_fen": 100_00, "agreement_ref": "A\u0000B"}]})
    assert r.status_code == 400 and r.json()["field"] == "items[0].agreement_ref", r.json()
    assert not Transfer.objects.exists()


def test_transferor_summary_lists_numbers_that_are_not_consecutive(world, issued):
    """Two transferors in one batch: each summary names only its own registrations."""
    _, piece = issued
    a1, a2 = circulation.offer_transfers(world.alice, [OfferItem(piece.pk, world.bank_org.pk, amt, "A") for amt in (100_00, 200_00)])
    _, second = issue(world)
    moved = circulation.accept_offer(world.carol, circulation.offer_transfer(world.alice, second.pk, world.carol_org.pk, 500_00, "M").pk)
    b1, b2 = circulation.offer_transfers(world.carol, [OfferItem(moved.new_piece_id, world.bank_org.pk, amt, "B") for amt in (100_00, 200_00)])
    done = circulation.accept_offers(world.banker, [a1.pk, b1.pk, a2.pk, b2.pk])
    numbers = {t.pk: t.registration_no for t in done}
    note = Notification.objects.get(organisation=world.alice_org, kind="transfer_batch", title__startswith="2 笔转让已被接收")
    assert f"{numbers[a1.pk]}、{numbers[a2.pk]}" in note.body and numbers[b1.pk] not in note.body
    assert run_all().ok


def test_nul_characters_in_any_api_body_are_a_400(world, issued, api):
    _, piece = issued
    offer = circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, 100_00, "A")
    r = api(world.carol).post(f"/certificates/offers/{offer.pk}/decline", {"reason": "不要\u0000"})
    assert r.status_code == 400 and r.json()["code"] == "nul_character" and r.json()["field"] == "reason"
    offer.refresh_from_db()
    assert offer.status == "offered"


def _count(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_list_endpoints_do_not_query_per_row(world, issued, api):
    """Pieces, applications and offers lists cost the same number of queries for 1 row as for 6."""
    _, piece = issued
    bank, alice = api(world.banker), api(world.alice)
    circulation.accept_offers(world.banker, [o.pk for o in circulation.offer_transfers(world.alice, [OfferItem(piece.pk, world.bank_org.pk, 100_00, "A")])])
    urls = [(bank, "/certificates/pieces"), (bank, "/certificates/offers"), (alice, "/certificates/applications")]
    before = {u: _count(lambda c=c, u=u: c.get(u)) for c, u in urls}
    offers = circulation.offer_transfers(world.alice, [OfferItem(piece.children.get(status="live").pk, world.bank_org.pk, 100_00, f"B{n}")
                                                       for n in range(5)])
    circulation.accept_offers(world.banker, [o.pk for o in offers[:3]])
    for _ in range(3):
        issue(world)
    after = {u: _count(lambda c=c, u=u: c.get(u)) for c, u in urls}
    assert after == before

