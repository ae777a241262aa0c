"""抵偿债务 (seed 一「在上下游主体间抵偿债务或换货」): the holder sets its claim off against what it owes
the certificate's debtor; the debtor confirms, the operator registers the cancellation."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from liuzhuan.certificates.offset import actions as offset
from liuzhuan.core.errors import DomainError

from ..conftest import issue
from ..helpers import days, pdf, state, verified

PAYABLE = dict(payable_contract_ref="CG-2026-017", payable_fen=400_000_00, payable_due_date=days(30))


def _apply(world, piece, amount, **kw):
    return offset.apply_offset(world.alice, piece.pk, "debt", amount, "以应付货款抵偿", **{**PAYABLE, **kw})


def test_debt_setoff_partial_leaves_a_live_remainder(world, issued):
    cert, piece = issued
    off = _apply(world, piece, 600_000_00)
    assert off.status == "applied" and off.price_fen == 400_000_00  # the lesser of claim and payable
    with pytest.raises(DomainError) as exc:  # the payable's contract must be on file first
        offset.confirm_debt_setoff(world.bob, off.pk)
    assert exc.value.code == "evidence_required"
    with pytest.raises(DomainError) as exc:  # no asset list for a debt set-off
        offset.offer_offset_options(world.bob, off.pk, consumption_scope="x")
    assert exc.value.code == "offset_kind_debt"
    offset.add_offset_evidence(world.alice, off.pk, "payable", "采购合同.pdf", pdf("cg"))
    with pytest.raises(DomainError) as exc:  # the holder cannot confirm its own application
        offset.confirm_debt_setoff(world.alice, off.pk)
    assert exc.value.status == 403
    with pytest.raises(DomainError):  # nor can the operator register before the debtor confirmed
        offset.register_offset_cancellation(world.clerk, off.pk)
    off = offset.confirm_debt_setoff(world.bob, off.pk)
    assert off.status == "received" and off.delivery_ref == "CG-2026-017" and off.received_by == world.alice
    off = offset.register_offset_cancellation(world.clerk, off.pk)
    assert off.status == "completed" and off.offset_fen == 400_000_00 and off.cash_top_up_fen == 0
    assert off.remainder_piece.amount_fen == 200_000_00 and off.remainder_piece.status == "live"
    cert.refresh_from_db()
    live = sum(p.amount_fen for p in cert.pieces.filter(status="live"))
    assert live == 600_000_00 and cert.status == "active"  # 400,000 reserved but not set off + the 400,000 never reserved
    assert verified()


def test_debt_setoff_refusals_change_nothing(world):
    _cert, piece = issue(world)
    before = state()
    for kw, code in (({"payable_contract_ref": ""}, "payable_contract_required"), ({"payable_fen": 0}, "payable_not_positive"),
                     ({"payable_due_date": None}, "payable_due_date_required")):
        with pytest.raises(DomainError) as exc:
            _apply(world, piece, 100_000_00, **kw)
        assert exc.value.code == code
    with pytest.raises(DomainError) as exc:  # more than the piece
        _apply(world, piece, piece.amount_fen + 1)
    assert exc.value.field == "amount_fen"
    with pytest.raises(DomainError) as exc:  # another member's piece
        offset.apply_offset(world.outsider, piece.pk, "debt", 100_000_00, **PAYABLE)
    assert exc.value.status == 404
    assert state() == before


def test_the_debtor_as_holder_is_refused(world):
    """bob is the debtor of alice's certificate; a certificate where bob holds and owes itself is 混同."""
    from liuzhuan.certificates.ledger.models import Piece

    _cert, piece = issue(world)
    Piece.objects.filter(pk=piece.pk).update(holder=world.bob_org)  # as after an old transfer to the debtor
    with pytest.raises(DomainError) as exc:
        offset.apply_offset(world.bob, piece.pk, "debt", 100_000_00, **PAYABLE)
    assert exc.value.code == "holder_is_debtor"


