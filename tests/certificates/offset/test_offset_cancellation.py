"""Completion of an offset in three steps (seed 三(五), 二(一)1): the debtor uploads the documents and
records delivery, the holder confirms receipt, the operator registers the cancellation (注销登记).
Nothing is cancelled before the last step; each step refuses when the one before is missing."""

import hashlib
import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from liuzhuan.certificates.ledger.models import Piece
from liuzhuan.certificates.offset import actions as offset
from liuzhuan.certificates.offset.models import OffsetApplication, OffsetEvidence
from liuzhuan.core.errors import DomainError
from liuzhuan.core.integrity import run_all
from liuzhuan.core.models import AuditEvent
from liuzhuan.members.models import Notification

from ..conftest import issue
from ..helpers import pdf, state, verified


def snapshot() -> tuple:
    return (*state(), tuple(OffsetApplication.objects.order_by("pk").values_list(
        "status", "delivered_at", "received_at", "cancellation_no", "returned_reason")), OffsetEvidence.objects.count())


def _agreed(world, price=600_000_00, kind="asset"):
    """alice holds ¥1,000,000 of bob's certificate; an offset at ``price`` is agreed."""
    _, piece = issue(world, settle_by_consumption=(kind == "consumption"))
    off = offset.apply_offset(world.alice, piece.pk, kind, piece.amount_fen)
    if kind == "asset":
        asset = offset.add_asset(world.bob, kind="house", name="汇浦花园 3-2-501", list_price_fen=price)
        offset.offer_offset_options(world.bob, off.pk, asset_ids=[asset.pk])
        offset.propose_offset_price(world.alice, off.pk, price, asset.pk)
    else:
        offset.offer_offset_options(world.bob, off.pk, consumption_scope="超市日用品")
        offset.propose_offset_price(world.alice, off.pk, price)
    return offset.accept_offset_price(world.bob, off.pk)


def _upload(user, off, *kinds):
    return [offset.add_offset_evidence(user, off.pk, k, f"{k}.pdf", pdf(f"{off.pk}-{k}")) for k in kinds]


def test_three_steps_then_cancelled(world):
    off = _agreed(world)
    piece_before = tuple(Piece.objects.order_by("pk").values_list("pk", "status", "amount_fen"))
    ev = _upload(world.bob, off, "delivery") + _upload(world.alice, off, "title")  # either party may upload
    assert ev[0].sha256 == hashlib.sha256(pdf(f"{off.pk}-delivery")).hexdigest() and ev[0].size == len(pdf(f"{off.pk}-delivery"))
    assert ev[0].content_type == "application/pdf" and ev[0].file.read() == pdf(f"{off.pk}-delivery")

    off = offset.record_offset_delivery(world.bob, off.pk, delivery_ref="JF-1", title_registration_ref="DJ-1")
    assert off.status == "delivered" and off.delivered_by == world.bob and off.delivered_at
    assert Notification.objects.filter(organisation=world.alice_org, title__contains="请确认抵付交付").exists()

    off = offset.confirm_offset_receipt(world.alice, off.pk)
    assert off.status == "received" and off.received_by == world.alice
    assert Notification.objects.filter(organisation__name="测试运营机构", title__contains="抵付待注销登记").exists()
    # until the operator registers, the claim is whole and frozen
    assert tuple(Piece.objects.order_by("pk").values_list("pk", "status", "amount_fen")) == piece_before
    assert verified()

    off = offset.register_offset_cancellation(world.clerk, off.pk)
    assert off.status == "completed" and off.completed_by == world.clerk and off.completed_at
    assert off.cancellation_no.startswith("ZX") and off.offset_fen == 600_000_00
    assert off.offset_piece.status == "offset" and off.remainder_piece.amount_fen == 400_000_00
    actions = list(AuditEvent.objects.filter(object_id=str(off.pk), action__startswith="piece.offset").values_list("action", flat=True))
    assert actions[-5:] == ["piece.offset_evidence", "piece.offset_evidence", "piece.offset_deliver", "piece.offset_receipt",
                            "piece.offset_complete"]
    assert AuditEvent.objects.get(action="piece.offset_complete").summary["cancellation_no"] == off.cancellation_no
    for org in (world.alice_org, world.bob_org):
        assert Notification.objects.filter(organisation=org, body__contains=off.cancellation_no).exists()
    assert verified()


