import pytest

from liuzhuan.certificates.fees import actions as fees
from liuzhuan.certificates.fees.models import FeeCharge
from liuzhuan.certificates.issuance import actions as issuance
from liuzhuan.certificates.ledger.models import Certificate
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.core.numbers import is_valid_number

from ..conftest import app_input, attach_contract, confirm_and_check


@pytest.fixture
def submitted(world):
    app = issuance.create_application(world.alice, app_input(world.bob_org))
    confirm_and_check(world, app)
    app.refresh_from_db()
    return app


def test_maker_checker_issues_certificate(world, submitted):
    fees.set_fee_rule(world.clerk, "issuance", "2", 2000, None, "transferor", today_china())
    issuance.prepare_review(world.clerk, submitted.pk, "approve")
    app = issuance.decide_review(world.checker, submitted.pk, True)
    cert = Certificate.objects.get(application=app)
    assert app.status == "issued" and is_valid_number(cert.number)
    piece = cert.pieces.get()
    assert piece.holder == world.alice_org and piece.amount_fen == cert.face_fen == 1_000_000_00
    assert cert.debtor == world.bob_org and cert.issued_by == world.checker
    fee = FeeCharge.objects.get(op_type="issuance")
    assert fee.org == world.alice_org and fee.amount_fen == 20000  # 1,000,000.00 × 2‱ = 200.00


def test_same_user_cannot_approve_own_review(world, submitted):
    issuance.prepare_review(world.clerk, submitted.pk, "approve")
    with pytest.raises(PermissionDenied) as exc:
        issuance.decide_review(world.clerk, submitted.pk, True)
    assert exc.value.code == "same_maker_checker"
    assert not Certificate.objects.exists()


def test_debtor_confirmation_required_before_review(world):
    app = issuance.create_application(world.alice, app_input(world.bob_org))
    with pytest.raises(DomainError) as exc:
        issuance.prepare_review(world.clerk, app.pk, "approve")
    assert exc.value.code == "not_submitted"


def test_reject_needs_reason_and_checker_can_send_back(world, submitted):
    with pytest.raises(DomainError) as exc:
        issuance.prepare_review(world.clerk, submitted.pk, "reject")
    assert exc.value.field == "reason"
    issuance.prepare_review(world.clerk, submitted.pk, "reject", "合同金额与发票不符")
    app = issuance.decide_review(world.checker, submitted.pk, False, "请核实发票")
    assert app.status == "submitted"
    issuance.prepare_review(world.clerk, submitted.pk, "reject", "合同金额与发票不符")
    app = issuance.decide_review(world.checker, submitted.pk, True)
    assert app.status == "rejected" and not Certificate.objects.exists()


def test_review_rejects_other_org(world, submitted):
    with pytest.raises(PermissionDenied):
        issuance.prepare_review(world.alice, submitted.pk, "approve")
    issuance.prepare_review(world.clerk, submitted.pk, "approve")
    with pytest.raises(PermissionDenied):
        issuance.decide_review(world.bob, submitted.pk, True)
    with pytest.raises(PermissionDenied):
        issuance.decide_review(world.inspector, submitted.pk, True)


def test_review_via_api(world, submitted, api):
    r = api(world.clerk).post(f"/certificates/applications/{submitted.pk}/prepare", {"action": "approve"})
    assert r.status_code == 200
    r = api(world.clerk).post(f"/certificates/applications/{submitted.pk}/decide", {"agree": True})
    assert r.status_code == 403 and "复核人不能与经办人为同一人" in r.json()["message"]
    r = api(world.checker).post(f"/certificates/applications/{submitted.pk}/decide", {"agree": True})
    assert r.status_code == 200 and r.json()["certificate"]


def test_review_pages(world, submitted, client):
    client.force_login(world.clerk)
    assert submitted.number in client.get("/certificates/review/").content.decode()
    client.post(f"/certificates/applications/{submitted.pk}/", {"form": "prepare", "action": "approve"})
    r = client.post(f"/certificates/applications/{submitted.pk}/", {"form": "decide", "agree": "yes"})
    assert "复核人不能与经办人为同一人" in r.content.decode()
    client.force_login(world.alice)
    assert client.get("/certificates/review/").status_code == 404
    assert client.post(f"/certificates/applications/{submitted.pk}/", {"form": "decide", "agree": "yes"}).status_code == 404


def test_operator_cannot_review_application_it_is_party_to(world):
    from ...conftest import make_user

    world.operator.roles.create(role="member")
    op_member = make_user(world.operator, "op_member", "manager")
    app = issuance.create_application(op_member, app_input(world.bob_org))
    attach_contract(op_member, app)
    issuance.confirm_application(world.bob, app.pk)
    with pytest.raises(PermissionDenied) as exc:
        issuance.prepare_review(world.clerk, app.pk, "approve")
    assert exc.value.code == "self_review"


def test_non_member_cannot_hold_certificates(world):
    with pytest.raises(PermissionDenied) as exc:
        issuance.create_application(world.clerk, app_input(world.bob_org))
    assert exc.value.code == "role_required"


def test_maturity_reached_during_review_is_not_issued(world, submitted):
    """The settlement date must lie ahead when the certificate is issued, not only when applied for."""
    from liuzhuan.certificates.issuance.models import Application

    issuance.prepare_review(world.clerk, submitted.pk, "approve")
    Application.objects.filter(pk=submitted.pk).update(maturity_date=today_china())  # the review outlasted it
    with pytest.raises(DomainError) as exc:
        issuance.decide_review(world.checker, submitted.pk, True)
    assert exc.value.code == "maturity_past"
    submitted.refresh_from_db()
    assert submitted.status == "prepared" and not Certificate.objects.exists()
