"""approve: maker-checker — a different fund-manager user (the 负责人) approves."""

import pytest

from liuzhuan.bridge.application import actions
from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.members.models import Notification, Position

from ...conftest import make_user
from ..conftest import prepared, submitted, tick_all


def test_manager_approves_what_staff_prepared(bw):
    app = actions.approve(bw.manager, prepared(bw).pk, note="同意")
    assert app.status == "approved" and app.approved_by == bw.manager and app.prepared_by == bw.clerk
    assert Notification.objects.filter(organisation=bw.bank_org, title__contains="待银行确认").exists()


def test_same_user_cannot_prepare_and_approve(bw):
    app = submitted(bw)
    tick_all(bw, app)
    actions.prepare(bw.manager, app.pk, mode="self")
    with pytest.raises(PermissionDenied) as exc:
        actions.approve(bw.manager, app.pk)
    assert exc.value.code == "same_maker_checker"
    second_head = make_user(bw.fund_org, "xc_head2", Position.MANAGER)
    assert actions.approve(second_head, app.pk).status == "approved"


def test_bad_state(bw):
    app = submitted(bw)
    with pytest.raises(DomainError) as exc:
        actions.approve(bw.manager, app.pk)
    assert exc.value.code == "wrong_status"


def test_rejects_other_org_and_staff(bw):
    app = prepared(bw)
    for user in (bw.clerk2, bw.other_fm, bw.bureau, bw.banker):
        with pytest.raises(PermissionDenied):
            actions.approve(user, app.pk)
    app.refresh_from_db()
    assert app.status == "prepared"
