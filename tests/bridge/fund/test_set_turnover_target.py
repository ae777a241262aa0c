"""set_turnover_target: the bureau sets the annual turnover target (第二十五条)."""

from decimal import Decimal

import pytest

from liuzhuan.bridge.fund import actions
from liuzhuan.core.errors import DomainError, PermissionDenied


def test_bureau_sets_target(bw):
    actions.set_turnover_target(bw.bureau, "12.5", "市政府考核要求")
    assert bw.refresh().annual_turnover_target == Decimal("12.5")


def test_bad_target(bw):
    for value in ("-1", "abc", "1.234", "10000"):
        with pytest.raises(DomainError) as exc:
            actions.set_turnover_target(bw.bureau, value)
        assert exc.value.field == "annual_turnover_target"
    assert bw.refresh().annual_turnover_target == Decimal("8")


def test_rejects_other_org(bw):
    for user in (bw.manager, bw.other_bureau):
        with pytest.raises(PermissionDenied):
            actions.set_turnover_target(user, "20")
