"""Pledge (质押): freeze, registration in 中征动产融资统一登记公示系统, release, enforcement, consented
transfer (the pledge is released), bank book, and refusals that change nothing."""

import importlib

import pytest

from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.certificates.fees import actions as fees
from liuzhuan.certificates.fees.models import FeeCharge
from liuzhuan.certificates.holdings.queries import can_view_piece, holdings_total, visible_pieces
from liuzhuan.certificates.issuance import actions as issuance
from liuzhuan.certificates.ledger.models import Piece, Transfer
from liuzhuan.certificates.ledger.queries import chain_of_title
from liuzhuan.certificates.offset import actions as offset
from liuzhuan.certificates.pledge import actions as pledging
from liuzhuan.certificates.pledge.models import Pledge, PledgedTransfer
from liuzhuan.core.errors import DomainError
from liuzhuan.core.models import AuditEvent
from liuzhuan.members.models import Notification

from ...conftest import make_org, make_user
from ..conftest import attach_contract, check_contract
from ..helpers import TODAY, days, pledge, state, verified


def test_partial_pledge_splits_and_freezes_until_registered(world, issued):
    _cert, piece = issued
    p = pledge(world, piece, 400_000_00, register=False)
    piece.refresh_from_db()
    assert piece.status == "split" and p.status == "pending_registration"
    assert p.piece.status == "pledged" and p.piece.amount_fen == 400_000_00 and p.piece.holder == world.alice_org
    assert Piece.objects.get(parent=piece, status="live").amount_fen == 600_000_00
    assert Notification.objects.filter(organisation=world.bank_org, title__contains="收到质押").exists()
    assert holdings_total(world.alice_org.pk) == {"live_fen": 600_000_00, "offered_fen": 0, "frozen_fen": 400_000_00,
                                                  "total_fen": 1_000_000_00}
    assert verified()


def test_registration_makes_it_effective_notifies_debtor_and_charges_fee(world, issued):
    _cert, piece = issued
    fees.set_fee_rule(world.clerk, "pledge", "3", 100, None, "transferor", TODAY)
    p = pledge(world, piece)
    assert p.status == "effective" and p.registration_no == "0123456789ABCDEF" and p.registration_date == TODAY
    assert p.fee_fen == 300_00 and FeeCharge.objects.get(op_type="pledge").org == world.alice_org
    notice = Notification.objects.get(organisation=world.bob_org, kind="pledge_notice")
    assert notice.requires_ack and p.number in notice.body
    assert verified()


@pytest.mark.parametrize(("number", "date", "code"), [("", TODAY, "registration_no_required"), ("X1", None, "registration_date_required"),
                                                      ("X1", days(1), "registration_date_future")])
def test_registration_needs_number_and_past_date(world, issued, number, date, code):
    _, piece = issued
    p = pledge(world, piece, register=False)
    before = state()
    with pytest.raises(DomainError) as exc:
        pledging.register_pledge(world.banker, p.pk, number, date)
    assert exc.value.code == code and state() == before


def test_registration_scope_is_the_rules_not_the_pledgors(world, issued, api, client):
    """Receivable pledges are in the unified registration's scope (《动产和权利担保统一登记办法》第二条):
    the pledgor cannot opt out, and only the pledgee's registration makes the pledge effective."""
    _, piece = issued
    r = api(world.alice).post(f"/certificates/pieces/{piece.pk}/pledge", {
        "pledgee_id": world.bank_org.pk, "amount_fen": 100_00, "contract_ref": "ZY", "secured_fen": 1, "start_date": TODAY.isoformat(),
        "end_date": days(30).isoformat(), "registration_required": False})
    assert r.status_code == 400 and r.json()["field"] == "registration_required" and "规则" in r.json()["message"]
    assert not Pledge.objects.exists()
    p = pledge(world, piece, register=False)
    assert p.registration_required is True
    assert AuditEvent.objects.get(action="pledge.create").summary["registration_basis"].startswith("应收账款质押")
    before = state()
    with pytest.raises(DomainError) as exc:
        pledging.register_pledge(world.banker, p.pk)  # no "confirm without a number" any more
    assert exc.value.code == "registration_no_required" and state() == before
    with pytest.raises(DomainError) as exc:
        pledging.register_pledge(world.alice, p.pk, "0123456789ABCDEF", TODAY)  # recorded by the pledgee, never the pledgor
    assert exc.value.status == 403
    client.force_login(world.banker)
    page = client.get(f"/certificates/lifecycle/pledges/{p.pk}/").content.decode()
    assert "应收账款质押属《动产和权利担保统一登记办法》登记范围" in page and "确认质押生效" not in page


