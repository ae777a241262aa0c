"""Debt chains (债务链分摊): a member's declared cash pays a debt, each creditor passes it on."""

from __future__ import annotations

import datetime as dt

import pytest

from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied
from liuzhuan.core.integrity import run_all
from liuzhuan.setoff.agreements import actions as agreements
from liuzhuan.setoff.models import AgreementStatus, LiquidityDeclaration, Obligation
from liuzhuan.setoff.register import actions as register
from liuzhuan.setoff.runs import actions as runs

from .conftest import owe, proposed, run_now


@pytest.fixture
def chain(world):
    """alice owes bob 100 and bob owes carol 100: no loop, so set-off alone clears nothing."""
    return owe(world.alice, world.bob, 100_00, "AB"), owe(world.bob, world.carol, 100_00, "BC")


def declare(user, fen, days=30):
    return register.declare_cash(user, amount_fen=fen, valid_until=today_china() + dt.timedelta(days=days))


def test_declared_cash_clears_a_chain_once_every_party_confirms(world, chain, django_capture_on_commit_callbacks):
    ab, bc = chain
    d = declare(world.alice, 100_00)
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    assert (run.chain_count, run.paid_fen, run.cleared_without_liquidity_fen) == (1, 100_00, 0)
    assert run.cleared_fen == 200_00 and run.cleared_per_yuan == "2.00"  # ¥1 of cash clears ¥2 of debt
    assert runs.recompute(run).cleared_fen == run.cleared_fen  # the declared cash is in the snapshot
    (a,) = proposed(run)
    assert a.kind == "chain" and a.parties_count == 3 and a.amount_fen == 100_00
    assert [p.organisation_id for p in a.party_list] == [
        world.alice_org.pk, world.bob_org.pk, world.carol_org.pk]
    for user in (world.carol, world.bob, world.alice):
        agreements.confirm(user, a.pk)
    a.refresh_from_db()
    assert a.status == AgreementStatus.EXECUTED
    assert [Obligation.objects.get(pk=o.pk).outstanding_fen for o in (ab, bc)] == [0, 0]
    d.refresh_from_db()
    assert d.used_fen == 100_00
    report = run_all()
    assert report.ok, report.problems


def test_cash_withdrawn_before_the_last_signature_voids_the_chain(world, chain, django_capture_on_commit_callbacks):
    d = declare(world.alice, 100_00)
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    (a,) = proposed(run)
    agreements.confirm(world.bob, a.pk)
    agreements.confirm(world.carol, a.pk)
    register.withdraw_cash(world.alice, d.pk)
    agreements.confirm(world.alice, a.pk)
    a.refresh_from_db()
    assert a.status == AgreementStatus.VOIDED and "现金" in a.close_reason
    assert all(o.outstanding_fen == o.amount_fen for o in Obligation.objects.all())
    assert run_all().ok


def test_a_chain_awaiting_signatures_holds_the_cash_from_the_next_run(world, chain, django_capture_on_commit_callbacks):
    declare(world.alice, 150_00)
    first = run_now(world.clerk, django_capture_on_commit_callbacks)
    assert first.paid_fen == 100_00
    # a new debt of alice's, owed along a fresh chain: only the 50 not held by the first chain is free
    owe(world.alice, world.outsider, 80_00, "AO")
    owe(world.outsider, world.carol, 80_00, "OC")
    second = run_now(world.clerk, django_capture_on_commit_callbacks)
    assert second.liquidity_fen == 50_00 and second.paid_fen == 50_00 and second.chain_count == 1


def test_only_the_member_declares_and_withdraws_its_own_cash(world):
    d = declare(world.alice, 50_00)
    with pytest.raises(NotFound):
        register.withdraw_cash(world.outsider, d.pk)  # wrong organisation
    with pytest.raises(PermissionDenied):
        declare(world.inspector, 50_00)
    with pytest.raises(PermissionDenied):
        declare(world.clerk, 50_00)
    for fen, days, field in ((0, 30, "amount_fen"), (-1, 30, "amount_fen"), (10, -1, "valid_until"),
                             (10, 400, "valid_until")):
        with pytest.raises(DomainError) as exc:
            declare(world.alice, fen, days)
        assert exc.value.field == field
    assert LiquidityDeclaration.objects.count() == 1


def test_cash_pages_and_api(world, api):
    from django.test import Client

    c = Client()
    c.force_login(world.alice)
    until = (today_china() + dt.timedelta(days=10)).isoformat()
    resp = c.post("/setoff/cash/", {"amount": "1,000.00", "valid_until": until, "note": "本月回款"})
    assert resp.status_code == 302
    d = LiquidityDeclaration.objects.get()
    assert d.amount_fen == 1000_00
    assert "¥1,000.00" in c.get("/setoff/cash/").content.decode()
    other = Client()
    other.force_login(world.outsider)
    assert "¥1,000.00" not in other.get("/setoff/cash/").content.decode()
    assert other.post(f"/setoff/cash/{d.pk}/withdraw/").status_code == 404
    resp = api(world.bob).post("/setoff/cash", {"amount_fen": 500, "valid_until": until})
    assert resp.status_code == 201 and resp.json()["remaining_fen"] == 500
    assert len(api(world.bob).get("/setoff/cash").json()["items"]) == 1  # only its own
    assert api(world.bob).post(f"/setoff/cash/{d.pk}/withdraw").status_code == 404


def test_the_chain_page_names_who_pays_and_who_keeps_the_cash(world, chain, django_capture_on_commit_callbacks):
    from django.test import Client

    declare(world.alice, 100_00)
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    (a,) = proposed(run)
    c = Client()
    c.force_login(world.bob)
    body = c.get(f"/setoff/agreements/{a.pk}/").content.decode()
    assert "3方债务链清偿" in body and "以现金 <b>¥100.00</b>" in body
    assert f"最后由 <b>{world.carol_org.name}</b> 收取" in body
    run_page = c.get(f"/setoff/runs/{run.pk}/").content.decode()
    assert "每 1 元现金多清偿 2.00 元债务" in run_page
