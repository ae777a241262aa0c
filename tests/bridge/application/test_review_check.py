"""review_check: the manager's staff ticks each Article 8 item and each filed material."""

import pytest

from liuzhuan.bridge.application import actions
from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied

from ..conftest import prepared, submitted


def test_staff_ticks_items(bw):
    app = submitted(bw)
    c = app.checks.first()
    actions.review_check(bw.clerk, app.pk, c.pk, passed=True)
    c.refresh_from_db()
    assert c.passed is True and c.reviewed_by == bw.clerk and c.reviewed_at
    actions.review_check(bw.clerk, app.pk, c.pk, passed=False, note="纳税证明过期")
    c.refresh_from_db()
    assert c.passed is False and c.review_note == "纳税证明过期"
    from liuzhuan.members.models import Notification

    assert Notification.objects.filter(organisation=bw.sme_org, body__contains="纳税证明过期").exists()


def test_bad_input(bw):
    app = submitted(bw)
    c = app.checks.first()
    with pytest.raises(DomainError) as exc:
        actions.review_check(bw.clerk, app.pk, c.pk, passed=False)
    assert exc.value.field == "note"
    with pytest.raises(DomainError) as exc:
        actions.review_check(bw.clerk, app.pk, c.pk, passed="yes")
    assert exc.value.field == "passed"
    with pytest.raises(NotFound):
        actions.review_check(bw.clerk, app.pk, 999999, passed=True)
    done = prepared(bw, original_contract_no="C-2")
    with pytest.raises(DomainError) as exc:
        actions.review_check(bw.clerk, done.pk, done.checks.first().pk, passed=True)
    assert exc.value.code == "wrong_status"


def test_rejects_other_org(bw):
    app = submitted(bw)
    c = app.checks.first()
    for user in (bw.other_fm, bw.banker, bw.sme, bw.bureau):
        with pytest.raises(PermissionDenied):
            actions.review_check(user, app.pk, c.pk, passed=True)
    c.refresh_from_db()
    assert c.passed is None
