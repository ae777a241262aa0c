"""Race (PostgreSQL): two disbursements that together exceed the fund run at the same instant;
the fund row lock serialises them, so exactly one goes through (封闭运行, no fen lent twice)."""

import threading

import pytest
from django.db import connection

from liuzhuan.bridge.loan import actions
from liuzhuan.bridge.models.application import Application
from liuzhuan.core.errors import DomainError

from ..conftest import TODAY, YUAN, confirmed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_disbursements_cannot_overdraw_the_fund(bw):
    big = 6_000_000 * YUAN  # two of them exceed the 10,000,000 yuan principal
    apps = [confirmed(bw, user=u, amount_fen=big, original_due_fen=big, renewal_approval_fen=big) for u in (bw.sme, bw.sme2)]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def go(app):
        try:
            barrier.wait()
            actions.disburse(bw.clerk, app.pk, account=app.loan_account, voucher=f"V{app.pk}", on=TODAY)
            results.append("ok")
        except DomainError as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["insufficient_fund", "ok"]
    assert Application.objects.filter(status="disbursed").count() == 1