def test_legacy_pledges_outside_scope(world, issued, client):
    """Migration 0013: a pending pledge the pledgor had put outside the scope now needs registration;
    one already effective without it stays as it was and says so."""
    from django.apps import apps

    mig = importlib.import_module("liuzhuan.certificates.migrations.0013_pledge_registration_scope")
    _, piece = issued
    pending = pledge(world, piece, 100_000_00, register=False)
    done = pledge(world, piece.children.get(status="live"), 100_000_00)
    Pledge.objects.filter(pk=pending.pk).update(registration_required=False)
    Pledge.objects.filter(pk=done.pk).update(registration_required=False, registration_no="", registration_date=None)
    mig.forwards(apps, None)
    assert Pledge.objects.get(pk=pending.pk).registration_required is True
    assert Pledge.objects.get(pk=done.pk).registration_required is False
    client.force_login(world.alice)
    assert "规则调整前由出质人选择" in client.get(f"/certificates/lifecycle/pledges/{done.pk}/").content.decode()


def test_pledged_piece_is_frozen(world, issued):
    _, piece = issued
    p = pledge(world, piece)
    before = state()
    for call in (lambda: circulation.offer_transfer(world.alice, p.piece_id, world.carol_org.pk, 100_00, "ZR"),
                 lambda: offset.apply_offset(world.alice, p.piece_id, "asset", 100_00),
                 lambda: pledging.create_pledge(world.alice, p.piece_id, world.outsider_org.pk, 100_00, "Z2", 1, TODAY, days(5))):
        with pytest.raises(DomainError) as exc:
            call()
        assert exc.value.code == "piece_pledged" and "已质押" in exc.value.message and "质权人同意" in exc.value.message
    assert state() == before


def test_release_returns_the_piece(world, issued):
    _, piece = issued
    p = pledging.release_pledge(world.banker, pledge(world, piece).pk, "贷款已结清")
    p.piece.refresh_from_db()
    assert p.status == "released" and p.piece.status == "live" and p.close_reason == "贷款已结清"
    circulation.offer_transfer(world.alice, p.piece_id, world.carol_org.pk, 100_000_00, "ZR")  # free again
    assert verified()


def test_enforcement_passes_title_to_pledgee(world, issued):
    _cert, piece = issued
    p = pledge(world, piece)
    with pytest.raises(DomainError) as exc:
        pledging.enforce_pledge(world.banker, p.pk, default_date=days(1), reason="逾期", agreement_ref="ZJ-1")
    assert exc.value.code == "default_date_future"
    p = pledging.enforce_pledge(world.banker, p.pk, default_date=TODAY, reason="借款人逾期未还本息", agreement_ref="ZJ-1")
    t = p.enforcement
    assert p.status == "enforced" and t.to_org == world.bank_org and t.new_piece.holder == world.bank_org
    assert t.new_piece.origin == "enforcement" and t.registration_no
    assert [s.label for s in chain_of_title(t.new_piece)] == ["开具", "质权实现"]
    assert Notification.objects.filter(organisation=world.bob_org, kind="transfer_notice", body__contains=t.registration_no).exists()
    assert verified()


def test_enforcement_to_named_buyer(world, issued):
    _, piece = issued
    buyer = make_org("丁资产管理公司")
    p = pledging.enforce_pledge(world.banker, pledge(world, piece).pk, default_date=TODAY, reason="违约", agreement_ref="BM-9",
                                buyer_org_id=buyer.pk)
    assert p.enforcement.new_piece.holder == buyer and p.enforcement.from_org == world.alice_org
    with pytest.raises(DomainError) as exc:
        pledging.enforce_pledge(world.banker, p.pk, default_date=TODAY, reason="x", agreement_ref="y")
    assert exc.value.code == "pledge_state"


