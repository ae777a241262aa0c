"""Two agreements that need the same debt: one executes, the other is re-checked and voided."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connections

from liuzhuan.core.dates import today_china
from liuzhuan.core.integrity import run_all
from liuzhuan.setoff.agreements import actions as agreements
from liuzhuan.setoff.models import (
    Agreement,
    AgreementPart,
    AgreementParty,
    AgreementStatus,
    Obligation,
    RunStatus,
    SetoffRun,
)

from .conftest import owe


def overlapping(world, k: int = 1):
    """A: alice⇄bob 100 (bilateral); B: alice→bob→carol→alice 100. Both need all of alice→bob.

    Everyone has confirmed but bob (last of A) and carol (last of B). Agreements are written
    directly: a run never proposes two agreements over the same fen (it deducts what open
    agreements hold), so the overlap stands for a debt changed between proposal and execution.
    """
    ab, ba = owe(world.alice, world.bob, 100_00, f"AB{k}"), owe(world.bob, world.alice, 100_00, f"BA{k}")
    bc, ca = owe(world.bob, world.carol, 100_00, f"BC{k}"), owe(world.carol, world.alice, 100_00, f"CA{k}")
    run = SetoffRun.objects.create(number=f"DX-T{k}", status=RunStatus.DONE, active_slot=None)
    deadline = today_china() + dt.timedelta(days=5)
    made = []
    for number, kind, legs in ((f"XY-A{k}", "bilateral", [(world.alice, ab), (world.bob, ba)]),
                               (f"XY-B{k}", "multilateral", [(world.alice, ab), (world.bob, bc), (world.carol, ca)])):
        ag = Agreement.objects.create(number=number, run=run, kind=kind, amount_fen=100_00, parties_count=len(legs),
                                      deadline=deadline)
        for i, (user, obligation) in enumerate(legs):
            AgreementParty.objects.create(agreement=ag, organisation=user.organisation, position=i)
            AgreementPart.objects.create(agreement=ag, obligation=obligation, leg=i, amount_fen=100_00)
        made.append(ag)
    a, b = made
    agreements.confirm(world.alice, a.pk)
    agreements.confirm(world.alice, b.pk)
    agreements.confirm(world.bob, b.pk)
    return a, b, (ab, ba, bc, ca)


def net(world) -> dict[int, int]:
    out = {}
    for org in (world.alice_org, world.bob_org, world.carol_org):
        out[org.pk] = (sum(Obligation.objects.filter(creditor=org).values_list("outstanding_fen", flat=True))
                       - sum(Obligation.objects.filter(debtor=org).values_list("outstanding_fen", flat=True)))
    return out


def test_the_later_of_two_overlapping_agreements_is_voided_and_moves_nothing(world):
    a, b, (ab, ba, _bc, _ca) = overlapping(world)
    before = net(world)
    agreements.confirm(world.carol, b.pk)  # B executes first
    agreements.confirm(world.bob, a.pk)    # A no longer holds
    a.refresh_from_db()
    b.refresh_from_db()
    assert (b.status, a.status) == (AgreementStatus.EXECUTED, AgreementStatus.VOIDED)
    assert "已被其他协议抵销" in a.close_reason
    assert Obligation.objects.get(pk=ba.pk).outstanding_fen == 100_00  # A's other leg untouched
    assert Obligation.objects.get(pk=ab.pk).outstanding_fen == 0
    assert net(world) == before
    assert run_all().ok
    assert world.alice_org.notifications.filter(title__contains="已作废").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_agreements_racing_on_postgres(world):
    for k in range(1, 4):  # a few rounds: the winner varies, the outcome never does
        a, b, (ab, *_rest) = overlapping(world, k)
        before = net(world)
        barrier = threading.Barrier(2)
        errors: list[str] = []

        def last_confirm(user, agreement_id, barrier=barrier, errors=errors):
            try:
                barrier.wait()
                agreements.confirm(user, agreement_id)
            except Exception as exc:  # reported by the assertion below
                errors.append(repr(exc))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=last_confirm, args=(world.bob, a.pk)),
                   threading.Thread(target=last_confirm, args=(world.carol, b.pk))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []
        statuses = sorted(Agreement.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True))
        assert statuses == [AgreementStatus.EXECUTED, AgreementStatus.VOIDED]
        assert Obligation.objects.get(pk=ab.pk).outstanding_fen == 0
        assert net(world) == before
    assert run_all().ok
