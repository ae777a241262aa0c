"""Compact proposals: a run stores its loop table in blocks; an agreement becomes rows only when a
party acts. What members, the operator and the daily job see must not depend on which it is."""

from __future__ import annotations

import datetime as dt

import pytest

from liuzhuan.core.integrity import run_all
from liuzhuan.members.models import Notification
from liuzhuan.setoff import queries
from liuzhuan.setoff.agreements import actions as agreements
from liuzhuan.setoff.models import Agreement, AgreementParty, AgreementStatus, Obligation, RunStatus

from .conftest import owe, proposed, run_now


@pytest.fixture
def two_loops(world):
    """A triangle (alice → bob → carol → alice, 50) and a pair (outsider ⇄ banker, 20)."""
    tri = [owe(world.alice, world.bob, 100_00, "T1"), owe(world.bob, world.carol, 70_00, "T2"),
           owe(world.carol, world.alice, 50_00, "T3")]
    pair = [owe(world.outsider, world.banker, 30_00, "P1"), owe(world.banker, world.outsider, 20_00, "P2")]
    return tri, pair


def test_a_member_lists_exactly_its_own_proposals_and_nobody_elses(world, two_loops,
                                                                   django_capture_on_commit_callbacks):
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    assert run.loops_count == 2 and not Agreement.objects.exists()
    tri, pair = sorted(proposed(run), key=lambda a: -a.parties_count)
    assert [a.pk for a in queries.agreements(world.alice)] == [tri.pk]
    assert [a.pk for a in queries.awaiting_agreements(world.outsider)] == [pair.pk]
    assert sorted(a.pk for a in queries.agreements(world.inspector)) == sorted([tri.pk, pair.pk])
    assert queries.get_agreement(world.bob, tri.pk).number == tri.number
    from liuzhuan.core.errors import NotFound

    with pytest.raises(NotFound):
        queries.get_agreement(world.outsider, tri.pk)  # wrong organisation
    with pytest.raises(NotFound):
        queries.get_agreement(world.alice, tri.pk + 10)  # no such loop


def test_the_first_answer_writes_the_rows_and_the_member_lists_follow(world, two_loops,
                                                                       django_capture_on_commit_callbacks):
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    tri = next(a for a in proposed(run) if a.parties_count == 3)
    agreements.confirm(world.alice, tri.pk)
    row = Agreement.objects.get(pk=tri.pk)
    assert (row.number, row.amount_fen, row.status) == (tri.number, 50_00, AgreementStatus.PROPOSED)
    assert AgreementParty.objects.filter(agreement=row).count() == 3
    assert not queries.awaiting_agreements(world.alice)  # answered
    assert [a.pk for a in queries.awaiting_agreements(world.bob)] == [tri.pk]  # still waits for bob
    assert [a.pk for a in queries.agreements(world.alice, status=AgreementStatus.PROPOSED)] == [tri.pk]
    # the untouched pair is still listed once, as a proposal
    assert len(queries.agreements(world.inspector)) == 2


def test_a_second_run_leaves_out_what_untouched_proposals_hold(world, two_loops, django_capture_on_commit_callbacks):
    first = run_now(world.clerk, django_capture_on_commit_callbacks)
    assert first.cleared_fen == 3 * 50_00 + 2 * 20_00
    second = run_now(world.clerk, django_capture_on_commit_callbacks)
    assert second.cleared_fen == 0 and second.loops_count == 0  # everything is held by the first run


def test_untouched_proposals_lapse_by_run_and_their_debts_sit_out(world, two_loops, django_capture_on_commit_callbacks,
                                                                  monkeypatch):
    _tri, pair_obls = two_loops
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    tri = next(a for a in proposed(run) if a.parties_count == 3)
    agreements.confirm(world.alice, tri.pk)  # the triangle has rows; the pair nobody touched
    after = run.deadline + dt.timedelta(days=1)
    assert agreements.lapse_overdue(after) == 2
    assert agreements.lapse_overdue(after) == 0  # once only
    run.refresh_from_db()
    assert run.lapsed_at is not None
    assert Agreement.objects.get(pk=tri.pk).status == AgreementStatus.LAPSED
    # the pair: both sides were silent, so both debts sit out, left out by their debtors
    for o in pair_obls:
        o.refresh_from_db()
        assert o.opted_out and o.opted_out_by_id == o.debtor_id
    assert Notification.objects.filter(organisation=world.outsider_org, kind="setoff.lapsed").count() == 1
    # after the deadline a proposal reads lapsed and can no longer be answered
    from liuzhuan.setoff import proposals
    from liuzhuan.setoff.agreements import actions as agreement_actions

    monkeypatch.setattr(proposals, "today_china", lambda: after)
    monkeypatch.setattr(agreement_actions, "today_china", lambda: after)
    pair = next(a for a in proposed(run) if a.parties_count == 2)
    assert pair.status == AgreementStatus.LAPSED
    with pytest.raises(Exception, match="截止日"):
        agreements.confirm(world.outsider, pair.pk)
    assert not Agreement.objects.filter(pk=pair.pk).exists()
    assert run_all().ok


def test_pages_api_and_pdf_show_a_proposal_nobody_has_answered(world, two_loops, django_capture_on_commit_callbacks,
                                                               client):
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    tri = next(a for a in proposed(run) if a.parties_count == 3)
    client.force_login(world.carol)
    page = client.get(f"/setoff/agreements/{tri.pk}/")
    assert page.status_code == 200 and tri.number in page.content.decode()
    assert client.get(f"/setoff/agreements/{tri.pk}/pdf/").content.startswith(b"%PDF")
    listing = client.get("/setoff/agreements/").content.decode()
    assert tri.number in listing and "甲公司" in listing
    obligation = client.get(f"/setoff/o/{two_loops[0][1].pk}/").content.decode()
    assert tri.number in obligation  # bob → carol is in the triangle's proposal
    client.force_login(world.outsider)
    assert client.get(f"/setoff/agreements/{tri.pk}/").status_code == 404
    assert Agreement.objects.count() == 0  # reading wrote nothing


def test_a_run_keeps_its_agreement_ids_apart_from_earlier_runs(world, two_loops, django_capture_on_commit_callbacks):
    first = run_now(world.clerk, django_capture_on_commit_callbacks)
    for a in proposed(first):
        for p in a.party_list:
            agreements.decline(p.organisation.users.first(), a.pk, "暂不参与")
            break
    owe(world.alice, world.outsider, 10_00, "X1"), owe(world.outsider, world.alice, 10_00, "X2")
    second = run_now(world.clerk, django_capture_on_commit_callbacks)
    assert second.status == RunStatus.DONE and second.loops_count == 1
    assert second.agreement_base >= first.agreement_base + first.loops_count
    (a,) = proposed(second)
    assert {p.organisation_id for p in a.party_list} == {world.alice_org.pk, world.outsider_org.pk}
    assert Obligation.objects.filter(opted_out=True).count() >= 2