def test_delivery_needs_the_documents_of_its_kind(world):
    off = _agreed(world)
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        offset.record_offset_delivery(world.bob, off.pk, delivery_ref="JF", title_registration_ref="DJ")
    assert (exc.value.code, exc.value.field) == ("evidence_required", "file")
    assert "资产交付确认、权属转移登记" in exc.value.message and snapshot() == before
    _upload(world.bob, off, "delivery", "settlement")  # a settlement slip is not a title-transfer document
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        offset.record_offset_delivery(world.bob, off.pk, delivery_ref="JF", title_registration_ref="DJ")
    assert exc.value.code == "evidence_required" and "权属转移登记" in exc.value.message and snapshot() == before

    cons = _agreed(world, 50_000_00, kind="consumption")
    with pytest.raises(DomainError) as exc:
        offset.record_offset_delivery(world.bob, cons.pk, delivery_ref="SP", settlement_ref="JS")
    assert exc.value.code == "evidence_required" and "消费结算单" in exc.value.message


def test_each_step_refused_before_its_turn(world):
    off = _agreed(world)
    before = snapshot()
    for call, code in ((lambda: offset.confirm_offset_receipt(world.alice, off.pk), "offset_state"),
                       (lambda: offset.register_offset_cancellation(world.clerk, off.pk), "offset_state"),
                       (lambda: offset.return_offset_delivery(world.alice, off.pk, "未收到"), "offset_state")):
        with pytest.raises(DomainError) as exc:
            call()
        assert exc.value.code == code
    assert snapshot() == before
    _upload(world.bob, off, "delivery", "title")
    offset.record_offset_delivery(world.bob, off.pk, delivery_ref="JF", title_registration_ref="DJ")
    before = snapshot()
    for call, code in ((lambda: offset.register_offset_cancellation(world.clerk, off.pk), "offset_state"),  # holder has not confirmed
                       (lambda: offset.close_offset(world.bob, off.pk, "反悔"), "offset_state"),  # delivered: no refusal any more
                       (lambda: offset.close_offset(world.alice, off.pk), "offset_state"),
                       (lambda: offset.record_offset_delivery(world.bob, off.pk, delivery_ref="x", title_registration_ref="y"), "offset_state")):
        with pytest.raises(DomainError) as exc:
            call()
        assert exc.value.code == code
    assert snapshot() == before
    offset.confirm_offset_receipt(world.alice, off.pk)
    with pytest.raises(DomainError) as exc:
        offset.add_offset_evidence(world.bob, off.pk, "other", "补充.pdf", pdf("late"))
    assert exc.value.code == "offset_state"


def test_holder_and_operator_send_back_for_correction(world):
    off = _agreed(world)
    _upload(world.bob, off, "delivery", "title")
    offset.record_offset_delivery(world.bob, off.pk, delivery_ref="JF", title_registration_ref="DJ")
    with pytest.raises(DomainError) as exc:
        offset.return_offset_delivery(world.alice, off.pk, " ")
    assert (exc.value.code, exc.value.field) == ("reason_required", "reason")
    off = offset.return_offset_delivery(world.alice, off.pk, "钥匙未交付")
    assert off.status == "agreed" and off.returned_reason == "钥匙未交付"
    _upload(world.bob, off, "other")
    offset.record_offset_delivery(world.bob, off.pk, delivery_ref="JF-2", title_registration_ref="DJ")
    offset.confirm_offset_receipt(world.alice, off.pk)
    off = offset.return_offset_delivery(world.clerk, off.pk, "权属转移登记材料不清晰")
    assert off.status == "agreed" and off.received_at is None and off.returned_reason == "权属转移登记材料不清晰"
    assert Notification.objects.filter(organisation=world.alice_org, body="权属转移登记材料不清晰").exists()
    assert verified()


