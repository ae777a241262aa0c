"""declare_fraud: 虚报、瞒报、骗取 → recovery, report to the bureau, legal referral, and no new
application for five years (第十七条)."""

import datetime as dt

import pytest

from liuzhuan.bridge.application.actions import approve, prepare
from liuzhuan.bridge.application.queries import active_ban
from liuzhuan.bridge.models.banks import BankAgreement
from liuzhuan.bridge.models.recovery import RecoveryCase
from liuzhuan.bridge.recovery import actions
from liuzhuan.bridge.recovery.rules import add_years, ban_last_day
from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.members.models import Notification

from ..conftest import TODAY, disbursed, prepared, submitted


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
    """Declared 2026-03-02: the declaration day is not counted (Civil Code art. 201), the last day is
    the corresponding day five years on (art. 202): refused through 2031-03-02, accepted from 2031-03-03."""
    app = submitted(bw)
    finding = actions.declare_fraud(bw.manager, app.pk, findings="瞒报对外担保", on=TODAY)
    assert finding.banned_until == dt.date(2031, 3, 2)
    app.refresh_from_db()
    assert app.status == "rejected"
    with pytest.raises(DomainError) as exc:
        submitted(bw, original_contract_no="C-2")
    assert exc.value.code == "banned" and "2031-03-02（含当日）" in exc.value.message and "第十七条" in exc.value.message
    BankAgreement.objects.update(valid_until=dt.date(2032, 12, 31))
    for day in (dt.date(2031, 3, 1), dt.date(2031, 3, 2)):
        with pytest.raises(DomainError) as exc:
            submitted(bw, original_contract_no="C-3", on=day)
        assert exc.value.code == "banned"
    assert submitted(bw, original_contract_no="C-4", on=dt.date(2031, 3, 3)).status == "submitted"
    # other enterprises are not affected
    assert submitted(bw, user=bw.sme2, original_contract_no="C-5").status == "submitted"


def test_ban_last_day_on_29_february():
    """Declared on 29 February 2028: 2033 has no 29 February, so the ban ends on the month's last day."""
    assert ban_last_day(dt.date(2028, 2, 29)) == dt.date(2033, 2, 28)
    assert ban_last_day(dt.date(2026, 12, 31)) == dt.date(2031, 12, 31)


def test_approval_checks_the_ban_on_the_business_date(bw):
    """A finding declared on a business date bans an approval on that date, whatever the real clock says."""
    first = disbursed(bw)
    pending = prepared(bw, original_contract_no="C-2")
    actions.declare_fraud(bw.manager, first.pk, findings="虚报", on=TODAY)
    with pytest.raises(DomainError) as exc:
        approve(bw.manager, pending.pk, on=TODAY)
    assert exc.value.code == "banned"
    pending.refresh_from_db()
    assert pending.status == "prepared"
    # the business date before the declaration: no ban yet; on the last day: still banned; after: free
    assert active_ban(bw.sme_org.pk, TODAY - dt.timedelta(days=1)) is None
    assert active_ban(bw.sme_org.pk, dt.date(2031, 3, 2)) is not None
    assert active_ban(bw.sme_org.pk, dt.date(2031, 3, 3)) is None


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
