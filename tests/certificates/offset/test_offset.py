"""Asset and consumption offset (资产抵付 / 消费抵付) and cancellation (注销): reservation, the
debtor's list (own assets or the housing pool), price agreement, delivery, remainder or cash
top-up; and the race between an offset and a transfer of the same piece."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.certificates.fees import actions as fees
from liuzhuan.certificates.fees.models import FeeCharge
from liuzhuan.certificates.ledger.models import Piece, Transfer
from liuzhuan.certificates.offset import actions as offset
from liuzhuan.certificates.offset.models import OffsetApplication, OffsetAsset
from liuzhuan.certificates.offset.rules import offset_outcome
from liuzhuan.core.errors import DomainError
from liuzhuan.core.integrity import run_all

from ..conftest import issue
from ..helpers import TODAY, days, finish_offset, housing, pdf, state, verified


def _asset(user, price=600_000_00, name="汇浦花园 3-2-501"):
    return offset.add_asset(user, kind="house", name=name, list_price_fen=price, location="临河区", title_no="蒙(2025)临河区不动产权第001号")


def _agree(world, off, price, asset=None):
    offset.offer_offset_options(world.bob, off.pk, asset_ids=[asset.pk] if asset else None,
                                consumption_scope="" if asset else "超市日用品")
    offset.propose_offset_price(world.alice, off.pk, price, asset.pk if asset else None)
    return offset.accept_offset_price(world.bob, off.pk)


def test_asset_offset_with_remainder(world, issued):
    cert, piece = issued
    fees.set_fee_rule(world.clerk, "offset", "1", 0, None, "transferor", TODAY)
    asset = _asset(world.bob)
    off = offset.apply_offset(world.alice, piece.pk, "asset", piece.amount_fen, "意向住宅")
    piece.refresh_from_db()
    assert piece.status == "offsetting" and off.status == "applied"
    off = _agree(world, off, 600_000_00, asset)
    asset.refresh_from_db()
    assert off.status == "agreed" and asset.status == "reserved"
    offset.add_offset_evidence(world.bob, off.pk, "delivery", "交房确认书.pdf", pdf("jf"))
    offset.add_offset_evidence(world.bob, off.pk, "title", "转移登记.pdf", pdf("dj"))
    before = state()
    with pytest.raises(DomainError) as exc:
        offset.record_offset_delivery(world.bob, off.pk, delivery_ref="JF-1")
    assert exc.value.code == "title_registration_required" and state() == before
    offset.record_offset_delivery(world.bob, off.pk, delivery_ref="JF-1", title_registration_ref="DJ-2026-001")
    offset.confirm_offset_receipt(world.alice, off.pk)
    off = offset.register_offset_cancellation(world.clerk, off.pk)
    assert off.status == "completed" and off.offset_fen == 600_000_00 and off.cash_top_up_fen == 0
    assert off.offset_piece.status == "offset" and off.offset_piece.amount_fen == 600_000_00
    assert off.remainder_piece.status == "live" and off.remainder_piece.amount_fen == 400_000_00
    assert off.remainder_piece.holder == world.alice_org
    asset.refresh_from_db()
    cert.refresh_from_db()
    assert asset.status == "delivered" and cert.status == "active" and off.fee_fen == 60_00
    assert FeeCharge.objects.get(op_type="offset").reference == off.number
    # the remainder can circulate or be offset again
    again = offset.apply_offset(world.alice, off.remainder_piece_id, "asset", 400_000_00)
    assert again.amount_fen == 400_000_00
    assert verified()


def test_price_above_claim_needs_cash_top_up_and_settles(world, issued):
    cert, piece = issued
    off = offset.apply_offset(world.alice, piece.pk, "asset", piece.amount_fen)
    off = _agree(world, off, 1_200_000_00, _asset(world.bob, 1_200_000_00))
    for kw, code in (({}, "top_up_required"), ({"cash_top_up_ref": "LS-9"}, "top_up_date_invalid"),
                     ({"cash_top_up_ref": "LS-9", "cash_top_up_date": days(1)}, "top_up_date_invalid")):
        with pytest.raises(DomainError) as exc:
            offset.record_offset_delivery(world.bob, off.pk, delivery_ref="JF", title_registration_ref="DJ", **kw)
        assert exc.value.code == code
    off = finish_offset(off, world.bob, world.alice, world.clerk, cash_top_up_ref="LS-9", cash_top_up_date=TODAY)
    cert.refresh_from_db()
    assert off.offset_fen == 1_000_000_00 and off.cash_top_up_fen == 200_000_00 and off.remainder_piece is None
    assert off.offset_piece_id == piece.pk and cert.status == "settled"
    assert verified()


def test_consumption_offset_partial_application(world):
    cert, piece = issue(world, settle_by_consumption=True)
    off = offset.apply_offset(world.alice, piece.pk, "consumption", 50_000_00)
    assert Piece.objects.get(certificate=cert, status="live").amount_fen == 950_000_00
    off = _agree(world, off, 50_000_00)
    with pytest.raises(DomainError) as exc:
        offset.record_offset_delivery(world.bob, off.pk, delivery_ref="SP-1")
    assert exc.value.code == "settlement_required"
    off = finish_offset(off, world.bob, world.alice, world.clerk, delivery_ref="SP-1", settlement_ref="JS-0001")
    assert off.offset_fen == 50_000_00 and off.remainder_piece is None and off.settlement_ref == "JS-0001"
    assert verified()


def test_housing_pool_units_are_eligible_others_not(world, issued):
    _, piece = issued
    _, hp_user = housing(world)
    pool_unit = _asset(hp_user, 900_000_00, "存量房 8-1-101")
    stranger = _asset(world.outsider, 100_00, "外部公司的车位")
    off = offset.apply_offset(world.alice, piece.pk, "asset", piece.amount_fen)
    before = state()
    with pytest.raises(DomainError) as exc:
        offset.offer_offset_options(world.bob, off.pk, asset_ids=[pool_unit.pk, stranger.pk])
    assert exc.value.code == "asset_not_eligible" and state() == before
    off = offset.offer_offset_options(world.bob, off.pk, asset_ids=[pool_unit.pk])
    assert list(off.offered_assets.all()) == [pool_unit]
    with pytest.raises(DomainError) as exc:
        offset.propose_offset_price(world.alice, off.pk, 900_000_00, stranger.pk)
    assert exc.value.code == "asset_not_offered"


def test_refusals_name_the_rule_and_change_nothing(world, issued):
    _, piece = issued
    before = state()
    with pytest.raises(DomainError) as exc:
        offset.apply_offset(world.alice, piece.pk, "consumption", piece.amount_fen)  # the certificate agreed asset offset only
    assert exc.value.code == "offset_kind_not_agreed" and "资产抵付" in exc.value.message
    with pytest.raises(DomainError) as exc:
        offset.apply_offset(world.alice, piece.pk, "asset", 0)
    assert exc.value.code == "amount_not_positive"
    assert state() == before
    off = offset.apply_offset(world.alice, piece.pk, "asset", piece.amount_fen)
    offset.offer_offset_options(world.bob, off.pk, asset_ids=[_asset(world.bob).pk])
    before = state()
    for price, code in ((0, "price_not_positive"), (-100, "price_not_positive")):
        with pytest.raises(DomainError) as exc:
            offset.propose_offset_price(world.alice, off.pk, price, off.offered_assets.get().pk)
        assert exc.value.code == code and "大于零" in exc.value.message
    assert state() == before
    offset.propose_offset_price(world.alice, off.pk, 100_00, off.offered_assets.get().pk)
    with pytest.raises(DomainError) as exc:
        offset.accept_offset_price(world.alice, off.pk)
    assert exc.value.code == "own_proposal"
    with pytest.raises(DomainError) as exc:
        offset.record_offset_delivery(world.bob, off.pk, delivery_ref="x", title_registration_ref="y")
    assert exc.value.code == "offset_state" and "价款待对方确认" in exc.value.message
    for call, code in ((lambda: circulation.offer_transfer(world.alice, off.piece_id, world.bank_org.pk, 100_00, "ZR"), "piece_reserved_offset"),
                       (lambda: offset.apply_offset(world.alice, off.piece_id, "asset", 100_00), "piece_reserved_offset")):
        with pytest.raises(DomainError) as exc:
            call()
        assert exc.value.code == code


def test_refuse_and_withdraw_release_piece_and_asset(world, issued):
    _, piece = issued
    asset = _asset(world.bob)
    off = _agree(world, offset.apply_offset(world.alice, piece.pk, "asset", piece.amount_fen), 500_000_00, asset)
    with pytest.raises(DomainError) as exc:
        offset.close_offset(world.bob, off.pk, "")
    assert exc.value.code == "reason_required"
    off = offset.close_offset(world.bob, off.pk, "资产已另行处置")
    asset.refresh_from_db()
    off.piece.refresh_from_db()
    assert off.status == "refused" and asset.status == "available" and off.piece.status == "live"
    off2 = offset.close_offset(world.alice, offset.apply_offset(world.alice, piece.pk, "asset", piece.amount_fen).pk)
    assert off2.status == "withdrawn"
    assert verified()


def test_one_asset_cannot_serve_two_offsets(world):
    _, p1 = issue(world, 100_000_00)
    _, p2 = issue(world, 100_000_00)
    asset = _asset(world.bob, 100_000_00)
    o1 = offset.apply_offset(world.alice, p1.pk, "asset", p1.amount_fen)
    o2 = offset.apply_offset(world.alice, p2.pk, "asset", p2.amount_fen)
    for o in (o1, o2):
        offset.offer_offset_options(world.bob, o.pk, asset_ids=[asset.pk])
        offset.propose_offset_price(world.alice, o.pk, 100_000_00, asset.pk)
    offset.accept_offset_price(world.bob, o1.pk)
    with pytest.raises(DomainError) as exc:
        offset.accept_offset_price(world.bob, o2.pk)
    assert exc.value.code == "asset_unavailable"


def test_holder_who_is_debtor_and_inactive_holder(world):
    """The debtor cannot come to hold its own claim (混同: transfers to it are refused); a piece it
    holds from before that rule still cannot be offset against itself."""
    _cert, piece = issue(world, 100_000_00)
    with pytest.raises(DomainError) as exc:
        circulation.offer_transfer(world.alice, piece.pk, world.bob_org.pk, piece.amount_fen, "ZR")
    assert exc.value.code == "transferee_is_debtor"
    Piece.objects.filter(pk=piece.pk).update(holder=world.bob_org)  # as if transferred before the rule
    with pytest.raises(DomainError) as exc:
        offset.apply_offset(world.bob, piece.pk, "asset", 100_000_00)
    assert exc.value.code == "holder_is_debtor"


def test_offset_rejects_other_org(world, issued):
    _, piece = issued
    for user in (world.outsider, world.bob):
        with pytest.raises(DomainError) as exc:
            offset.apply_offset(user, piece.pk, "asset", 100_00)
        assert exc.value.status == 404
    off = offset.apply_offset(world.alice, piece.pk, "asset", piece.amount_fen)
    cases = [
        (lambda u: offset.offer_offset_options(u, off.pk, asset_ids=[1]), {world.alice: 403, world.outsider: 404, world.banker: 404}),
        (lambda u: offset.record_offset_delivery(u, off.pk, delivery_ref="x", title_registration_ref="y"), {world.alice: 403, world.outsider: 404}),
        (lambda u: offset.propose_offset_price(u, off.pk, 1), {world.outsider: 404, world.clerk: 403}),
        (lambda u: offset.close_offset(u, off.pk, "x"), {world.outsider: 404}),
    ]
    before = state()
    for fn, expected in cases:
        for user, status in expected.items():
            with pytest.raises(DomainError) as exc:
                fn(user)
            assert exc.value.status == status, (user, status)
    with pytest.raises(DomainError) as exc:
        offset.add_asset(world.inspector, kind="house", name="x", list_price_fen=1)
    assert exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        offset.withdraw_asset(world.outsider, _asset(world.bob).pk)
    assert exc.value.status == 404
    assert state()[:5] == before[:5]


def test_api_flow(world, issued, api):
    _, piece = issued
    alice, bob = api(world.alice), api(world.bob)
    r = bob.post("/certificates/assets", {"kind": "house", "name": "汇浦花园 1-1-101", "list_price_fen": 300_000_00})
    asset_id = r.json()["id"]
    r = alice.post(f"/certificates/pieces/{piece.pk}/offset", {"kind": "asset", "amount_fen": 300_000_00})
    assert r.status_code == 201, r.json()
    oid = r.json()["id"]
    assert api(world.outsider).get(f"/certificates/offsets/{oid}").status_code == 404
    assert alice.post(f"/certificates/offsets/{oid}/options", {"asset_ids": [asset_id]}).status_code == 403
    assert bob.post(f"/certificates/offsets/{oid}/options", {"asset_ids": [asset_id]}).json()["offered_asset_ids"] == [asset_id]
    r = bob.post(f"/certificates/offsets/{oid}/price", {"price_fen": -1, "asset_id": asset_id})
    assert r.status_code == 422 and r.json()["field"] == "price_fen"  # the schema: no negative amounts
    r = bob.post(f"/certificates/offsets/{oid}/price", {"price_fen": 0, "asset_id": asset_id})
    assert r.status_code == 400 and r.json()["code"] == "price_not_positive" and r.json()["field"] == "price_fen"
    bob.post(f"/certificates/offsets/{oid}/price", {"price_fen": 280_000_00, "asset_id": asset_id})
    assert alice.post(f"/certificates/offsets/{oid}/agree").json()["status"] == "agreed"
    r = bob.post(f"/certificates/offsets/{oid}/delivery", {"delivery_ref": "JF-9", "title_registration_ref": "DJ-9"})
    assert r.status_code == 400 and r.json()["code"] == "evidence_required" and r.json()["field"] == "file"
    off = OffsetApplication.objects.get(pk=oid)
    for kind in ("delivery", "title"):
        offset.add_offset_evidence(world.bob, oid, kind, f"{kind}.pdf", pdf(kind))
    assert bob.post(f"/certificates/offsets/{oid}/delivery", {"delivery_ref": "JF-9", "title_registration_ref": "DJ-9"}).json()["status"] == "delivered"
    assert alice.post(f"/certificates/offsets/{oid}/receipt").json()["status"] == "received"
    r = api(world.clerk).post(f"/certificates/offsets/{oid}/cancellation")
    assert r.json()["status"] == "completed" and r.json()["offset_fen"] == 280_000_00 and r.json()["remainder_piece"]
    assert r.json()["cancellation_no"].startswith("ZX") and r.json()["cancelled_by_id"] == world.clerk.pk and off.number
    assert [a["status"] for a in bob.get("/certificates/assets").json()] == ["delivered"]
    assert verified()


def test_pages(world, issued, client):
    _, piece = issued
    asset = _asset(world.bob)
    client.force_login(world.alice)
    r = client.post(f"/certificates/lifecycle/pieces/{piece.pk}/", {"form": "offset", "kind": "asset", "amount": "1,000,000", "note": ""})
    off = OffsetApplication.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/lifecycle/offsets/{off.pk}/")
    client.force_login(world.bob)
    assert off.number in client.get("/certificates/lifecycle/offsets/").content.decode()
    client.post(f"/certificates/lifecycle/offsets/{off.pk}/", {"form": "options", "assets": [asset.pk]})
    r = client.post(f"/certificates/lifecycle/offsets/{off.pk}/", {"form": "price", "price": "0", "asset": asset.pk})
    assert r.status_code == 200 and "大于零" in r.content.decode()
    client.post(f"/certificates/lifecycle/offsets/{off.pk}/", {"form": "price", "price": "1,000,000", "asset": asset.pk})
    client.force_login(world.alice)
    client.post(f"/certificates/lifecycle/offsets/{off.pk}/", {"form": "agree"})
    client.force_login(world.bob)
    r = client.post(f"/certificates/lifecycle/offsets/{off.pk}/", {"form": "deliver", "delivery_ref": "JF", "title_registration_ref": "DJ"})
    assert r.status_code == 200 and "请先上传证明材料：资产交付确认、权属转移登记" in r.content.decode()
    for kind in ("delivery", "title"):
        r = client.post(f"/certificates/lifecycle/offsets/{off.pk}/", {"form": "evidence", "kind": kind,
                                                                         "file": SimpleUploadedFile(f"{kind}.pdf", pdf(kind))})
        assert r.status_code == 302
    r = client.post(f"/certificates/lifecycle/offsets/{off.pk}/", {"form": "deliver", "delivery_ref": "JF", "title_registration_ref": "DJ"})
    assert r.status_code == 302
    client.force_login(world.alice)
    assert "确认收到" in client.get(f"/certificates/lifecycle/offsets/{off.pk}/").content.decode()
    assert client.post(f"/certificates/lifecycle/offsets/{off.pk}/", {"form": "receipt"}).status_code == 302
    client.force_login(world.clerk)
    assert off.number in client.get("/certificates/lifecycle/offsets/").content.decode()
    r = client.post(f"/certificates/lifecycle/offsets/{off.pk}/", {"form": "register"})
    off.refresh_from_db()
    assert r.status_code == 302 and off.status == "completed" and off.completed_by == world.clerk
    client.force_login(world.bob)
    assert "已抵付注销" in client.get(f"/certificates/lifecycle/offsets/{off.pk}/").content.decode()
    client.force_login(world.outsider)
    assert client.get(f"/certificates/lifecycle/offsets/{off.pk}/").status_code == 404
    hp_org, hp_user = housing(world)
    client.force_login(hp_user)
    r = client.post("/certificates/lifecycle/assets/", {"form": "add", "kind": "house", "name": "存量房 2-2-202", "list_price": "500,000"})
    assert r.status_code == 302 and OffsetAsset.objects.filter(owner=hp_org).exists()


def test_outcome_rule():
    assert offset_outcome(100, 60) == offset_outcome(100, 60).__class__(60, 40, 0)
    assert offset_outcome(100, 130).top_up_fen == 30 and offset_outcome(100, 100).remainder_fen == 0
    with pytest.raises(ValueError):
        offset_outcome(100, 0)


# --- race: offset and transfer of the same piece ---------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_offset_and_transfer_race_on_postgres(world):
    _, piece = issue(world)
    barrier = threading.Barrier(2)
    results = {}

    def attempt(name, fn):
        try:
            barrier.wait()
            fn()
            results[name] = "ok"
        except DomainError as exc:
            results[name] = exc.code
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=attempt, args=("transfer", lambda: circulation.offer_transfer(
            world.alice, piece.pk, world.carol_org.pk, piece.amount_fen, "RACE"))),
        threading.Thread(target=attempt, args=("offset", lambda: offset.apply_offset(world.alice, piece.pk, "asset", piece.amount_fen))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()).count("ok") == 1, results
    loser = "offset" if results["transfer"] == "ok" else "transfer"
    assert results[loser] in ("piece_not_live", "piece_reserved_offset")
    assert Transfer.objects.count() + OffsetApplication.objects.count() == 1 and run_all().ok


RACER = r"""
import os, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "liuzhuan.settings"
from django.conf import settings
settings.DATABASES["default"]["NAME"] = sys.argv[1]
import django
django.setup()
from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.certificates.offset import actions as offset
from liuzhuan.core.errors import DomainError
from liuzhuan.members.models import User
user = User.objects.get(pk=int(sys.argv[2]))
piece_id, to_org, go, kind, amount = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6], int(sys.argv[7])
while not os.path.exists(go):
    time.sleep(0.005)