def test_wrong_organisation_and_operator_return(world):
    _cert, piece = issue(world)
    off = _apply(world, piece, 100_000_00)
    for user in (world.outsider, world.carol):
        with pytest.raises(DomainError) as exc:
            offset.confirm_debt_setoff(user, off.pk)
        assert exc.value.status == 404
        with pytest.raises(DomainError) as exc:
            offset.add_offset_evidence(user, off.pk, "payable", "x.pdf", pdf("x"))
        assert exc.value.status == 404
    offset.add_offset_evidence(world.alice, off.pk, "payable", "cg.pdf", pdf("cg"))
    offset.confirm_debt_setoff(world.bob, off.pk)
    off = offset.return_offset_delivery(world.clerk, off.pk, "对账单金额不清")
    assert off.status == "applied" and off.delivered_at is None and off.received_at is None
    offset.add_offset_evidence(world.alice, off.pk, "payable", "dz.pdf", pdf("dz"))  # the holder adds a document
    assert offset.confirm_debt_setoff(world.bob, off.pk).status == "received"
    off2 = _apply(world, world.alice_org.pieces.filter(status="live").first(), 100_000_00)
    assert offset.close_offset(world.bob, off2.pk, "无此应付").status == "refused"


def test_api_and_pages(world, api, client):
    _cert, piece = issue(world)
    alice, bob, out = api(world.alice), api(world.bob), api(world.outsider)
    r = alice.post(f"/certificates/pieces/{piece.pk}/offset", {"kind": "debt", "amount_fen": 100_000_00})
    assert r.status_code == 400 and r.json()["field"] == "payable_contract_ref"
    r = alice.post(f"/certificates/pieces/{piece.pk}/offset", {"kind": "debt", "amount_fen": 100_000_00, "payable_contract_ref": "CG-1",
                                                               "payable_fen": 50_000_00, "payable_due_date": days(10).isoformat()})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["kind"] == "debt" and body["price_fen"] == 50_000_00 and body["payable_contract_ref"] == "CG-1"
    oid = body["id"]
    r = bob.post(f"/certificates/offsets/{oid}/debt-confirmation")
    assert r.status_code == 400 and r.json()["code"] == "evidence_required"
    assert out.post(f"/certificates/offsets/{oid}/debt-confirmation").status_code == 404
    url = f"/api/v1/certificates/offsets/{oid}/evidence"
    r = alice.client.post(url, {"kind": "payable", "file": SimpleUploadedFile("cg.pdf", pdf("cg"))}, HTTP_X_CSRFTOKEN=alice.csrf)
    assert r.status_code == 201
    assert alice.post(f"/certificates/offsets/{oid}/debt-confirmation").status_code == 403
    # pages: the debtor sees the confirm button and confirms; an outsider gets 404
    client.force_login(world.outsider)
    assert client.post(f"/certificates/lifecycle/offsets/{oid}/", {"form": "debt_confirm"}).status_code == 404
    client.force_login(world.alice)
    r = client.post(f"/certificates/lifecycle/offsets/{oid}/", {"form": "debt_confirm"}, follow=True)
    assert "只有债务人可以确认抵偿债务" in r.content.decode()
    client.force_login(world.bob)
    page = client.get(f"/certificates/lifecycle/offsets/{oid}/").content.decode()
    assert "确认抵偿" in page and "CG-1" in page
    client.post(f"/certificates/lifecycle/offsets/{oid}/", {"form": "debt_confirm"})
    assert bob.get(f"/certificates/offsets/{oid}").json()["status"] == "received"
    client.force_login(world.clerk)
    client.post(f"/certificates/lifecycle/offsets/{oid}/", {"form": "register"})
    assert bob.get(f"/certificates/offsets/{oid}").json()["status"] == "completed"


def test_apply_page_takes_the_payable(world, client):
    _cert, piece = issue(world)
    client.force_login(world.alice)
    r = client.post(f"/certificates/lifecycle/pieces/{piece.pk}/", {"form": "offset", "kind": "debt", "amount": "1000", "note": ""})
    assert "请填写持有人对债务人应付债务的合同编号" in r.content.decode()
    r = client.post(f"/certificates/lifecycle/pieces/{piece.pk}/", {"form": "offset", "kind": "debt", "amount": "1000", "note": "",
                                                          "payable_contract_ref": "CG-9", "payable_fen": "800", "payable_due_date": days(5).isoformat()})
    assert r.status_code == 302