def test_enforcement_before_effective_is_refused(world, issued):
    _, piece = issued
    p = pledge(world, piece, register=False)
    before = state()
    with pytest.raises(DomainError) as exc:
        pledging.enforce_pledge(world.banker, p.pk, default_date=TODAY, reason="违约", agreement_ref="ZJ")
    assert exc.value.code == "pledge_state" and "待登记生效" in exc.value.message and state() == before


def test_consented_transfer_releases_the_pledge(world, issued):
    _, piece = issued
    ding = make_org("丁公司")
    ding_user = make_user(ding, "ding", "manager")
    p = pledge(world, piece)
    req = pledging.request_pledged_transfer(world.alice, p.pk, ding.pk, "ZR-77")
    with pytest.raises(DomainError) as exc:  # the transferee cannot accept before the pledgee consents
        pledging.accept_pledged_transfer(ding_user, req.pk)
    assert exc.value.code == "pledged_transfer_state"
    with pytest.raises(DomainError) as exc:
        pledging.consent_pledged_transfer(world.banker, req.pk, True, "")
    assert exc.value.code == "proceeds_required"
    pledging.consent_pledged_transfer(world.banker, req.pk, True, "转让价款提存至本行监管账户")
    req = pledging.accept_pledged_transfer(ding_user, req.pk)
    p.refresh_from_db()
    assert req.status == "completed" and p.status == "released" and "提存" in p.close_reason
    assert req.transfer.new_piece.holder == ding and req.transfer.new_piece.status == "live"
    assert Pledge.objects.filter(piece=req.transfer.new_piece).count() == 0  # the transferee takes it free of the pledge
    assert verified()


def test_refused_or_declined_transfer_keeps_the_pledge(world, issued):
    _, piece = issued
    ding = make_org("丁公司")
    ding_user = make_user(ding, "ding", "manager")
    p = pledge(world, piece)
    r1 = pledging.request_pledged_transfer(world.alice, p.pk, ding.pk, "ZR-1")
    with pytest.raises(DomainError) as exc:
        pledging.request_pledged_transfer(world.alice, p.pk, ding.pk, "ZR-2")
    assert exc.value.code == "pledged_transfer_open"
    assert pledging.consent_pledged_transfer(world.banker, r1.pk, False, "贷款未结清").status == "refused"
    r2 = pledging.request_pledged_transfer(world.alice, p.pk, ding.pk, "ZR-2")
    pledging.consent_pledged_transfer(world.banker, r2.pk, True, "提前清偿")
    assert pledging.accept_pledged_transfer(ding_user, r2.pk, False, "不要").status == "declined"
    p.refresh_from_db()
    p.piece.refresh_from_db()
    assert p.status == "effective" and p.piece.status == "pledged" and p.piece.holder == world.alice_org
    assert verified()


def test_cancel_before_effective(world, issued):
    _, piece = issued
    p = pledge(world, piece, register=False)
    p = pledging.cancel_pledge(world.banker, p.pk, "合同未签")
    p.piece.refresh_from_db()
    assert p.status == "cancelled" and p.piece.status == "live"
    with pytest.raises(DomainError) as exc:
        pledging.release_pledge(world.banker, p.pk)
    assert exc.value.code == "pledge_state"


@pytest.mark.parametrize(("kw", "code", "field"), [
    ({"amount_fen": 0}, "amount_not_positive", "amount_fen"),
    ({"amount_fen": 2_000_000_00}, "amount_exceeds_available", "amount_fen"),
    ({"secured_fen": 0}, "secured_not_positive", "secured_fen"),
    ({"contract_ref": " "}, "contract_ref_required", "contract_ref"),
    ({"start_date": days(10), "end_date": days(5)}, "term_reversed", "end_date"),
    ({"start_date": days(-10), "end_date": days(-5)}, "term_ended", "end_date"),
])
def test_bad_pledge_input_changes_nothing(world, issued, kw, code, field):
    _, piece = issued
    args = {"amount_fen": 100_000_00, "contract_ref": "ZY", "secured_fen": 1, "start_date": TODAY, "end_date": days(30)} | kw
    before = state()
    with pytest.raises(DomainError) as exc:
        pledging.create_pledge(world.alice, piece.pk, world.bank_org.pk, args["amount_fen"], args["contract_ref"], args["secured_fen"],
                               args["start_date"], args["end_date"])
    assert exc.value.code == code and exc.value.field == field and state() == before


