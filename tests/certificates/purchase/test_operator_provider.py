"""受托收购: the operator itself (债权管理服务机构) may be approved as purchase provider and take the
provider steps, which used to require the member role (issue 19 item 8; seed 三(四)「委托债权管理服务机构
或经债权管理服务机构认可的其他第三方…提供附带锁定期的收购服务」)."""

import pytest

from liuzhuan.certificates.purchase import actions as purchase
from liuzhuan.core.errors import DomainError
from liuzhuan.members.models import Organisation

from ..conftest import issue
from ..helpers import TODAY, commitment, end_lockup, state


def _approve_operator(world, capacity_fen=5_000_000_00):
    op = world.clerk.organisation
    p = purchase.prepare_provider(world.clerk, op.pk, capacity_fen, "受托收购")
    purchase.decide_provider(world.checker, p.pk, True)
    return op


def test_operator_provides_the_purchase_end_to_end(world):
    cert, piece = issue(world)
    op = _approve_operator(world)
    c = commitment(world, cert, world.clerk)  # requested by alice, accepted by the operator's clerk
    assert c.status == "active" and c.provider == op and c.decided_by == world.clerk
    c = end_lockup(c)
    sale = purchase.apply_sale(world.alice, piece.pk, c.pk, 400_000_00)
    sale = purchase.confirm_sale(world.checker, sale.pk, payment_fen=sale.price_fen, payment_date=TODAY, payment_ref="HX-OP-1")
    assert sale.status == "completed" and sale.transfer.new_piece.holder == op and sale.transfer.registration_no


def test_operator_declines_and_refuses_sales(world):
    cert, piece = issue(world)
    _approve_operator(world)
    c = commitment(world, cert, world.clerk, accept=False)
    c = purchase.close_commitment(world.clerk, c.pk, "额度另有安排")
    assert c.status == "declined"
    c = end_lockup(commitment(world, cert, world.clerk))
    sale = purchase.apply_sale(world.alice, piece.pk, c.pk, 100_000_00)
    with pytest.raises(DomainError) as exc:
        purchase.close_sale(world.clerk, sale.pk, "")
    assert exc.value.code == "reason_required"
    assert purchase.close_sale(world.clerk, sale.pk, "不符合收购条件").status == "refused"


def test_unapproved_operator_cannot_accept(world):
    cert, _ = issue(world)
    op = _approve_operator(world, 0)  # approved with capacity 0: suspended
    before = state()
    with pytest.raises(DomainError) as exc:
        purchase.request_commitment(world.alice, cert.pk, op.pk, price_kind="percent", price_bp=9000, lockup_end=TODAY,
                                    expiry=TODAY.replace(year=TODAY.year + 1), agreement_ref="WT")
    assert exc.value.code == "provider_not_approved" and exc.value.field == "provider_org_id"
    assert state() == before


def test_who_may_be_approved(world):
    for org_id in (world.regulator_org.pk, 987654):
        with pytest.raises(DomainError) as exc:
            purchase.prepare_provider(world.clerk, org_id, 100_00)
        assert exc.value.field == "org_id"
    Organisation.objects.filter(pk=world.clerk.organisation_id).update(status="suspended")
    with pytest.raises(DomainError):
        purchase.prepare_provider(world.checker, world.clerk.organisation_id, 100_00)


def test_operator_provider_steps_reject_other_org(world):
    cert, piece = issue(world)
    _approve_operator(world)
    c = commitment(world, cert, world.clerk, accept=False)
    before = state()
    for user, status in ((world.outsider, 404), (world.alice, 403), (world.inspector, 403), (world.banker, 404)):
        with pytest.raises(DomainError) as exc:
            purchase.accept_commitment(user, c.pk)
        assert exc.value.status == status, user
    assert state() == before
    c = end_lockup(purchase.accept_commitment(world.clerk, c.pk))
    sale = purchase.apply_sale(world.alice, piece.pk, c.pk, 100_000_00)
    before = state()
    for user, status in ((world.alice, 403), (world.outsider, 404), (world.bob, 404)):
        with pytest.raises(DomainError) as exc:
            purchase.confirm_sale(user, sale.pk, payment_fen=sale.price_fen, payment_date=TODAY, payment_ref="X")
        assert exc.value.status == status, user
    assert state() == before
    # the operator acting as provider is still not a holder: it cannot apply to sell on a member's behalf
    with pytest.raises(DomainError) as exc:
        purchase.apply_sale(world.clerk, piece.children.get(status="live").pk, c.pk, 100_00)
    assert exc.value.status == 403


def test_api_and_pages(world, api, client):
    cert, piece = issue(world)
    op = _approve_operator(world)
    c = commitment(world, cert, world.clerk, accept=False)
    assert api(world.outsider).post(f"/certificates/commitments/{c.pk}/accept").status_code == 404
    r = api(world.clerk).post(f"/certificates/commitments/{c.pk}/accept")
    assert r.status_code == 200 and r.json()["status"] == "active"
    end_lockup(c)
    sale = purchase.apply_sale(world.alice, piece.pk, c.pk, 100_000_00)
    client.force_login(world.clerk)
    assert sale.number in client.get("/certificates/lifecycle/commitments/").content.decode()
    r = client.post(f"/certificates/lifecycle/sales/{sale.pk}/", {"form": "confirm", "payment": "1", "payment_date": TODAY.isoformat(),
                                                                   "payment_ref": "HX"})
    assert r.status_code == 200 and "不一致" in r.content.decode()
    r = client.post(f"/certificates/lifecycle/sales/{sale.pk}/", {"form": "confirm", "payment": f"{sale.price_fen / 100:.2f}",
                                                                   "payment_date": TODAY.isoformat(), "payment_ref": "HX"})
    sale.refresh_from_db()
    assert r.status_code == 302 and sale.status == "completed" and sale.transfer.to_org == op
