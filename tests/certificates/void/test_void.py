"""Void (作废) of a certificate issued in error: maker-checker with a reason, only while nothing moved."""

import pytest

from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.certificates.fees import actions as fees
from liuzhuan.certificates.offset import actions as offset
from liuzhuan.certificates.void import actions as void
from liuzhuan.certificates.void.models import CertificateVoid
from liuzhuan.core.errors import DomainError
from liuzhuan.members.models import Notification

from ..helpers import commitment, pledge, purchaser, state, verified


def test_void_maker_checker(world, issued):
    cert, piece = issued
    _, user = purchaser(world)
    c = commitment(world, cert, user)
    v = void.prepare_void(world.clerk, cert.pk, "债权金额录入错误")
    assert v.status == "prepared"
    with pytest.raises(DomainError) as exc:
        void.prepare_void(world.checker, cert.pk, "重复")
    assert exc.value.code == "void_pending"
    with pytest.raises(DomainError) as exc:
        void.decide_void(world.clerk, v.pk, True)
    assert exc.value.code == "same_maker_checker" and exc.value.status == 403
    v = void.decide_void(world.checker, v.pk, True)
    cert.refresh_from_db()
    piece.refresh_from_db()
    c.refresh_from_db()
    assert v.status == "voided" and cert.status == "voided" and piece.status == "voided" and c.status == "voided"
    assert Notification.objects.filter(organisation=world.alice_org, title__contains="已作废").exists()
    with pytest.raises(DomainError) as exc:
        circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, 100_00, "ZR")
    assert exc.value.code == "piece_not_live"
    with pytest.raises(DomainError) as exc:
        void.prepare_void(world.clerk, cert.pk, "再次")
    assert exc.value.code == "certificate_inactive"
    assert verified()


def test_send_back_needs_reason(world, issued):
    cert, _ = issued
    v = void.prepare_void(world.clerk, cert.pk, "错误")
    with pytest.raises(DomainError) as exc:
        void.decide_void(world.checker, v.pk, False)
    assert exc.value.code == "reason_required"
    v = void.decide_void(world.checker, v.pk, False, "凭证无误")
    cert.refresh_from_db()
    assert v.status == "sent_back" and cert.status == "active"


@pytest.mark.parametrize("move", ["split", "transfer", "pledge", "offset"])
def test_no_void_once_a_piece_moved(world, issued, move):
    cert, piece = issued
    if move == "split":
        circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, 100_00, "ZR")
    elif move == "transfer":
        circulation.accept_offer(world.carol, circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, piece.amount_fen, "ZR").pk)
    elif move == "pledge":
        pledge(world, piece, register=False)
    else:
        offset.apply_offset(world.alice, piece.pk, "asset", piece.amount_fen)
    before = state()
    with pytest.raises(DomainError) as exc:
        void.prepare_void(world.clerk, cert.pk, "错误开具")
    assert exc.value.code == "piece_moved" and "不能作废" in exc.value.message and state() == before


def test_piece_moving_after_prepare_blocks_the_checker(world, issued):
    cert, piece = issued
    v = void.prepare_void(world.clerk, cert.pk, "错误开具")
    circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, piece.amount_fen, "ZR")
    with pytest.raises(DomainError) as exc:
        void.decide_void(world.checker, v.pk, True)
    assert exc.value.code == "piece_moved"
    v.refresh_from_db()
    assert v.status == "prepared"


def test_void_rejects_other_roles(world, issued):
    cert, _ = issued
    for user, code in ((world.alice, "role_required"), (world.bob, "role_required"), (world.inspector, "read_only")):
        with pytest.raises(DomainError) as exc:
            void.prepare_void(user, cert.pk, "x")
        assert exc.value.status == 403 and exc.value.code == code
    v = void.prepare_void(world.clerk, cert.pk, "错误")
    with pytest.raises(DomainError) as exc:
        void.decide_void(world.alice, v.pk, True)
    assert exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        void.prepare_void(world.clerk, 999999, "x")
    assert exc.value.status == 404
    with pytest.raises(DomainError) as exc:
        void.prepare_void(world.clerk, cert.pk, " ")
    assert exc.value.code == "reason_required"