def test_pledgee_must_be_another_active_member(world, issued):
    _, piece = issued
    for pledgee_id, code in ((world.alice_org.pk, "pledge_to_self"), (world.regulator_org.pk, "party_not_member"),
                             (make_org("停用银行", "bank", status="suspended").pk, "pledgee_id_unavailable"), (987654, "pledgee_id_unavailable")):
        with pytest.raises(DomainError) as exc:
            pledging.create_pledge(world.alice, piece.pk, pledgee_id, 100_00, "ZY", 1, TODAY, days(3))
        assert exc.value.code == code


def test_pledge_rejects_other_org(world, issued):
    _, piece = issued
    for user in (world.outsider, world.bob, world.banker):  # not the holder: 404 (learns nothing)
        with pytest.raises(DomainError) as exc:
            pledging.create_pledge(user, piece.pk, world.bank_org.pk, 100_00, "ZY", 1, TODAY, days(3))
        assert exc.value.status == 404
    with pytest.raises(DomainError) as exc:
        pledging.create_pledge(world.inspector, piece.pk, world.bank_org.pk, 100_00, "ZY", 1, TODAY, days(3))
    assert exc.value.status == 403 and exc.value.code == "read_only"
    p = pledge(world, piece, register=False)
    for user, status in ((world.outsider, 404), (world.bob, 404), (world.alice, 403), (world.clerk, 403)):
        with pytest.raises(DomainError) as exc:
            pledging.register_pledge(user, p.pk, "X", TODAY)
        assert exc.value.status == status, user
    pledging.register_pledge(world.banker, p.pk, "X", TODAY)
    for fn in (lambda u: pledging.release_pledge(u, p.pk), lambda u: pledging.enforce_pledge(
            u, p.pk, default_date=TODAY, reason="r", agreement_ref="a")):
        with pytest.raises(DomainError) as exc:
            fn(world.alice)
        assert exc.value.code == "wrong_party" and exc.value.status == 403
        with pytest.raises(DomainError) as exc:
            fn(world.outsider)
        assert exc.value.status == 404
    with pytest.raises(DomainError) as exc:
        pledging.request_pledged_transfer(world.banker, p.pk, world.outsider_org.pk, "ZR")
    assert exc.value.status == 403


def test_api_and_bank_book(world, issued, api):
    _, piece = issued
    alice = api(world.alice)
    r = alice.post(f"/certificates/pieces/{piece.pk}/pledge", {
        "pledgee_id": world.bank_org.pk, "amount_fen": 300_000_00, "contract_ref": "ZY-API", "secured_fen": 250_000_00,
        "start_date": TODAY.isoformat(), "end_date": days(180).isoformat()})
    assert r.status_code == 201, r.json()
    pid = r.json()["id"]
    assert api(world.outsider).post(f"/certificates/pieces/{piece.pk}/pledge", {
        "pledgee_id": world.bank_org.pk, "amount_fen": 1, "contract_ref": "Z", "secured_fen": 1, "start_date": TODAY.isoformat(),
        "end_date": days(1).isoformat()}).status_code == 404
    bank = api(world.banker)
    assert bank.post(f"/certificates/pledges/{pid}/register", {"registration_no": ""}).json()["code"] == "registration_no_required"
    r = bank.post(f"/certificates/pledges/{pid}/register", {"registration_no": "ZD-2026-1", "registration_date": TODAY.isoformat()})
    assert r.status_code == 200 and r.json()["status"] == "effective"
    book = bank.get("/certificates/pledgee/pledges").json()
    assert book["effective_fen"] == 300_000_00 and book["secured_fen"] == 250_000_00 and book["pledges"][0]["id"] == pid
    assert api(world.alice).get("/certificates/pledgee/pledges").status_code == 403  # not a bank
    assert api(world.outsider).get(f"/certificates/pledges/{pid}").status_code == 404
    assert api(world.inspector).get(f"/certificates/pledges/{pid}").status_code == 200
    assert alice.post(f"/certificates/pledges/{pid}/release", {}).status_code == 403
    # the pledgee may check the pledged piece's chain of title
    assert bank.get(f"/certificates/pieces/{Pledge.objects.get(pk=pid).piece_id}/chain").status_code == 200