try:
    if kind == "transfer":
        circulation.offer_transfer(user, piece_id, to_org, amount, "RACE")
    else:
        offset.apply_offset(user, piece_id, "asset", amount)
    print("ok")
except DomainError as exc:
    print(exc.code)
"""


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_offset_and_transfer_race_on_sqlite(world, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite pass runs this; PostgreSQL has the thread test")
    _, piece = issue(world)
    db_path = str(connection.settings_dict["NAME"])
    go = tmp_path / "go"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    procs = {
        kind: subprocess.Popen([sys.executable, "-c", RACER, db_path, str(world.alice.pk), str(piece.pk), str(world.carol_org.pk), str(go),
                                kind, str(piece.amount_fen)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                               cwd=Path(__file__).resolve().parents[3])
        for kind in ("transfer", "offset")
    }
    time.sleep(2.0)
    go.write_text("go")
    outs = {kind: p.communicate(timeout=120) for kind, p in procs.items()}
    results = {kind: out.strip() for kind, (out, _) in outs.items()}
    assert sorted(results.values()).count("ok") == 1, outs
    loser = "offset" if results["transfer"] == "ok" else "transfer"
    assert results[loser] in ("piece_not_live", "piece_reserved_offset"), outs
    assert Transfer.objects.count() + OffsetApplication.objects.count() == 1 and run_all().ok


def test_price_agreement_rejects_other_org(world, issued):
    _, piece = issued
    off = offset.apply_offset(world.alice, piece.pk, "asset", piece.amount_fen)
    asset = _asset(world.bob)
    offset.offer_offset_options(world.bob, off.pk, asset_ids=[asset.pk])
    offset.propose_offset_price(world.bob, off.pk, 100_00, asset.pk)
    before = state()
    for user, status in ((world.outsider, 404), (world.banker, 404), (world.inspector, 403)):
        with pytest.raises(DomainError) as exc:
            offset.accept_offset_price(user, off.pk)
        assert exc.value.status == status, user
    assert state() == before
