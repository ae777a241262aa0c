"""Purchase with lock-up (附带锁定期的收购): provider approval and capacity (maker-checker), the
commitment on the certificate, its pieces and the PDF, sale after lock-up, payment, refusals."""

import io

import pytest

from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.certificates.fees import actions as fees
from liuzhuan.certificates.fees.models import FeeCharge
from liuzhuan.certificates.ledger import actions as ledger
from liuzhuan.certificates.ledger.models import Piece
from liuzhuan.certificates.ledger.queries import chain_of_title
from liuzhuan.certificates.purchase import actions as purchase
from liuzhuan.certificates.purchase.models import PurchaseCommitment
from liuzhuan.certificates.purchase.queries import provider_outstanding_fen
from liuzhuan.certificates.purchase.rules import purchase_price
from liuzhuan.core.errors import DomainError

from ...conftest import make_org, make_user
from ..conftest import issue
from ..helpers import TODAY, commitment, days, end_lockup, purchaser, state, verified


def test_provider_approval_is_maker_checker(world):
    org = make_org("收购公司", "purchaser", "member")
    p = purchase.prepare_provider(world.clerk, org.pk, 1_000_000_00)
    assert not p.is_approved and p.proposed_capacity_fen == 1_000_000_00
    with pytest.raises(DomainError) as exc:
        purchase.decide_provider(world.clerk, p.pk, True)
    assert exc.value.code == "same_maker_checker" and exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        purchase.prepare_provider(world.clerk, org.pk, 2)
    assert exc.value.code == "provider_pending"
    p = purchase.decide_provider(world.checker, p.pk, True)
    assert p.is_approved and p.capacity_fen == 1_000_000_00 and p.proposed_capacity_fen is None
    for user, code in ((world.alice, "role_required"), (world.inspector, "read_only")):
        with pytest.raises(DomainError) as exc:
            purchase.prepare_provider(user, org.pk, 1)
        assert exc.value.status == 403 and exc.value.code == code
    with pytest.raises(DomainError) as exc:
        purchase.prepare_provider(world.clerk, org.pk, -1)
    assert exc.value.code == "capacity_negative"


def test_commitment_needs_an_approved_provider(world, issued):
    cert, _ = issued
    org = make_org("未认可公司", "purchaser", "member")
    before = state()
    with pytest.raises(DomainError) as exc:
        purchase.request_commitment(world.alice, cert.pk, org.pk, price_kind="percent", price_bp=9000, lockup_end=days(10),
                                    expiry=days(20), agreement_ref="WT")
    assert exc.value.code == "provider_not_approved" and "认可" in exc.value.message and state() == before


def test_capacity_limits_outstanding_commitments(world):
    org, user = purchaser(world, capacity_fen=1_500_000_00)
    c1, _ = issue(world, 1_000_000_00)
    c2, _ = issue(world, 1_000_000_00)
    first = commitment(world, c1, user, price_bp=9000)  # 900,000 of 1,500,000 used
    assert first.status == "active" and first.limit_fen == 900_000_00
    second = commitment(world, c2, user, price_bp=9000, accept=False)
    with pytest.raises(DomainError) as exc:
        purchase.accept_commitment(user, second.pk)
    assert exc.value.code == "capacity_exceeded" and "¥1,800,000.00" in exc.value.message and "¥1,500,000.00" in exc.value.message
    second.refresh_from_db()
    assert second.status == "requested"
    purchase.decide_provider(world.checker, purchase.prepare_provider(world.clerk, org.pk, 2_000_000_00).pk, True)
    assert purchase.accept_commitment(user, second.pk).status == "active"
    assert provider_outstanding_fen(org.pk) == 1_800_000_00
    assert verified()


def test_sale_before_lockup_ends_names_the_date(world, issued):
    cert, piece = issued
    _, user = purchaser(world)
    c = commitment(world, cert, user, lockup_days=30)
    before = state()
    with pytest.raises(DomainError) as exc:
        purchase.apply_sale(world.alice, piece.pk, c.pk, piece.amount_fen)
    assert exc.value.code == "locked_until" and f"{days(30):%Y-%m-%d}" in exc.value.message
    assert f"{days(31):%Y-%m-%d} 起" in exc.value.message and state() == before
    end_lockup(c, TODAY)  # the last locked day is still locked
    with pytest.raises(DomainError) as exc:
        purchase.apply_sale(world.alice, piece.pk, c.pk, piece.amount_fen)
    assert exc.value.code == "locked_until"
    end_lockup(c, days(-1))
    sale = purchase.apply_sale(world.alice, piece.pk, c.pk, piece.amount_fen)
    assert sale.status == "applied" and sale.price_fen == 950_000_00 and sale.piece.status == "selling"