def test_pages(world, issued, client):
    _, piece = issued
    client.force_login(world.alice)
    r = client.post(f"/certificates/lifecycle/pieces/{piece.pk}/", {
        "form": "pledge", "pledgee": world.bank_org.pk, "amount": "1,000,000.00", "contract_ref": "ZY-WEB", "secured": "800,000",
        "start_date": TODAY.isoformat(), "end_date": days(90).isoformat(), "registration_required": "on"})
    p = Pledge.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/lifecycle/pledges/{p.pk}/")
    assert "本分段已质押给" in client.get(f"/certificates/pieces/{p.piece_id}/").content.decode()
    client.force_login(world.banker)
    assert p.number in client.get("/certificates/lifecycle/pledges/").content.decode()
    r = client.post(f"/certificates/lifecycle/pledges/{p.pk}/", {"form": "register", "registration_no": "", "registration_date": ""})
    assert "登记编号" in r.content.decode()
    client.post(f"/certificates/lifecycle/pledges/{p.pk}/", {"form": "register", "registration_no": "ZD-1", "registration_date": TODAY.isoformat()})
    p.refresh_from_db()
    assert p.status == "effective"
    client.force_login(world.outsider)
    assert client.get(f"/certificates/lifecycle/pledges/{p.pk}/").status_code == 404
    assert client.get(f"/certificates/lifecycle/pieces/{p.piece_id}/").status_code == 404


def test_transfer_row_per_title_change(world, issued):
    _, piece = issued
    p = pledging.enforce_pledge(world.banker, pledge(world, piece).pk, default_date=TODAY, reason="违约", agreement_ref="ZJ")
    assert Transfer.objects.get().status == "accepted" and PledgedTransfer.objects.count() == 0 and p.enforcement.fee_fen == 0


def test_pledged_transfer_rejects_other_org(world, issued):
    _, piece = issued
    ding = make_org("丁公司")
    ding_user = make_user(ding, "ding", "manager")
    p = pledge(world, piece)
    req = pledging.request_pledged_transfer(world.alice, p.pk, ding.pk, "ZR-77")
    for fn, expected in (
        (lambda u: pledging.consent_pledged_transfer(u, req.pk, True, "提存"), {world.alice: 403, ding_user: 403, world.outsider: 404}),
        (lambda u: pledging.withdraw_pledged_transfer(u, req.pk), {world.banker: 403, ding_user: 403, world.outsider: 404}),
    ):
        for user, status in expected.items():
            with pytest.raises(DomainError) as exc:
                fn(user)
            assert exc.value.status == status, (user, status)
    pledging.consent_pledged_transfer(world.banker, req.pk, True, "提存")
    for user, status in ((world.alice, 403), (world.banker, 403), (world.outsider, 404), (world.bob, 404)):
        with pytest.raises(DomainError) as exc:
            pledging.accept_pledged_transfer(user, req.pk)
        assert exc.value.status == status, user
    before = state()
    with pytest.raises(DomainError):
        pledging.accept_pledged_transfer(world.outsider, req.pk)
    assert state() == before


