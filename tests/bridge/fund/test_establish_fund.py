"""establish_fund: the bureau sets up the fund and entrusts the manager (第五条)."""

import datetime as dt

import pytest

from liuzhuan.bridge.fund import actions
from liuzhuan.bridge.models.fund import Fund
from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.core.models import AuditEvent
from liuzhuan.core.roles import Role
from liuzhuan.members.models import Notification, Position

from ...conftest import make_org, make_user


@pytest.fixture
def orgs(db):
    bureau = make_user(make_org("财政局", Role.BUREAU, org_type="institution"), "cz", Position.MANAGER)
    fm = make_org("兴财控股", Role.FUND_MANAGER)
    return bureau, fm


def test_bureau_establishes_fund(orgs):
    bureau, fm = orgs
    fund = actions.establish_fund(bureau, name="过桥资金", manager_org_id=fm.pk, established_on=dt.date(2025, 1, 1))
    assert fund.pk == 1 and fund.manager == fm and fund.bureau_id == bureau.organisation_id
    assert fund.status == "open" and fund.principal_fen == 0 and fund.day_basis == 360
    assert AuditEvent.objects.filter(action="bridge.fund.establish").count() == 1
    assert Notification.objects.filter(organisation=fm, title__contains="受托管理").exists()


def test_establish_refuses_second_fund_and_non_manager(orgs):
    bureau, fm = orgs
    with pytest.raises(DomainError) as exc:
        actions.establish_fund(bureau, name="过桥资金", manager_org_id=bureau.organisation_id, established_on=dt.date(2025, 1, 1))
    assert exc.value.field == "manager_org_id"
    with pytest.raises(DomainError) as exc:
        actions.establish_fund(bureau, name=" ", manager_org_id=fm.pk, established_on=dt.date(2025, 1, 1))
    assert exc.value.field == "name" and "资金名称" in exc.value.message
    actions.establish_fund(bureau, name="过桥资金", manager_org_id=fm.pk, established_on=dt.date(2025, 1, 1))
    with pytest.raises(DomainError) as exc:
        actions.establish_fund(bureau, name="第二个", manager_org_id=fm.pk, established_on=dt.date(2025, 1, 1))
    assert exc.value.code == "fund_exists" and Fund.objects.count() == 1


def test_establish_rejects_other_org(orgs):
    _, fm = orgs
    manager = make_user(fm, "xc", Position.MANAGER)
    with pytest.raises(PermissionDenied):
        actions.establish_fund(manager, name="过桥资金", manager_org_id=fm.pk, established_on=dt.date(2025, 1, 1))
    assert not Fund.objects.exists()