def test_sale_completes_with_payment_and_title_passes(world, issued):
    cert, piece = issued
    org, user = purchaser(world)
    fees.set_fee_rule(world.clerk, "purchase", "2", 0, None, "split", TODAY)
    c = end_lockup(commitment(world, cert, user))
    sale = purchase.apply_sale(world.alice, piece.pk, c.pk, 400_000_00)
    assert sale.price_fen == 380_000_00
    with pytest.raises(DomainError) as exc:  # the reserved piece cannot be transferred meanwhile
        circulation.offer_transfer(world.alice, sale.piece_id, world.carol_org.pk, 100_00, "ZR")
    assert exc.value.code == "piece_reserved_sale"
    before = state()
    for kw, code in (({"payment_fen": 379_999_99}, "payment_mismatch"), ({"payment_date": days(1)}, "payment_date_invalid"),
                     ({"payment_ref": " "}, "payment_ref_required")):
        args = {"payment_fen": 380_000_00, "payment_date": TODAY, "payment_ref": "HX20260101001"} | kw
        with pytest.raises(DomainError) as exc:
            purchase.confirm_sale(user, sale.pk, **args)
        assert exc.value.code == code
    assert state() == before
    sale = purchase.confirm_sale(user, sale.pk, payment_fen=380_000_00, payment_date=TODAY, payment_ref="HX20260101001")
    t = sale.transfer
    assert sale.status == "completed" and t.new_piece.holder == org and t.new_piece.origin == "purchase"
    assert [s.label for s in chain_of_title(t.new_piece)][-1] == "收购"
    c.refresh_from_db()
    assert c.used_fen == 380_000_00 and provider_outstanding_fen(org.pk) == 950_000_00 - 380_000_00
    assert FeeCharge.objects.filter(op_type="purchase").count() == 2
    assert verified()


def test_sale_after_expiry_and_provider_itself_refused(world, issued):
    cert, piece = issued
    _, user = purchaser(world)
    c = end_lockup(commitment(world, cert, user))
    PurchaseCommitment.objects.filter(pk=c.pk).update(lockup_end=days(-20), expiry=days(-1))
    with pytest.raises(DomainError) as exc:
        purchase.apply_sale(world.alice, piece.pk, c.pk, piece.amount_fen)
    assert exc.value.code == "commitment_expired" and f"{days(-1):%Y-%m-%d}" in exc.value.message
    assert purchase.expire_commitments(TODAY) == 1 and purchase.expire_commitments(TODAY) == 0


def test_refuse_needs_reason_and_withdraw_returns_piece(world, issued):
    cert, piece = issued
    _, user = purchaser(world)
    c = end_lockup(commitment(world, cert, user))
    sale = purchase.apply_sale(world.alice, piece.pk, c.pk, piece.amount_fen)
    with pytest.raises(DomainError) as exc:
        purchase.close_sale(user, sale.pk, "")
    assert exc.value.code == "reason_required"
    sale = purchase.close_sale(user, sale.pk, "不符合收购条件")
    sale.piece.refresh_from_db()
    assert sale.status == "refused" and sale.piece.status == "live"
    sale = purchase.close_sale(world.alice, purchase.apply_sale(world.alice, piece.pk, c.pk, piece.amount_fen).pk)
    assert sale.status == "withdrawn"
    assert verified()


def test_price_rules():
    assert purchase_price(100_00, 1000_00, kind="percent", price_bp=9550) == 95_50
    assert purchase_price(1, 3, kind="percent", price_bp=5000) == 1  # half-up once, at least one fen
    assert purchase_price(300_00, 1000_00, kind="fixed", fixed_price_fen=900_00) == 270_00
    with pytest.raises(ValueError):
        purchase_price(1, 1, kind="percent", price_bp=0)