def test_bad_evidence_changes_nothing(world):
    off = _agreed(world)
    _upload(world.bob, off, "delivery")
    before = snapshot()
    for kind, content, code in (("delivery", b"MZ not a pdf", "file_type"), ("delivery", b"", "file_empty"),
                                ("photo", pdf("x"), "evidence_kind_invalid"), ("title", pdf(f"{off.pk}-delivery"), "file_duplicate")):
        with pytest.raises(DomainError) as exc:
            offset.add_offset_evidence(world.bob, off.pk, kind, "x.pdf", content)
        assert exc.value.code == code
    assert snapshot() == before


def test_cancellation_steps_reject_other_org(world):
    off = _agreed(world)
    before = snapshot()
    cases = [
        (lambda u: offset.add_offset_evidence(u, off.pk, "delivery", "x.pdf", pdf("x")),
         {world.outsider: 404, world.banker: 404, world.clerk: 403}),
        (lambda u: offset.record_offset_delivery(u, off.pk, delivery_ref="x", title_registration_ref="y"),
         {world.alice: 403, world.outsider: 404, world.clerk: 403}),
    ]
    for fn, expected in cases:
        for user, status in expected.items():
            with pytest.raises(DomainError) as exc:
                fn(user)
            assert exc.value.status == status, (user, status)
    assert snapshot() == before
    _upload(world.bob, off, "delivery", "title")
    offset.record_offset_delivery(world.bob, off.pk, delivery_ref="JF", title_registration_ref="DJ")
    before = snapshot()
    for user, status in ((world.bob, 403), (world.outsider, 404), (world.carol, 404), (world.clerk, 403)):
        with pytest.raises(DomainError) as exc:
            offset.confirm_offset_receipt(user, off.pk)
        assert exc.value.status == status, user
    offset.confirm_offset_receipt(world.alice, off.pk)
    before = snapshot()
    for user in (world.alice, world.bob, world.outsider, world.inspector, world.banker):  # only the operator registers
        with pytest.raises(DomainError) as exc:
            offset.register_offset_cancellation(user, off.pk)
        assert exc.value.status == 403, user
    assert snapshot() == before


def test_operator_party_to_the_offset_cannot_register_it(world):
    from liuzhuan.members.models import OrganisationRole, User

    off = _agreed(world)
    OrganisationRole.objects.create(organisation=world.bob_org, role="operator")  # the debtor is also an operator org
    _upload(world.bob, off, "delivery", "title")
    offset.record_offset_delivery(world.bob, off.pk, delivery_ref="JF", title_registration_ref="DJ")
    offset.confirm_offset_receipt(world.alice, off.pk)
    with pytest.raises(DomainError) as exc:
        offset.register_offset_cancellation(User.objects.get(pk=world.bob.pk), off.pk)  # fresh: roles are cached per instance
    assert exc.value.code == "self_review"


def test_integrity_flags_a_cancellation_without_receipt(world):
    off = _agreed(world)
    _upload(world.bob, off, "delivery", "title")
    offset.record_offset_delivery(world.bob, off.pk, delivery_ref="JF", title_registration_ref="DJ")
    offset.confirm_offset_receipt(world.alice, off.pk)
    offset.register_offset_cancellation(world.clerk, off.pk)
    assert run_all().ok
    OffsetApplication.objects.filter(pk=off.pk).update(received_at=None)
    assert any("无持有人确认" in p for p in run_all().problems)


