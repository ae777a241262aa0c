"""Pledged certificate pieces take part in set-off only with the pledgee's standing consent
(质权人概括同意); the pledge follows what is left of the piece, or ends with it."""

from __future__ import annotations

import pytest

from liuzhuan.certificates.ledger.models import Piece, PieceStatus
from liuzhuan.certificates.pledge import actions as pledging
from liuzhuan.certificates.pledge.models import PledgeStatus
from liuzhuan.core.errors import Conflict, NotFound, PermissionDenied
from liuzhuan.core.integrity import run_all
from liuzhuan.members.models import Notification
from liuzhuan.setoff.agreements import actions as agreements
from liuzhuan.setoff.models import AgreementStatus, Obligation
from liuzhuan.setoff.register import actions as register

from ..certificates.conftest import issue
from ..certificates.helpers import pledge
from .conftest import owe, proposed, run_now


@pytest.fixture
def pledged_loop(world):
    """bob owes alice ¥1,000,000 by certificate, which alice pledged whole to the bank; alice owes
    carol 300 and carol owes bob 200 (registered): a loop of 200 through the pledged piece."""
    cert, piece = issue(world)
    p = pledge(world, piece)
    owe(world.alice, world.carol, 300_00, "AC"), owe(world.carol, world.bob, 200_00, "CB")
    return cert, p


def sign_all(world, agreement):
    for user in (world.alice, world.bob, world.carol):
        agreements.confirm(user, agreement.pk)
    agreement.refresh_from_db()


def test_without_consent_the_pledged_piece_stays_out(world, pledged_loop, django_capture_on_commit_callbacks):
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    assert run.cleared_fen == 0 and not proposed(run)


def test_with_consent_the_loop_executes_and_the_pledge_follows_the_remainder(world, pledged_loop,
                                                                              django_capture_on_commit_callbacks):
    cert, p = pledged_loop
    register.give_pledgee_consent(world.banker, "限于本行授信项下质押")
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    (agreement,) = proposed(run)
    assert agreement.amount_fen == 200_00 and any(part.piece_id == p.piece_id for part in agreement.part_list)
    assert "bank" not in {party.organisation.name for party in agreement.party_list}  # the bank signs nothing
    sign_all(world, agreement)
    assert agreement.status == AgreementStatus.EXECUTED, agreement.close_reason
    set_off = Piece.objects.get(certificate=cert, status=PieceStatus.SET_OFF)
    rest = Piece.objects.get(certificate=cert, status=PieceStatus.PLEDGED)
    assert (set_off.amount_fen, rest.amount_fen) == (200_00, 1_000_000_00 - 200_00)
    p.refresh_from_db()
    assert (p.piece_id, p.amount_fen, p.status) == (rest.pk, rest.amount_fen, PledgeStatus.EFFECTIVE)
    assert Notification.objects.filter(organisation=world.bank_org, kind="setoff.pledge").count() == 1
    assert run_all().ok


def test_a_fully_set_off_pledged_piece_releases_its_pledge(world, django_capture_on_commit_callbacks):
    cert, piece = issue(world)
    p = pledge(world, piece, 200_00)  # alice splits off 200 and pledges it
    owe(world.alice, world.carol, 300_00, "AC"), owe(world.carol, world.bob, 200_00, "CB")
    register.give_pledgee_consent(world.banker)
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    (agreement,) = proposed(run)
    sign_all(world, agreement)
    assert agreement.status == AgreementStatus.EXECUTED, agreement.close_reason
    p.refresh_from_db()
    assert p.status == PledgeStatus.RELEASED and agreement.number in p.close_reason
    assert not Piece.objects.filter(certificate=cert, status=PieceStatus.PLEDGED).exists()
    assert run_all().ok


def test_consent_withdrawn_before_the_last_signature_voids_the_agreement(world, pledged_loop,
                                                                          django_capture_on_commit_callbacks):
    _cert, p = pledged_loop
    register.give_pledgee_consent(world.banker)
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    (agreement,) = proposed(run)
    agreements.confirm(world.alice, agreement.pk)
    agreements.confirm(world.bob, agreement.pk)
    register.withdraw_pledgee_consent(world.banker)
    agreements.confirm(world.carol, agreement.pk)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.VOIDED and "撤回" in agreement.close_reason
    p.refresh_from_db()
    assert p.amount_fen == 1_000_000_00 and Piece.objects.get(pk=p.piece_id).status == PieceStatus.PLEDGED
    assert sorted(Obligation.objects.values_list("outstanding_fen", flat=True)) == [200_00, 300_00]
    again = run_now(world.clerk, django_capture_on_commit_callbacks)
    assert again.cleared_fen == 0  # and the piece is out of later runs


def test_a_piece_in_a_pledged_transfer_stays_out(world, pledged_loop, django_capture_on_commit_callbacks):
    _cert, p = pledged_loop
    register.give_pledgee_consent(world.banker)
    pledging.request_pledged_transfer(world.alice, p.pk, world.outsider_org.pk, "ZR-1")
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    assert run.cleared_fen == 0


def test_only_a_member_gives_consent_once_and_only_its_own_is_withdrawn(world):
    with pytest.raises(PermissionDenied):
        register.give_pledgee_consent(world.clerk)  # the operator is no pledgee
    with pytest.raises(PermissionDenied):
        register.give_pledgee_consent(world.inspector)
    register.give_pledgee_consent(world.banker)
    with pytest.raises(Conflict):
        register.give_pledgee_consent(world.banker)
    with pytest.raises(NotFound):
        register.withdraw_pledgee_consent(world.outsider)  # wrong organisation: it has none to withdraw
    assert register.withdraw_pledgee_consent(world.banker).status == "withdrawn"


def test_consent_page_and_api(world, api, client):
    client.force_login(world.banker)
    assert "未同意" in client.get("/setoff/consent/").content.decode()
    resp = client.post("/setoff/consent/", {"verb": "give", "note": "x" * 201})
    assert resp.status_code == 200 and "200" in resp.content.decode()  # the form error names the limit
    from liuzhuan.setoff.models import PledgeeConsent

    assert not PledgeeConsent.objects.exists()  # and nothing was given
    assert client.post("/setoff/consent/", {"verb": "give", "note": "本行同意"}).status_code == 302
    assert "已概括同意" in client.get("/setoff/consent/").content.decode()
    assert api(world.banker).post("/setoff/consent", {"note": ""}).status_code == 409
    assert api(world.inspector).post("/setoff/consent", {"note": ""}).status_code == 403
    assert [c["organisation_id"] for c in api(world.alice).get("/setoff/consent").json()] == []  # not its own
    assert len(api(world.inspector).get("/setoff/consent").json()) == 1
    resp = api(world.banker).post("/setoff/consent/withdraw")
    assert resp.status_code == 200 and resp.json()["status"] == "withdrawn"
    assert api(world.banker).post("/setoff/consent/withdraw").status_code == 404