def test_api_and_pages(world, issued, api, client):
    cert, _ = issued
    assert api(world.alice).post(f"/certificates/certs/{cert.pk}/void", {"reason": "x"}).status_code == 403
    r = api(world.clerk).post(f"/certificates/certs/{cert.pk}/void", {"reason": "合同编号错误"})
    assert r.status_code == 201
    vid = r.json()["id"]
    assert api(world.clerk).post(f"/certificates/voids/{vid}/decide", {"agree": True}).json()["code"] == "same_maker_checker"
    client.force_login(world.checker)
    assert "合同编号错误" in client.get("/certificates/lifecycle/voids/").content.decode()
    client.post("/certificates/lifecycle/voids/", {"void": vid, "agree": "yes", "reason": ""})
    assert CertificateVoid.objects.get(pk=vid).status == "voided"
    assert "作废" in client.get(f"/certificates/c/{cert.pk}/").content.decode()
    client.force_login(world.alice)
    assert client.get("/certificates/lifecycle/voids/").status_code == 404
    assert client.get(f"/certificates/lifecycle/certs/{cert.pk}/void/").status_code == 404
    assert verified()


def test_void_reverses_the_issuance_fee(world, api):
    """红字冲销: each issuance charge gets a row of the opposite sign pointing at it; statements net to zero."""
    from django.db import IntegrityError, transaction
    from django.test import Client

    from liuzhuan.certificates.fees.models import FeeCharge
    from liuzhuan.certificates.fees.queries import fee_statement
    from liuzhuan.core.dates import today_china

    from ..conftest import issue

    fees.set_fee_rule(world.clerk, "issuance", "2", 100, None, "split", today_china())
    cert, _ = issue(world)
    charged = {c.org_id: c.amount_fen for c in FeeCharge.objects.filter(certificate=cert)}
    assert charged == {world.alice_org.pk: 100_00, world.bob_org.pk: 100_00}  # ¥1,000,000 × 2‱ = ¥200, split
    sent_back = void.prepare_void(world.clerk, cert.pk, "错误")
    void.decide_void(world.checker, sent_back.pk, False, "凭证无误")
    assert FeeCharge.objects.count() == 2  # nothing reversed on a send-back
    void.decide_void(world.checker, void.prepare_void(world.clerk, cert.pk, "债务人名称错误").pk, True)
    reversals = list(FeeCharge.objects.filter(reverses__isnull=False).order_by("pk"))
    assert [(r.org_id, r.amount_fen, r.reference) for r in reversals] == [
        (world.alice_org.pk, -100_00, f"ZF-{cert.number}"), (world.bob_org.pk, -100_00, f"ZF-{cert.number}")]
    assert all(r.reverses.amount_fen == -r.amount_fen and r.reverses.certificate_id == cert.pk for r in reversals)
    for org in (world.alice_org, world.bob_org):
        assert sum(c.amount_fen for c in fee_statement(org.pk)) == 0
        note = Notification.objects.get(organisation=org, title__contains="已作废")
        assert "已冲销贵机构就该凭证缴纳的开具服务费 ¥100.00" in note.body
    client = api(world.alice)
    rows = client.get("/certificates/fees/statement").json()["items"]
    assert sorted((r["amount_fen"], r["reverses_id"] is not None) for r in rows) == [(-100_00, True), (100_00, False)]
    assert api(world.outsider).get("/certificates/fees/statement").json()["items"] == []  # wrong organisation sees none of it
    web = Client()
    web.force_login(world.alice)
    page = web.get("/certificates/fees/").content.decode()
    assert "开具（冲销）" in page and "-¥100.00" in page
    with pytest.raises(IntegrityError), transaction.atomic():  # a negative row must name what it reverses
        FeeCharge.objects.create(org=world.alice_org, op_type="issuance", rule=reversals[0].rule, base_fen=1, amount_fen=-1,
                                 certificate=cert, reference="X", charged_on=today_china())
    assert verified()
