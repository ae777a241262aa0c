"""declare_fraud: 虚报、瞒报、骗取 → recovery, report to the bureau, legal referral, and no new
application for five years (第十七条)."""

import datetime as dt

import pytest

from liuzhuan.bridge.application.actions import prepare
from liuzhuan.bridge.models.banks import BankAgreement
from liuzhuan.bridge.models.recovery import RecoveryCase
from liuzhuan.bridge.recovery import actions
from liuzhuan.bridge.recovery.rules import add_years
from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.members.models import Notification

from ..conftest import TODAY, disbursed, submitted


def test_fraud_on_a_live_loan_starts_recovery_and_bans(bw):
    app = disbursed(bw)
    f = actions.declare_fraud(bw.manager, app.pk, findings="伪造纳税证明", legal_referral="移送公安机关", on=TODAY)
    app.refresh_from_db()
    assert app.status == "recovery" and f.banned_until == dt.date(2031, 3, 2)
    case = RecoveryCase.objects.get(application=app)
    assert case.kind == "fraud" and case.reported_to_bureau_at
    assert Notification.objects.filter(organisation=bw.bureau_org, title__contains="骗取").exists()
    assert Notification.objects.filter(organisation=bw.bank_org, title__contains="追缴").exists()


def test_five_year_ban_boundary(bw):
    """Declared 2026-03-02: refused up to 2031-03-01, accepted again from 2031-03-02."""
    app = submitted(bw)
    actions.declare_fraud(bw.manager, app.pk, findings="瞒报对外担保", on=TODAY)
    app.refresh_from_db()
    assert app.status == "rejected"
    with pytest.raises(DomainError) as exc:
        submitted(bw, original_contract_no="C-2")
    assert exc.value.code == "banned" and "2031-03-02" in exc.value.message and "第十七条" in exc.value.message
    BankAgreement.objects.update(valid_until=dt.date(2032, 12, 31))
    with pytest.raises(DomainError) as exc:
        submitted(bw, original_contract_no="C-3", on=dt.date(2031, 3, 1))
    assert exc.value.code == "banned"
    assert submitted(bw, original_contract_no="C-4", on=dt.date(2031, 3, 2)).status == "submitted"
    # other enterprises are not affected
    assert submitted(bw, user=bw.sme2, original_contract_no="C-5").status == "submitted"


def test_ban_blocks_an_application_already_in_the_pipeline(bw):
    first = disbursed(bw)
    pending = submitted(bw, original_contract_no="C-2")
    actions.declare_fraud(bw.manager, first.pk, findings="虚报", on=TODAY)
    from ..conftest import tick_all

    tick_all(bw, pending)
    with pytest.raises(DomainError) as exc:
        prepare(bw.clerk, pending.pk, mode="self", on=TODAY)
    assert exc.value.code == "banned"


def test_add_years_on_29_february():
    assert add_years(dt.date(2024, 2, 29), 5) == dt.date(2029, 2, 28)


def test_bad_input(bw):
    app = disbursed(bw)
    with pytest.raises(DomainError) as exc:
        actions.declare_fraud(bw.manager, app.pk, findings="", on=TODAY)
    assert exc.value.field == "findings"
    actions.declare_fraud(bw.manager, app.pk, findings="虚报", on=TODAY)
    with pytest.raises(DomainError) as exc:
        actions.declare_fraud(bw.manager, app.pk, findings="再次", on=TODAY)
    assert exc.value.code == "already_declared"


def test_rejects_other_org(bw):
    app = disbursed(bw)
    for user in (bw.clerk, bw.other_fm, bw.bureau, bw.banker):
        with pytest.raises(PermissionDenied):
            actions.declare_fraud(user, app.pk, findings="x", on=TODAY)
    app.refresh_from_db()
    assert app.status == "disbursed"
