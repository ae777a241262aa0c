"""Set-off fixtures: register a debt on one side and confirm it on the other, in one call."""

from __future__ import annotations

import pytest

from liuzhuan.setoff.register import actions as register
from liuzhuan.setoff.runs import actions as runs


@pytest.fixture(autouse=True)
def _tasks_in_process(settings):
    # Runs execute in the worker in production; here the immediate backend runs them on commit.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def owe(debtor_user, creditor_user, amount_fen: int, basis: str = "", **kw):
    """debtor registers what it owes creditor; creditor confirms. Returns the confirmed obligation."""
    d_org, c_org = debtor_user.organisation, creditor_user.organisation
    basis = basis or f"HT-{d_org.pk}-{c_org.pk}-{amount_fen}"
    o = register.register_one(debtor_user, creditor=c_org.legal_id, debtor=d_org.legal_id, amount_fen=amount_fen,
                              basis=basis, **kw)
    register.confirm(creditor_user, [o.pk])
    o.refresh_from_db()
    return o


def run_now(operator_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.start_run(operator_user)
    run.refresh_from_db()
    return run


def proposed(run):
    """A finished run's agreements in loop order: rows where a party has acted, the stored
    proposals otherwise (``refresh_from_db()`` reads the row once a party has acted)."""
    from liuzhuan.setoff import queries

    run.refresh_from_db()
    return queries.load_agreements(list(range(run.agreement_base + 1, run.agreement_base + run.loops_count + 1)))
