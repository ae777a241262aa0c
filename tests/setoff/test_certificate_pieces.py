"""Live certificate pieces take part in set-off: the certificate's debtor owes the piece's holder."""

from __future__ import annotations

import datetime as dt

import pytest

from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.certificates.ledger.models import Piece, PieceStatus
from liuzhuan.certificates.pledge import actions as pledge
from liuzhuan.core.dates import today_china
from liuzhuan.core.integrity import run_all
from liuzhuan.setoff.agreements import actions as agreements
from liuzhuan.setoff.models import AgreementStatus, Obligation

from ..certificates.conftest import issue
from .conftest import owe, proposed, run_now


@pytest.fixture
def loop_through_a_certificate(world, django_capture_on_commit_callbacks):
    """bob owes alice ¥1,000,000 by certificate; alice owes carol 300, carol owes bob 200 (registered)."""
    cert, piece = issue(world)
    a_c = owe(world.alice, world.carol, 300_00, "AC")
    c_b = owe(world.carol, world.bob, 200_00, "CB")
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    (agreement,) = proposed(run)
    return cert, piece, a_c, c_b, run, agreement


def confirm_all(world, agreement):
    for user in (world.alice, world.bob, world.carol):
        agreements.confirm(user, agreement.pk)
    agreement.refresh_from_db()


def test_a_loop_through_a_certificate_piece_sets_off_part_of_the_piece(world, loop_through_a_certificate):
    cert, piece, a_c, c_b, run, agreement = loop_through_a_certificate
    assert run.cleared_fen == 3 * 200_00 and agreement.amount_fen == 200_00
    assert any(p.piece_id == piece.pk and p.amount_fen == 200_00 for p in agreement.part_list)
    from django.test import Client

    page = Client()
    page.force_login(world.bob)
    body = page.get(f"/setoff/agreements/{agreement.pk}/").content.decode()
    assert piece.number in body and cert.number in body
    assert page.get(f"/setoff/agreements/{agreement.pk}/pdf/").status_code == 200
    confirm_all(world, agreement)
    assert agreement.status == AgreementStatus.EXECUTED
    piece.refresh_from_db()
    assert piece.status == PieceStatus.SPLIT
    children = {p.status: p.amount_fen for p in Piece.objects.filter(parent=piece)}
    assert children == {PieceStatus.SET_OFF: 200_00, PieceStatus.LIVE: 1_000_000_00 - 200_00}
    assert Obligation.objects.get(pk=a_c.pk).outstanding_fen == 100_00
    assert Obligation.objects.get(pk=c_b.pk).outstanding_fen == 0
    report = run_all()
    assert report.ok, report.problems  # conservation of the face amount included


def test_a_piece_transferred_before_the_last_signature_voids_the_agreement(world, loop_through_a_certificate):
    cert, piece, a_c, _c_b, _run, agreement = loop_through_a_certificate
    offer = circulation.offer_transfer(world.alice, piece.pk, world.bank_org.pk, piece.amount_fen, "ZR-1")
    circulation.accept_offer(world.banker, offer.pk)
    confirm_all(world, agreement)
    assert agreement.status == AgreementStatus.VOIDED and "凭证分段" in agreement.close_reason
    assert Obligation.objects.get(pk=a_c.pk).outstanding_fen == 300_00  # nothing moved
    assert not Piece.objects.filter(certificate=cert, status=PieceStatus.SET_OFF).exists()
    assert run_all().ok


def test_a_pledged_piece_stays_out_of_runs(world, django_capture_on_commit_callbacks):
    _cert, piece = issue(world)
    today = today_china()
    pledge.create_pledge(world.alice, piece.pk, world.bank_org.pk, piece.amount_fen, "ZY-1", piece.amount_fen,
                         today, today + dt.timedelta(days=90))
    owe(world.alice, world.carol, 300_00, "AC")
    owe(world.carol, world.bob, 200_00, "CB")
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    assert run.cleared_fen == 0 and not proposed(run)


def test_a_holder_outside_the_loop_sees_nothing_of_it(world, loop_through_a_certificate, api):
    *_rest, agreement = loop_through_a_certificate
    assert api(world.outsider).get(f"/setoff/agreements/{agreement.pk}").status_code == 404
    data = api(world.alice).get(f"/setoff/agreements/{agreement.pk}").json()
    kinds = {(p["obligation_id"] is None, p["piece_id"] is None) for p in data["parts"]}
    assert kinds == {(True, False), (False, True)}  # one piece part, the rest obligations


def test_declining_or_letting_lapse_an_agreement_with_a_piece_works(world, loop_through_a_certificate):
    _cert, piece, a_c, c_b, _run, agreement = loop_through_a_certificate
    agreements.decline(world.carol, agreement.pk, "需董事会审批")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DECLINED
    # carol's two debts sit out; the piece (bob owes alice) stays live and in later runs
    assert set(Obligation.objects.filter(opted_out=True).values_list("pk", flat=True)) == {a_c.pk, c_b.pk}
    piece.refresh_from_db()
    assert piece.status == PieceStatus.LIVE
    assert run_all().ok


def test_a_lapsed_agreement_with_a_piece_lapses(world, loop_through_a_certificate):
    *_rest, agreement = loop_through_a_certificate
    agreements.confirm(world.alice, agreement.pk)
    assert agreements.lapse_overdue(agreement.deadline + dt.timedelta(days=1)) == 1
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.LAPSED


def test_two_agreements_on_one_piece_both_execute(world, django_capture_on_commit_callbacks):
    """The solver may set off one piece in several loops: the second sets off the remainder."""
    cert, piece = issue(world)  # bob owes alice ¥1,000,000 by certificate
    owe(world.alice, world.carol, 300_00, "AC")
    owe(world.carol, world.bob, 200_00, "CB")
    owe(world.alice, world.outsider, 80_00, "AO")
    owe(world.outsider, world.bob, 80_00, "OB")
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    loops = sorted(proposed(run), key=lambda a: a.amount_fen)
    assert [a.amount_fen for a in loops] == [80_00, 200_00]
    assert all(any(p.piece_id == piece.pk for p in a.part_list) for a in loops)
    for a in loops:
        for user in {p.organisation.users.first() for p in a.party_list}:
            agreements.confirm(user, a.pk)
        a.refresh_from_db()
        assert a.status == AgreementStatus.EXECUTED, a.close_reason
    set_off = sorted(Piece.objects.filter(certificate=cert, status=PieceStatus.SET_OFF).values_list("amount_fen",
                                                                                                   flat=True))
    assert set_off == [80_00, 200_00]
    assert Piece.objects.get(certificate=cert, status=PieceStatus.LIVE).amount_fen == 1_000_000_00 - 280_00
    assert run_all().ok


def test_only_the_party_that_declined_puts_its_debt_back(world, loop_through_a_certificate):
    from liuzhuan.core.errors import DomainError
    from liuzhuan.setoff.register import actions as register

    *_rest, a_c, _c_b, _run, agreement = loop_through_a_certificate
    agreements.decline(world.carol, agreement.pk, "不同意")
    with pytest.raises(DomainError) as exc:
        register.rejoin(world.alice, a_c.pk)  # the counterparty may not undo carol's decision
    assert exc.value.code == "not_opted_out_by_you"
    register.rejoin(world.carol, a_c.pk)
    assert not Obligation.objects.get(pk=a_c.pk).opted_out