def test_api_steps_and_errors(world, api):
    off = _agreed(world)
    bob, alice = api(world.bob), api(world.alice)
    url = f"/api/v1/certificates/offsets/{off.pk}/evidence"
    r = bob.client.post(url, {"kind": "delivery", "file": SimpleUploadedFile("jf.pdf", pdf("jf"))}, HTTP_X_CSRFTOKEN=bob.csrf)
    assert r.status_code == 201 and r.json()["sha256"] == hashlib.sha256(pdf("jf")).hexdigest() and r.json()["kind_label"] == "资产交付确认"
    r = bob.client.post(url, {"kind": "title", "file": SimpleUploadedFile("dj.exe", b"MZ")}, HTTP_X_CSRFTOKEN=bob.csrf)
    assert r.status_code == 400 and r.json()["field"] == "file"
    out = api(world.outsider)
    r = out.client.post(url, {"kind": "title", "file": SimpleUploadedFile("dj.pdf", pdf("dj"))}, HTTP_X_CSRFTOKEN=out.csrf)
    assert r.status_code == 404
    r = bob.post(f"/certificates/offsets/{off.pk}/delivery", {"delivery_ref": "JF", "title_registration_ref": "DJ"})
    assert r.status_code == 400 and r.json()["code"] == "evidence_required"
    bob.client.post(url, {"kind": "title", "file": SimpleUploadedFile("dj.pdf", pdf("dj"))}, HTTP_X_CSRFTOKEN=bob.csrf)
    assert [e["kind"] for e in alice.get(f"/certificates/offsets/{off.pk}/evidence").json()] == ["delivery", "title"]
    assert api(world.outsider).get(f"/certificates/offsets/{off.pk}/evidence").status_code == 404
    assert alice.post(f"/certificates/offsets/{off.pk}/delivery", {"delivery_ref": "JF"}).status_code == 403
    assert bob.post(f"/certificates/offsets/{off.pk}/delivery", {"delivery_ref": "JF", "title_registration_ref": "DJ"}).json()["status"] == "delivered"
    assert api(world.clerk).post(f"/certificates/offsets/{off.pk}/cancellation").status_code == 409
    r = alice.post(f"/certificates/offsets/{off.pk}/return", {"reason": ""})
    assert r.status_code == 400 and r.json()["field"] == "reason"
    assert bob.post(f"/certificates/offsets/{off.pk}/receipt").status_code == 403
    assert alice.post(f"/certificates/offsets/{off.pk}/receipt").json()["status"] == "received"
    assert alice.post(f"/certificates/offsets/{off.pk}/cancellation").status_code == 403
    r = api(world.clerk).post(f"/certificates/offsets/{off.pk}/cancellation")
    assert r.status_code == 200 and r.json()["status"] == "completed" and r.json()["cancelled_by_id"] == world.clerk.pk
    assert verified()


def test_pages_refuse_in_chinese_and_operator_registers(world, client):
    off = _agreed(world, kind="consumption", price=50_000_00)
    client.force_login(world.bob)
    r = client.post(f"/certificates/lifecycle/offsets/{off.pk}/", {"form": "evidence", "kind": "settlement",
                                                                     "file": SimpleUploadedFile("js.txt", b"plain text")})
    assert r.status_code == 200 and "只能是 PDF、PNG 或 JPEG" in r.content.decode()
    r = client.post(f"/certificates/lifecycle/offsets/{off.pk}/", {"form": "deliver", "delivery_ref": "SP", "settlement_ref": "JS"})
    assert r.status_code == 200 and "请先上传证明材料：消费结算单" in r.content.decode()
    client.post(f"/certificates/lifecycle/offsets/{off.pk}/", {"form": "evidence", "kind": "settlement",
                                                                "file": SimpleUploadedFile("js.pdf", pdf("js"))})
    assert "js.pdf" in client.get(f"/certificates/lifecycle/offsets/{off.pk}/").content.decode()
    client.post(f"/certificates/lifecycle/offsets/{off.pk}/", {"form": "deliver", "delivery_ref": "SP", "settlement_ref": "JS"})
    client.force_login(world.alice)
    r = client.post(f"/certificates/lifecycle/offsets/{off.pk}/", {"form": "return", "reason": ""})
    assert r.status_code == 200 and "请说明退回理由" in r.content.decode()
    client.post(f"/certificates/lifecycle/offsets/{off.pk}/", {"form": "receipt"})
    client.force_login(world.clerk)
    page = client.get(f"/certificates/lifecycle/offsets/{off.pk}/").content.decode()
    assert "办理注销登记" in page
    client.post(f"/certificates/lifecycle/offsets/{off.pk}/", {"form": "register"})
    off.refresh_from_db()
    assert off.status == "completed" and off.cancellation_no in client.get(f"/certificates/lifecycle/offsets/{off.pk}/").content.decode()
    client.force_login(world.outsider)
    assert client.post(f"/certificates/lifecycle/offsets/{off.pk}/", {"form": "receipt"}).status_code == 404