@pytest.mark.parametrize(("kw", "code"), [
    ({"price_bp": 0}, "price_not_positive"), ({"price_bp": 10001}, "price_above_face"),
    ({"price_kind": "fixed", "fixed_price_fen": 2_000_000_00}, "price_above_face"),
    ({"price_kind": "fixed", "fixed_price_fen": -5}, "price_not_positive"),
    ({"lockup_end": days(-1)}, "lockup_past"), ({"expiry": days(30)}, "expiry_not_after_lockup"),
    ({"price_kind": "cash"}, "price_kind_invalid"), ({"agreement_ref": ""}, "agreement_required"),
])
def test_bad_commitment_input_changes_nothing(world, issued, kw, code):
    cert, _ = issued
    _, user = purchaser(world)
    args = {"price_kind": "percent", "price_bp": 9000, "fixed_price_fen": None, "lockup_end": days(30), "expiry": days(60),
            "agreement_ref": "WT"} | kw
    before = state()
    with pytest.raises(DomainError) as exc:
        purchase.request_commitment(world.alice, cert.pk, user.organisation_id, **args)
    assert exc.value.code == code and state() == before


def test_rounding_never_exceeds_the_committed_total(world):
    ledger.set_config(world.clerk, min_unit_fen=1, offer_days=5)
    cert, piece = issue(world, 3)
    _, user = purchaser(world)
    c = end_lockup(commitment(world, cert, user, price_kind="fixed", fixed_price_fen=2))
    assert c.limit_fen == 2
    s1 = purchase.apply_sale(world.alice, piece.pk, c.pk, 1)
    rest = Piece.objects.get(certificate=cert, status="live")
    s2 = purchase.apply_sale(world.alice, rest.pk, c.pk, 1)
    assert (s1.price_fen, s2.price_fen) == (1, 1)  # each 2 × 1/3 rounds up to 1 fen
    last = Piece.objects.get(certificate=cert, status="live")
    before = state()
    with pytest.raises(DomainError) as exc:
        purchase.apply_sale(world.alice, last.pk, c.pk, 1)
    assert exc.value.code == "commitment_exhausted" and state() == before


def test_commitment_shows_on_certificate_piece_and_pdf(world, issued, client):
    import pypdf

    from liuzhuan.certificates.paper.pdf import render_piece_pdf

    cert, piece = issued
    _, user = purchaser(world)
    c = commitment(world, cert, user, conditions="持有人须为会员")
    text = pypdf.PdfReader(io.BytesIO(render_piece_pdf(piece, reprint_no=1, verify_url="http://x"))).pages[0].extract_text()
    assert c.number in text and "兴投收购公司" in text
    client.force_login(world.alice)
    assert c.number in client.get(f"/certificates/pieces/{piece.pk}/").content.decode()
    assert c.number in client.get(f"/certificates/c/{cert.pk}/").content.decode()


def test_commitment_rejects_other_org(world, issued):
    cert, piece = issued
    _, user = purchaser(world)
    with pytest.raises(DomainError) as exc:
        purchase.request_commitment(world.outsider, cert.pk, user.organisation_id, price_kind="percent", price_bp=9000,
                                    lockup_end=days(1), expiry=days(2), agreement_ref="WT")
    assert exc.value.status == 404
    c = commitment(world, cert, user, accept=False)
    for u, status in ((world.alice, 403), (world.outsider, 404), (world.banker, 404)):
        with pytest.raises(DomainError) as exc:
            purchase.accept_commitment(u, c.pk)
        assert exc.value.status == status
    c = purchase.accept_commitment(user, c.pk)
    end_lockup(c)
    with pytest.raises(DomainError) as exc:
        purchase.apply_sale(world.outsider, piece.pk, c.pk, 100_00)
    assert exc.value.status == 404
    _other_cert, other_piece = issue(world, 500_00)
    with pytest.raises(DomainError) as exc:  # a commitment on another certificate does not cover this piece
        purchase.apply_sale(world.alice, other_piece.pk, c.pk, 500_00)
    assert exc.value.status == 404
    sale = purchase.apply_sale(world.alice, piece.pk, c.pk, piece.amount_fen)
    with pytest.raises(DomainError) as exc:
        purchase.confirm_sale(world.alice, sale.pk, payment_fen=sale.price_fen, payment_date=TODAY, payment_ref="X")
    assert exc.value.status == 403 and exc.value.code == "wrong_party"
    with pytest.raises(DomainError) as exc:
        purchase.confirm_sale(world.outsider, sale.pk, payment_fen=sale.price_fen, payment_date=TODAY, payment_ref="X")
    assert exc.value.status == 404