def test_pledged_transfer_pages(world, issued, client):
    _, piece = issued
    ding = make_org("丁公司")
    ding_user = make_user(ding, "ding", "manager")
    p = pledge(world, piece)
    client.force_login(world.alice)
    client.post(f"/certificates/lifecycle/pledges/{p.pk}/", {"form": "transfer", "to_org": ding.pk, "agreement_ref": "ZR-WEB"})
    req = PledgedTransfer.objects.get()
    client.force_login(world.banker)
    client.post(f"/certificates/lifecycle/pledged-transfers/{req.pk}/consent/", {"agree": "yes", "note": "转让价款提前清偿贷款"})
    client.force_login(ding_user)
    assert "ZR-WEB" in client.get("/certificates/lifecycle/pledges/").content.decode()
    client.post(f"/certificates/lifecycle/pledged-transfers/{req.pk}/accept/")
    req.refresh_from_db()
    p.refresh_from_db()
    assert req.status == "completed" and p.status == "released"
    client.force_login(world.outsider)
    assert client.post(f"/certificates/lifecycle/pledged-transfers/{req.pk}/withdraw/").status_code == 404


def test_counterparties_outside_the_membership_are_refused(world, issued):
    """Claims circulate, are pledged and are bought only between members (seed 一、三): a bank
    that is not a member cannot be a pledgee, an enforcement buyer or a pledged-transfer transferee."""
    _, piece = issued
    bank_only = make_org("非会员银行", "bank")
    with pytest.raises(DomainError) as exc:
        pledging.create_pledge(world.alice, piece.pk, bank_only.pk, 100_00, "ZY", 1, TODAY, days(3))
    assert exc.value.code == "party_not_member"
    effective = pledge(world, piece)
    with pytest.raises(DomainError) as exc:
        pledging.request_pledged_transfer(world.alice, effective.pk, bank_only.pk, "ZR")
    assert exc.value.code == "to_org_id_unavailable" and "会员" in exc.value.message
    assert not PledgedTransfer.objects.exists()


def test_release_ends_open_transfer_requests_with_event_and_notice(world, issued):
    _, piece = issued
    effective = pledge(world, piece)
    req = pledging.request_pledged_transfer(world.alice, effective.pk, world.carol_org.pk, "ZR-P")
    pledging.release_pledge(world.banker, effective.pk, "已还款")
    req.refresh_from_db()
    assert req.status == "withdrawn" and req.reason == "质押已解除"
    assert AuditEvent.objects.filter(action="pledge.transfer_withdraw", object_id=str(req.pk)).count() == 1
    assert Notification.objects.filter(organisation=world.carol_org, title__startswith="质押债权转让已终止").count() == 1
    assert verified()


def test_cancel_pledge_rejects_other_org(world, issued):
    _, piece = issued
    pending = pledge(world, piece, register=False)
    for intruder in (world.outsider, world.bob):  # neither pledgor nor pledgee (bob is the debtor)
        with pytest.raises(DomainError) as exc:
            pledging.cancel_pledge(intruder, pending.pk, "x")
        assert exc.value.status == 404  # not a party: learns nothing
    with pytest.raises(DomainError) as exc:
        pledging.cancel_pledge(world.inspector, pending.pk, "x")
    assert exc.value.status == 403
    pending.refresh_from_db()
    assert pending.status == "pending_registration"


def test_only_the_open_pledges_pledgee_sees_the_piece(world, issued, api):
    """A bank whose pledge has ended does not see the piece when it is pledged again elsewhere."""
    from liuzhuan.members.models import OrganisationRole

    _, piece = issued
    other_bank = make_org("另一银行", "bank", "member")
    other = make_user(other_bank, "ob", "manager")
    first = pledge(world, piece)
    pledging.release_pledge(world.banker, first.pk, "已还款")
    second = pledging.create_pledge(world.alice, piece.pk, other_bank.pk, piece.amount_fen, "ZY-2", 1, TODAY, days(30))
    piece.refresh_from_db()
    assert can_view_piece(other, piece) and not can_view_piece(world.banker, piece)
    assert list(visible_pieces(other).filter(pk=piece.pk)) == [piece]
    assert not visible_pieces(world.banker).filter(pk=piece.pk).exists()
    assert api(world.banker).get(f"/certificates/pieces/{piece.pk}").status_code == 404
    assert second.pledgee_id == other_bank.pk and OrganisationRole.objects.filter(organisation=other_bank).count() == 2


