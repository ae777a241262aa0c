"""Cash put up by the market purchaser (or the operator) for a member's debts (债务链垫付): a chain
uses it like the member's own cash, and the debt it paid passes to the provider."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied
from liuzhuan.core.integrity import run_all
from liuzhuan.core.roles import Role
from liuzhuan.setoff.agreements import actions as agreements
from liuzhuan.setoff.models import AgreementStatus, Channel, Obligation, ObligationStatus
from liuzhuan.setoff.register import actions as register

from ..conftest import make_org, make_user, new_uscc
from .conftest import owe, proposed, run_now


@pytest.fixture
def purchaser(world):
    org = make_org("市场化收购公司", Role.PURCHASER)
    return make_user(org, "buyer", "manager")


@pytest.fixture
def chain(world):
    """alice owes bob 100 and bob owes carol 100: no loop; alice has no cash of her own."""
    return owe(world.alice, world.bob, 100_00, "AB"), owe(world.bob, world.carol, 100_00, "BC")


def fund(user, payer, fen, days=30):
    return register.fund_cash(user, payer_uscc=payer.legal_id, amount_fen=fen,
                              valid_until=today_china() + dt.timedelta(days=days))


def test_purchaser_cash_clears_the_chain_and_alice_then_owes_the_purchaser(world, purchaser, chain,
                                                                            django_capture_on_commit_callbacks):
    ab, bc = chain
    d = fund(purchaser, world.alice_org, 100_00)
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    assert (run.chain_count, run.paid_fen, run.cleared_fen) == (1, 100_00, 200_00)
    (a,) = proposed(run)
    assert a.party_list[0].organisation_id == world.alice_org.pk  # alice pays (and signs)
    for user in (world.alice, world.bob, world.carol):
        agreements.confirm(user, a.pk)
    a.refresh_from_db()
    assert a.status == AgreementStatus.EXECUTED, a.close_reason
    assert [Obligation.objects.get(pk=o.pk).outstanding_fen for o in (ab, bc)] == [0, 0]
    owed = Obligation.objects.get(from_cash=d)
    assert (owed.debtor_id, owed.creditor_id, owed.amount_fen, owed.status, owed.channel) == (
        world.alice_org.pk, purchaser.organisation_id, 100_00, ObligationStatus.CONFIRMED, Channel.CHAIN)
    assert (owed.registered_by_id, owed.confirmed_by_id) == (purchaser.pk, world.alice.pk)  # who put it up, who signed
    d.refresh_from_db()
    assert d.used_fen == 100_00
    report = run_all()
    assert report.ok, report.problems


def test_the_operator_may_fund_too_and_the_payer_may_refuse_by_withdrawing(world, chain,
                                                                           django_capture_on_commit_callbacks):
    d = fund(world.clerk, world.alice_org, 100_00)
    assert d.provider_id == world.operator.pk
    register.withdraw_cash(world.alice, d.pk)  # alice does not want her debt moved to the operator
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    assert run.chain_count == 0 and run.cleared_fen == 0


def test_funding_is_refused_for_non_members_oneself_and_other_roles(world, purchaser):
    with pytest.raises(PermissionDenied):
        fund(world.alice, world.bob_org, 100_00)  # a member may only declare its own cash
    with pytest.raises(PermissionDenied):
        fund(world.inspector, world.alice_org, 100_00)
    with pytest.raises(DomainError, match="会员"):
        fund(purchaser, SimpleNamespace(legal_id=new_uscc()), 100_00)  # nobody registered
    with pytest.raises(DomainError, match="大于零"):
        fund(purchaser, world.alice_org, 0)
    d = fund(purchaser, world.alice_org, 50_00)
    with pytest.raises(NotFound):
        register.withdraw_cash(world.bob, d.pk)  # wrong organisation: neither payer nor provider
    assert register.withdraw_cash(purchaser, d.pk).status == "withdrawn"


def test_cash_page_and_api_for_the_purchaser(world, purchaser, api, client):
    client.force_login(purchaser)
    page = client.get("/setoff/cash/").content.decode()
    assert "为会员提供债务链清偿资金" in page
    resp = client.post("/setoff/cash/", {"verb": "fund", "payer_uscc": "91110000000000000X", "amount": "100",
                                         "valid_until": (today_china() + dt.timedelta(days=5)).isoformat()})
    assert resp.status_code == 200 and "会员" in resp.content.decode()  # form error names the payer
    resp = client.post("/setoff/cash/", {"verb": "fund", "payer_uscc": world.alice_org.legal_id, "amount": "100",
                                         "valid_until": (today_china() + dt.timedelta(days=5)).isoformat()})
    assert resp.status_code == 302
    page = api(purchaser).get("/setoff/cash").json()
    assert page["count"] == 1
    listed = page["items"]
    assert [(c["organisation_id"], c["provider_id"], c["amount_fen"]) for c in listed] == [
        (world.alice_org.pk, purchaser.organisation_id, 100_00)]
    assert len(api(world.alice).get("/setoff/cash").json()["items"]) == 1  # alice sees cash put up for her
    assert api(world.bob).get("/setoff/cash").json()["items"] == []  # wrong organisation
    resp = api(purchaser).post("/setoff/cash/fund", {"payer_uscc": world.bob_org.legal_id, "amount_fen": 1,
                                                     "valid_until": (today_china() + dt.timedelta(days=5)).isoformat()})
    assert resp.status_code == 201 and resp.json()["provider_id"] == purchaser.organisation_id
    assert api(world.alice).post("/setoff/cash/fund", {"payer_uscc": world.bob_org.legal_id, "amount_fen": 1,
                                                       "valid_until": today_china().isoformat()}).status_code == 403


def test_another_provider_cannot_withdraw_and_a_spaced_uscc_is_read_as_the_register_reads_it(world, purchaser, api):
    other = make_user(make_org("另一收购公司", Role.PURCHASER), "buyer2", "manager")
    spaced = " ".join(world.alice_org.legal_id[i:i + 6] for i in range(0, 18, 6)).lower()
    d = register.fund_cash(purchaser, payer_uscc=spaced, amount_fen=10_00,
                           valid_until=today_china() + dt.timedelta(days=5))
    assert d.organisation_id == world.alice_org.pk
    with pytest.raises(NotFound):
        register.withdraw_cash(other, d.pk)  # wrong organisation on the provider side
    assert api(other).post(f"/setoff/cash/{d.pk}/withdraw").status_code == 404
    d.refresh_from_db()
    assert d.status == "active"


def test_cash_of_a_provider_suspended_since_is_neither_planned_nor_spent(world, purchaser, chain,
                                                                          django_capture_on_commit_callbacks):
    from liuzhuan.members.models import Organisation

    ab, bc = chain
    fund(purchaser, world.alice_org, 100_00)
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    (a,) = proposed(run)
    for user in (world.alice, world.bob):
        agreements.confirm(user, a.pk)
    Organisation.objects.filter(pk=purchaser.organisation_id).update(status="suspended")
    agreements.confirm(world.carol, a.pk)
    a.refresh_from_db()
    assert a.status == AgreementStatus.VOIDED and "现金" in a.close_reason
    assert [Obligation.objects.get(pk=o.pk).outstanding_fen for o in (ab, bc)] == [100_00, 100_00]
    assert not Obligation.objects.filter(channel=Channel.CHAIN).exists()
    again = run_now(world.clerk, django_capture_on_commit_callbacks)
    assert again.chain_count == 0 and again.liquidity_fen == 0