def test_api_flow(world, issued, api):
    cert, piece = issued
    org, user = purchaser(world)
    provider_api = api(user)
    r = api(world.alice).post(f"/certificates/certs/{cert.pk}/commitments", {
        "provider_org_id": org.pk, "price_kind": "percent", "price_bp": 9600, "lockup_end": days(10).isoformat(),
        "expiry": days(100).isoformat(), "agreement_ref": "WT-API", "conditions": "一次性全额收购"})
    assert r.status_code == 201, r.json()
    cid = r.json()["id"]
    assert provider_api.post(f"/certificates/commitments/{cid}/accept").json()["status"] == "active"
    r = api(world.alice).post(f"/certificates/pieces/{piece.pk}/sell", {"commitment_id": cid, "amount_fen": piece.amount_fen})
    assert r.status_code == 400 and r.json()["code"] == "locked_until"
    PurchaseCommitment.objects.filter(pk=cid).update(lockup_end=days(-1))
    sid = api(world.alice).post(f"/certificates/pieces/{piece.pk}/sell", {"commitment_id": cid, "amount_fen": piece.amount_fen}).json()["id"]
    r = provider_api.post(f"/certificates/sales/{sid}/confirm", {"payment_fen": 960_000_00, "payment_date": TODAY.isoformat(),
                                                                 "payment_ref": "B-1"})
    assert r.status_code == 200 and r.json()["status"] == "completed" and r.json()["registration_no"]
    assert api(world.outsider).get(f"/certificates/commitments/{cid}").status_code == 404
    assert api(world.bob).get(f"/certificates/commitments/{cid}").status_code == 200  # the debtor sees commitments on its debt
    providers = api(world.inspector).get("/certificates/purchase-providers").json()
    assert providers[0]["org_id"] == org.pk and providers[0]["outstanding_fen"] == 0


def test_pages(world, issued, client):
    cert, piece = issued
    org, user = purchaser(world)
    client.force_login(world.alice)
    r = client.post(f"/certificates/lifecycle/certs/{cert.pk}/commitment/", {
        "provider": org.pk, "price_kind": "percent", "price_percent": "95.5", "lockup_end": days(5).isoformat(),
        "expiry": days(50).isoformat(), "agreement_ref": "WT-WEB", "conditions": ""})
    c = PurchaseCommitment.objects.get()
    assert r.status_code == 302 and c.price_bp == 9550
    client.force_login(user)
    assert c.number in client.get("/certificates/lifecycle/commitments/").content.decode()
    client.post(f"/certificates/lifecycle/commitments/{c.pk}/", {"form": "accept"})
    c.refresh_from_db()
    assert c.status == "active"
    client.force_login(world.alice)
    r = client.post(f"/certificates/lifecycle/pieces/{piece.pk}/", {"form": "sell", "commitment": c.pk, "amount": "100"})
    assert "锁定期" in r.content.decode() and r.status_code == 200
    client.force_login(world.clerk)
    assert org.name in client.get("/certificates/lifecycle/providers/").content.decode()
    client.force_login(world.outsider)
    assert client.get(f"/certificates/lifecycle/commitments/{c.pk}/").status_code == 404
    assert client.get(f"/certificates/lifecycle/certs/{cert.pk}/commitment/").status_code == 404
    assert client.get("/certificates/lifecycle/providers/").status_code == 404


def test_other_party_may_entrust(world, issued):
    cert, _ = issued
    _, user = purchaser(world)
    c = commitment(world, cert, user, entrust=world.bob)  # the debtor (其他相关方) entrusts
    assert c.entrusted_by == world.bob_org and c.status == "active"
    c2 = commitment(world, cert, user, accept=False)
    assert purchase.close_commitment(world.alice, c2.pk, "不需要了").status == "withdrawn"
    c3 = commitment(world, cert, user, accept=False)
    assert purchase.close_commitment(user, c3.pk, "额度紧张").status == "declined"
    outsider_user = make_user(make_org("另一家"), "another")
    with pytest.raises(DomainError) as exc:
        purchase.close_commitment(outsider_user, c3.pk)
    assert exc.value.status == 404


