import datetime as dt

import pytest

from liuzhuan.certificates.issuance import actions as issuance
from liuzhuan.core.dates import today_china


def app_input(counterparty, role="creditor", **kw):
    today = today_china()
    base = dict(
        counterparty_id=counterparty.pk, role=role, contract_no="HT-001", contract_title="钢材供货合同",
        contract_date=today - dt.timedelta(days=10), amount_fen=1_000_000_00, maturity_date=today + dt.timedelta(days=90),
        offset_scope=("house",), non_cash_declared=True,
    )
    if kw.pop("settle_by_consumption", False):  # shorthand: the scope also covers consumption
        base["offset_scope"] = (*base["offset_scope"], "consumption")
    base.update(kw)
    return issuance.ApplicationInput(**base)


def issue(world, amount_fen=1_000_000_00, **kw):
    """alice (creditor) and bob (debtor) apply; clerk prepares, checker approves. Returns (cert, piece)."""
    app = issuance.create_application(world.alice, app_input(world.bob_org, amount_fen=amount_fen, **kw))
    issuance.confirm_application(world.bob, app.pk)
    issuance.prepare_review(world.clerk, app.pk, "approve")
    issuance.decide_review(world.checker, app.pk, True)
    app.refresh_from_db()
    cert = app.certificate
    return cert, cert.pieces.get()


@pytest.fixture
def issued(world):
    return issue(world)
