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


def contract_pdf(app) -> bytes:
    """A small PDF-looking contract document, distinct per application."""
    return b"%PDF-1.4\n% contract " + app.number.encode() + b"\n"


def attach_contract(user, app):
    """One party uploads the underlying contract (needed before confirming and reviewing)."""
    return issuance.add_attachment(user, app.pk, f"{app.contract_no}.pdf", contract_pdf(app))


def check_contract(clerk, app):
    """The operator's first reviewer records that the contract's settlement terms are non-cash."""
    return issuance.record_review_check(clerk, app.pk, "non_cash_terms", "合同第5条约定以商品房抵付")


def confirm_and_check(world, app, debtor=None, clerk=None):
    """Attach the contract, the other party confirms, the clerk records the non-cash check."""
    attach_contract(world.alice, app)
    issuance.confirm_application(debtor or world.bob, app.pk)
    check_contract(clerk or world.clerk, app)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # uploaded contracts and evidence do not land in var/


def issue(world, amount_fen=1_000_000_00, **kw):
    """alice (creditor) and bob (debtor) apply; clerk prepares, checker approves. Returns (cert, piece)."""
    app = issuance.create_application(world.alice, app_input(world.bob_org, amount_fen=amount_fen, **kw))
    confirm_and_check(world, app)
    issuance.prepare_review(world.clerk, app.pk, "approve")
    issuance.decide_review(world.checker, app.pk, True)
    app.refresh_from_db()
    cert = app.certificate
    return cert, cert.pieces.get()


@pytest.fixture
def issued(world):
    return issue(world)
