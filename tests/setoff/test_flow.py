"""End to end at the action level: register → confirm → run → agree → execute."""

from __future__ import annotations

import pytest

from liuzhuan.core.errors import Conflict, NotFound, PermissionDenied
from liuzhuan.core.integrity import run_all
from liuzhuan.setoff.agreements import actions as agreements
from liuzhuan.setoff.models import (
    Agreement,
    AgreementStatus,
    Obligation,
    ObligationStatus,
    RunParty,
    RunStatus,
)
from liuzhuan.setoff.runs import actions as runs

from .conftest import owe, proposed, run_now


def net_positions(orgs):
    out = {}
    for org in orgs:
        rec = sum(o.outstanding_fen for o in Obligation.objects.filter(creditor=org))
        pay = sum(o.outstanding_fen for o in Obligation.objects.filter(debtor=org))
        out[org.pk] = rec - pay
    return out


@pytest.fixture
def triangle(world):
    """alice → bob 100, bob → carol 70, carol → alice 50 (yuan): a loop of 50 among three firms."""
    return [owe(world.alice, world.bob, 100_00), owe(world.bob, world.carol, 70_00), owe(world.carol, world.alice, 50_00)]


def test_a_three_party_loop_is_found_agreed_and_executed(world, triangle, django_capture_on_commit_callbacks):
    orgs = [world.alice_org, world.bob_org, world.carol_org]
    before = net_positions(orgs)
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.DONE and run.progress == 100
    assert (run.total_fen, run.cleared_fen, run.nid_fen) == (220_00, 150_00, 50_00)
    assert run.multilateral_count == 1 and run.bilateral_count == 0
    assert runs.recompute(run).cleared_fen == run.cleared_fen  # reproducible from its snapshot
    impact = {p.organisation_id: p.cleared_fen for p in RunParty.objects.filter(run=run)}
    assert impact == {world.alice_org.pk: 50_00, world.bob_org.pk: 50_00, world.carol_org.pk: 50_00}

    (agreement,) = proposed(run)
    assert agreement.amount_fen == 50_00 and agreement.parties_count == 3
    agreements.confirm(world.alice, agreement.pk)
    agreements.confirm(world.bob, agreement.pk)
    for o in triangle:  # nothing moves before the last party confirms
        o.refresh_from_db()
        assert o.outstanding_fen == o.amount_fen
    agreements.confirm(world.carol, agreement.pk)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.EXECUTED
    outstanding = [Obligation.objects.get(pk=o.pk).outstanding_fen for o in triangle]
    assert outstanding == [50_00, 20_00, 0]
    assert Obligation.objects.get(pk=triangle[2].pk).status == ObligationStatus.SETTLED
    assert net_positions(orgs) == before
    assert run_all().ok


def test_a_party_outside_the_loop_can_neither_see_nor_sign_it(world, triangle, django_capture_on_commit_callbacks):
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    (agreement,) = proposed(run)
    with pytest.raises(NotFound):
        agreements.confirm(world.outsider, agreement.pk)
    with pytest.raises(NotFound):
        agreements.decline(world.outsider, agreement.pk, "不同意")
    with pytest.raises(PermissionDenied):
        agreements.confirm(world.clerk, agreement.pk)  # the operator is no party
    # nothing was written: the refused actions left the agreement a proposal, as the run stored it
    assert not Agreement.objects.filter(pk=agreement.pk).exists()
    assert [a.status for a in proposed(run)] == [AgreementStatus.PROPOSED]


def test_a_decline_voids_the_loop_and_the_next_run_leaves_it_out(world, triangle, django_capture_on_commit_callbacks):
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    (agreement,) = proposed(run)
    agreements.confirm(world.alice, agreement.pk)
    agreements.decline(world.bob, agreement.pk, "需内部审批")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DECLINED
    with pytest.raises(Conflict):
        agreements.confirm(world.carol, agreement.pk)
    assert all(Obligation.objects.get(pk=o.pk).outstanding_fen == o.amount_fen for o in triangle)
    second = run_now(world.clerk, django_capture_on_commit_callbacks)
    assert second.cleared_fen == 0 and not proposed(second)