def test_the_debtor_never_takes_the_pledged_claim(world, issued):
    """混同: neither a pledged transfer nor an enforcement passes the claim to its own debtor (bob)."""
    _, piece = issued
    p = pledge(world, piece)
    before = state()
    with pytest.raises(DomainError) as exc:
        pledging.request_pledged_transfer(world.alice, p.pk, world.bob_org.pk, "ZR")
    assert exc.value.code == "transferee_is_debtor" and exc.value.field == "to_org_id"
    with pytest.raises(DomainError) as exc:
        pledging.enforce_pledge(world.banker, p.pk, default_date=TODAY, reason="违约", agreement_ref="BM", buyer_org_id=world.bob_org.pk)
    assert exc.value.code == "transferee_is_debtor" and exc.value.field == "buyer_org_id"
    with pytest.raises(DomainError) as exc:  # wrong organisation: the debtor itself cannot enforce
        pledging.enforce_pledge(world.bob, p.pk, default_date=TODAY, reason="违约", agreement_ref="BM")
    assert exc.value.status in (403, 404)
    assert state() == before


def test_a_pledgee_that_is_the_debtor_must_sell_to_another_member(world):
    """The debtor as pledgee (it lent against a claim on itself) cannot enforce by taking the claim."""
    bob_bank = make_org("乙方银行", "bank", "member")
    debtor = make_user(bob_bank, "bob_bank", "manager")
    app = issuance.create_application(world.alice, issuance.ApplicationInput(
        counterparty_id=bob_bank.pk, role="creditor", contract_no="HT-B", contract_title="供货合同", contract_date=TODAY,
        amount_fen=100_000_00, maturity_date=days(90), offset_scope=("house",), non_cash_declared=True))
    attach_contract(world.alice, app)
    issuance.confirm_application(debtor, app.pk)
    check_contract(world.clerk, app)
    issuance.prepare_review(world.clerk, app.pk, "approve")
    issuance.decide_review(world.checker, app.pk, True)
    piece = Piece.objects.get(certificate__application=app)
    p = pledging.create_pledge(world.alice, piece.pk, bob_bank.pk, piece.amount_fen, "ZY", 50_000_00, TODAY, days(30))
    p = pledging.register_pledge(debtor, p.pk, "0123456789ABCDEF", TODAY)
    with pytest.raises(DomainError) as exc:
        pledging.enforce_pledge(debtor, p.pk, default_date=TODAY, reason="违约", agreement_ref="ZJ")
    assert exc.value.code == "transferee_is_debtor" and "抵付" in exc.value.message
    p = pledging.enforce_pledge(debtor, p.pk, default_date=TODAY, reason="违约", agreement_ref="BM", buyer_org_id=world.carol_org.pk)
    assert p.status == "enforced" and p.enforcement.new_piece.holder == world.carol_org
    assert verified()


def test_pledge_lists_page_each_on_its_own(world, issued, client, monkeypatch):
    """A bank's book runs to thousands of pledges: the list pages (here 1 per page) and each list
    keeps its own page parameter; a member sees only its own pledges on any page."""
    from liuzhuan.certificates.pledge import views

    _, piece = issued
    first = pledge(world, piece, 100_000_00)
    second = pledge(world, piece.children.get(status="live"), 100_000_00)
    monkeypatch.setattr(views, "PLEDGES_PER_PAGE", 1)
    client.force_login(world.banker)
    page1 = client.get("/certificates/lifecycle/pledges/").content.decode()
    assert "第 1 / 2 页（共 2 条）" in page1 and "tpage=2" in page1
    assert second.number in page1 and first.number not in page1  # newest first
    page2 = client.get("/certificates/lifecycle/pledges/", {"tpage": "2"}).content.decode()
    assert first.number in page2 and second.number not in page2
    assert client.get("/certificates/lifecycle/pledges/", {"tpage": "x"}).status_code == 200  # a bad page number is page 1
    client.force_login(world.outsider)  # wrong organisation: none of these pledges on any page
    other = client.get("/certificates/lifecycle/pledges/", {"gpage": "2", "tpage": "2"}).content.decode()
    assert first.number not in other and second.number not in other
