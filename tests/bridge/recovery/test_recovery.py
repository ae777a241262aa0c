"""set_recovery_plan / add_recovery_action: 提出追偿方案，落实追偿措施 (第十三条)."""

import datetime as dt

import pytest

from liuzhuan.bridge import jobs
from liuzhuan.bridge.models.recovery import RecoveryCase
from liuzhuan.bridge.recovery import actions
from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied

from ..conftest import disbursed


@pytest.fixture
def case(bw):
    app = disbursed(bw)
    jobs.bridge_daily(app.due_date + dt.timedelta(days=1))
    return RecoveryCase.objects.get(application=app)


def test_plan_then_actions(bw, case):
    assert case.status == "open"
    actions.set_recovery_plan(bw.clerk, case.pk, plan="一、约谈企业；二、通知合作银行履行连带责任；三、必要时诉讼")
    case.refresh_from_db()
    assert case.status == "in_progress" and case.plan_by == bw.clerk
    day = case.opened_on
    actions.add_recovery_action(bw.clerk, case.pk, taken_on=day, description="约谈法定代表人", on=day)
    assert case.actions.count() == 1


def test_bad_input(bw, case):
    day = case.opened_on
    with pytest.raises(DomainError) as exc:
        actions.add_recovery_action(bw.clerk, case.pk, taken_on=day, description="约谈", on=day)
    assert exc.value.code == "plan_required"
    with pytest.raises(DomainError) as exc:
        actions.set_recovery_plan(bw.clerk, case.pk, plan=" ")
    assert exc.value.field == "plan"
    actions.set_recovery_plan(bw.clerk, case.pk, plan="方案")
    with pytest.raises(DomainError) as exc:
        actions.add_recovery_action(bw.clerk, case.pk, taken_on=day + dt.timedelta(days=1), description="x", on=day)
    assert exc.value.field == "taken_on"
    with pytest.raises(NotFound):
        actions.set_recovery_plan(bw.clerk, 99999, plan="x")


def test_rejects_other_org(bw, case):
    for user in (bw.other_fm, bw.banker, bw.bureau, bw.sme):
        with pytest.raises(PermissionDenied):
            actions.set_recovery_plan(user, case.pk, plan="x")
    case.refresh_from_db()
    assert case.plan == ""