def test_only_the_operator_starts_a_run_and_only_one_at_a_time(world, triangle):
    with pytest.raises(PermissionDenied):
        runs.start_run(world.alice)
    with pytest.raises(PermissionDenied):
        runs.start_run(world.inspector)
    runs.start_run(world.clerk)  # queued: no on-commit here, so it stays queued
    with pytest.raises(Conflict):
        runs.start_run(world.checker)


def test_a_party_suspended_after_the_run_voids_the_loop_at_execution(world, triangle,
                                                                     django_capture_on_commit_callbacks):
    from liuzhuan.members.models import Organisation

    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    (agreement,) = proposed(run)
    agreements.confirm(world.alice, agreement.pk)
    agreements.confirm(world.bob, agreement.pk)
    Organisation.objects.filter(pk=world.alice_org.pk).update(status="suspended")  # after alice signed
    agreements.confirm(world.carol, agreement.pk)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.VOIDED and world.alice_org.name in agreement.close_reason
    assert [Obligation.objects.get(pk=o.pk).outstanding_fen for o in triangle] == [o.outstanding_fen for o in triangle]
    assert world.carol_org.notifications.filter(title__contains="已作废").exists()


def test_a_run_lost_with_its_worker_frees_the_slot_after_two_hours(world, triangle, django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    from liuzhuan.setoff.models import SetoffRun

    lost = runs.start_run(world.clerk)  # queued; no worker ever picks it up here
    # the worker died after storing proposals that were never shown
    from liuzhuan.setoff.models import ProposalBlock

    ProposalBlock.objects.create(run=lost, block=0, data=b"never shown")
    with pytest.raises(Conflict):
        runs.start_run(world.clerk)
    SetoffRun.objects.filter(pk=lost.pk).update(status=RunStatus.RUNNING,
                                                created_at=timezone.now() - dt.timedelta(hours=3))
    fresh = run_now(world.clerk, django_capture_on_commit_callbacks)
    lost.refresh_from_db()
    assert lost.status == RunStatus.FAILED and lost.active_slot is None and "已标记失败" in lost.error
    assert not ProposalBlock.objects.filter(run=lost).exists()  # and it held nothing from the fresh run:
    assert fresh.status == RunStatus.DONE and fresh.cleared_fen == 150_00


def test_a_run_stored_in_many_blocks_gives_the_same_agreements(world, django_capture_on_commit_callbacks,
                                                                monkeypatch):
    # a triangle and a bilateral pair: two agreements, one block each; no agreement row until a party acts
    from liuzhuan.setoff import proposals
    from liuzhuan.setoff.models import ProposalBlock

    owe(world.alice, world.bob, 100_00), owe(world.bob, world.carol, 70_00), owe(world.carol, world.alice, 50_00)
    owe(world.outsider, world.bank_org.users.get(), 30_00, "OB"), owe(world.banker, world.outsider, 20_00, "BO")
    monkeypatch.setattr(proposals, "BLOCK", 1)
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.DONE and run.loops_count == len(proposed(run)) == 2
    assert ProposalBlock.objects.filter(run=run).count() == 2 and not Agreement.objects.filter(run=run).exists()
    assert sorted(a.parties_count for a in proposed(run)) == [2, 3]
    assert sorted(len(a.party_list) for a in proposed(run)) == [2, 3]
    assert sum(p.cleared_fen for p in RunParty.objects.filter(run=run)) == run.cleared_fen
    assert run_all().ok


def test_a_run_that_fails_while_writing_removes_what_it_stored_and_shows_nothing(
        world, triangle, django_capture_on_commit_callbacks, monkeypatch):
    from liuzhuan.setoff.models import ProposalBlock

    owe(world.outsider, world.bank_org.users.get(), 30_00, "OB"), owe(world.banker, world.outsider, 20_00, "BO")
    real = runs.copy_rows

    def failing(model, fields, rows):  # the proposals are stored; the members' lines fail
        raise RuntimeError("disk full")

    monkeypatch.setattr(runs, "copy_rows", failing)
    with django_capture_on_commit_callbacks(execute=True):
        runs.start_run(world.clerk)  # the worker (here: the immediate backend) records the task's failure
    from liuzhuan.setoff import queries
    from liuzhuan.setoff.models import SetoffRun

    failed = SetoffRun.objects.get()
    assert failed.status == RunStatus.FAILED and "disk full" in failed.error and failed.active_slot is None
    assert not ProposalBlock.objects.filter(run=failed).exists() and not Agreement.objects.filter(run=failed).exists()
    assert not queries.agreements(world.alice) and not queries.agreements(world.inspector)
    monkeypatch.setattr(runs, "copy_rows", real)
    again = run_now(world.clerk, django_capture_on_commit_callbacks)
    assert again.status == RunStatus.DONE and again.loops_count == 2  # nothing held by the failed run
    assert run_all().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_large_run_stores_its_loops_from_a_second_thread_on_postgres(world, triangle,
                                                                      django_capture_on_commit_callbacks, monkeypatch):
    from liuzhuan.setoff import proposals
    from liuzhuan.setoff.models import ProposalBlock, SetoffRun

    owe(world.outsider, world.bank_org.users.get(), 30_00, "OB"), owe(world.banker, world.outsider, 20_00, "BO")
    monkeypatch.setattr(runs, "BACKGROUND_MIN_LOOPS", 1)  # this run counts as large
    monkeypatch.setattr(proposals, "BLOCK", 1)
    threads = []
    real_start = runs._Writer.start
    monkeypatch.setattr(runs._Writer, "start", lambda self: (threads.append(self), real_start(self))[1])

    # the writer fails half-way: the run fails, and neither its blocks nor its lines nor notices stay
    real_write = proposals.write_blocks

    def failing(run_id, loops, *args, **kw):
        real_write(run_id, loops, *args, **kw)
        raise RuntimeError("connection lost")

    monkeypatch.setattr(proposals, "write_blocks", failing)
    with django_capture_on_commit_callbacks(execute=True):
        runs.start_run(world.clerk)
    failed = SetoffRun.objects.get()
    assert len(threads) == 1 and not threads[0].is_alive()
    assert failed.status == RunStatus.FAILED and "connection lost" in failed.error
    assert not ProposalBlock.objects.filter(run=failed).exists() and not RunParty.objects.filter(run=failed).exists()
    assert not world.alice_org.notifications.filter(title__contains=failed.number).exists()

    monkeypatch.setattr(proposals, "write_blocks", real_write)
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    assert len(threads) == 2 and not threads[1].is_alive()  # it did go through the writer thread
    assert run.status == RunStatus.DONE and run.loops_count == len(proposed(run)) == 2
    assert ProposalBlock.objects.filter(run=run).count() == 2
    assert sorted(a.parties_count for a in proposed(run)) == [2, 3]
    assert world.alice_org.notifications.filter(title=f"抵销测算 {run.number}：贵单位有 1 份抵销协议待确认").exists()
    assert runs.recompute(run).cleared_fen == run.cleared_fen
    assert run_all().ok


def test_a_snapshot_round_trips_and_runs_stored_before_deflation_still_read():
    import io
    import zlib

    import numpy as np

    snap = runs.Snapshot([3, 4], [10, 11], [11, 12], [500, 700], [0, 1], {10: 250})
    blob = snap.to_bytes()
    back = runs.Snapshot.from_bytes(blob)
    assert back.ids.tolist() == [3, 4] and back.amount.tolist() == [500, 700] and back.kind.tolist() == [0, 1]
    assert back.liquidity == {10: 250}
    plain = zlib.decompress(blob)  # what earlier runs stored: the .npz itself
    assert plain.startswith(b"PK") and len(blob) < len(plain)
    old = runs.Snapshot.from_bytes(plain)
    assert old.debtor.tolist() == [10, 11] and old.creditor.tolist() == [11, 12]
    with np.load(io.BytesIO(plain)) as z:
        assert z["amount"].tolist() == [500, 700]