def test_offsets_completed_before_the_three_steps_stay_as_they_were(world, client, api):
    """Migration 0011 gives them a LEGACY- registration number and invents nothing: no receipt,
    no documents. ``verify`` accepts them; the page says the holder never confirmed."""
    mig = importlib.import_module("liuzhuan.certificates.migrations.0011_offset_cancellation_data")
    off = _agreed(world)
    _upload(world.bob, off, "delivery", "title")
    offset.record_offset_delivery(world.bob, off.pk, delivery_ref="JF", title_registration_ref="DJ")
    offset.confirm_offset_receipt(world.alice, off.pk)
    offset.register_offset_cancellation(world.clerk, off.pk)
    OffsetEvidence.objects.filter(offset=off).delete()  # as before the flow existed
    # the state 0011 leaves (with the constraint of 0012 in place a completed row always has a number)
    OffsetApplication.objects.filter(pk=off.pk).update(received_at=None, received_by=None, cancellation_no=mig.legacy_number(off.number))
    assert mig.legacy_number(off.number) == f"LEGACY-{off.number}" and run_all().ok
    client.force_login(world.alice)
    page = client.get(f"/certificates/lifecycle/offsets/{off.pk}/").content.decode()
    assert "本抵付在三步注销流程上线前完成" in page and "未经运营机构注销登记" in page
    out = api(world.alice).get(f"/certificates/offsets/{off.pk}").json()
    assert out["cancellation_no"].startswith("LEGACY-") and out["cancelled_by_id"] is None  # the debtor did it, not an operator


def test_a_cash_top_up_needs_its_proof_before_delivery_and_verify_checks_it(world):
    from liuzhuan.core.dates import today_china

    off = _agreed(world, price=1_200_000_00)  # the holder pays ¥200,000 in cash on top of its claim
    _upload(world.bob, off, "delivery", "title")
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        offset.record_offset_delivery(world.bob, off.pk, delivery_ref="JF", title_registration_ref="DJ",
                                      cash_top_up_ref="LS-1", cash_top_up_date=today_china())
    assert exc.value.code == "evidence_required" and "补足款凭证" in exc.value.message
    assert snapshot() == before
    _upload(world.alice, off, "top_up")  # the holder proves its payment
    offset.record_offset_delivery(world.bob, off.pk, delivery_ref="JF", title_registration_ref="DJ",
                                  cash_top_up_ref="LS-1", cash_top_up_date=today_china())
    offset.confirm_offset_receipt(world.alice, off.pk)
    done = offset.register_offset_cancellation(world.clerk, off.pk)
    assert done.cash_top_up_fen == 200_000_00 and verified()
    OffsetEvidence.objects.filter(offset=off, kind="top_up").delete()  # as if the proof went missing
    assert any("补足款凭证" in p for p in run_all().problems)


def test_return_of_a_delivery_refuses_other_organisations(world):
    off = _agreed(world)
    _upload(world.bob, off, "delivery", "title")
    offset.record_offset_delivery(world.bob, off.pk, delivery_ref="JF", title_registration_ref="DJ")
    before = snapshot()
    for user, status in ((world.bob, 403), (world.outsider, 404), (world.carol, 404), (world.clerk, 409)):
        with pytest.raises(DomainError) as exc:
            offset.return_offset_delivery(user, off.pk, "材料不符")
        assert exc.value.status == status, user
    assert snapshot() == before


def test_a_holder_that_is_also_an_operator_returns_as_the_holder(world):
    from liuzhuan.members.models import OrganisationRole, User

    off = _agreed(world)
    OrganisationRole.objects.create(organisation=world.alice_org, role="operator")  # the holder's org is an operator too
    _upload(world.bob, off, "delivery", "title")
    offset.record_offset_delivery(world.bob, off.pk, delivery_ref="JF", title_registration_ref="DJ")
    back = offset.return_offset_delivery(User.objects.get(pk=world.alice.pk), off.pk, "房屋未腾空")
    assert back.status == "agreed" and back.returned_reason == "房屋未腾空"