def test_sale_close_and_provider_decide_reject_other_org(world, issued):
    cert, piece = issued
    org, user = purchaser(world)
    c = end_lockup(commitment(world, cert, user))
    sale = purchase.apply_sale(world.alice, piece.pk, c.pk, piece.amount_fen)
    for u, status in ((world.outsider, 404), (world.bob, 404), (world.clerk, 403)):
        with pytest.raises(DomainError) as exc:
            purchase.close_sale(u, sale.pk, "x")
        assert exc.value.status == status, u
    p = purchase.prepare_provider(world.clerk, org.pk, 1)
    for u, code in ((world.alice, "role_required"), (user, "role_required"), (world.inspector, "read_only")):
        with pytest.raises(DomainError) as exc:
            purchase.decide_provider(u, p.pk, True)
        assert exc.value.status == 403 and exc.value.code == code


def test_members_see_only_approved_providers_without_utilisation(world, api):
    from ..helpers import purchaser

    purchaser(world)
    members_view = api(world.alice).get("/certificates/purchase-providers").json()
    assert members_view and all(p["approved"] and p["proposed_capacity_fen"] is None and p["outstanding_fen"] == 0 for p in members_view)
    assert api(world.inspector).get("/certificates/purchase-providers").json()[0]["capacity_fen"] == members_view[0]["capacity_fen"]


def test_capacity_above_ceiling_is_refused(world):
    from liuzhuan.core.errors import DomainError

    from ...conftest import make_org

    org = make_org("巨额收购方", "purchaser", "member")
    with pytest.raises(DomainError) as exc:
        purchase.prepare_provider(world.clerk, org.pk, 10**16)
    assert exc.value.field == "capacity_fen" and exc.value.code == "amount_too_large"


def test_the_debtor_cannot_commit_to_buy_its_own_claim(world, issued):
    """The claim is settled in assets, never bought back for cash by its debtor (混同, seed 二)."""
    cert, _ = issued
    purchase.decide_provider(world.checker, purchase.prepare_provider(world.clerk, world.bob_org.pk, 5_000_000_00, "x").pk, True)
    before = state()
    with pytest.raises(DomainError) as exc:
        purchase.request_commitment(world.alice, cert.pk, world.bob_org.pk, price_kind="percent", price_bp=9000, lockup_end=days(10),
                                    expiry=days(60), agreement_ref="WT")
    assert exc.value.code == "transferee_is_debtor" and exc.value.field == "provider_org_id" and "收购" in exc.value.message
    with pytest.raises(DomainError) as exc:  # wrong organisation: an outsider learns nothing of the certificate
        purchase.request_commitment(world.outsider, cert.pk, world.bob_org.pk, price_kind="percent", price_bp=9000,
                                    lockup_end=days(10), expiry=days(60), agreement_ref="WT")
    assert exc.value.status == 404
    assert state() == before


def test_a_commitment_to_the_debtor_from_before_the_rule_goes_no_further(world, issued):
    """Accepting it, or selling under it, is refused before the piece is frozen or the price paid."""
    cert, piece = issued
    _, provider = purchaser(world)
    pending = commitment(world, cert, provider, accept=False)
    active = commitment(world, cert, provider, entrust=world.alice)
    purchase.decide_provider(world.checker, purchase.prepare_provider(world.clerk, world.bob_org.pk, 5_000_000_00, "x").pk, True)
    PurchaseCommitment.objects.filter(pk__in=[pending.pk, active.pk]).update(provider=world.bob_org)  # as if made before the rule
    end_lockup(active)
    before = state()
    with pytest.raises(DomainError) as exc:
        purchase.accept_commitment(world.bob, pending.pk)
    assert exc.value.code == "transferee_is_debtor"
    with pytest.raises(DomainError) as exc:
        purchase.apply_sale(world.alice, piece.pk, active.pk, piece.amount_fen)
    assert exc.value.code == "transferee_is_debtor"
    assert state() == before


def test_the_commitment_form_does_not_offer_the_debtor(world, issued, client):
    cert, _ = issued
    _, provider = purchaser(world)
    purchase.decide_provider(world.checker, purchase.prepare_provider(world.clerk, world.bob_org.pk, 5_000_000_00, "x").pk, True)
    client.force_login(world.alice)
    page = client.get(f"/certificates/lifecycle/certs/{cert.pk}/commitment/").content.decode()
    assert f'value="{provider.organisation_id}"' in page and f'value="{world.bob_org.pk}"' not in page
