"""prepare: the maker (经办) confirms every item passed and picks the mode; rules re-checked."""

import pytest

from liuzhuan.bridge.application import actions
from liuzhuan.core.errors import DomainError, PermissionDenied

from ..conftest import submitted, tick_all


def test_staff_prepares(bw):
    app = submitted(bw)
    tick_all(bw, app)
    app = actions.prepare(bw.clerk, app.pk, mode="entrusted", note="资料齐全")
    assert app.status == "prepared" and app.mode == "entrusted" and app.prepared_by == bw.clerk


def test_unticked_or_failed_item_blocks(bw):
    app = submitted(bw)
    with pytest.raises(DomainError) as exc:
        actions.prepare(bw.clerk, app.pk, mode="self")
    assert exc.value.code == "checks_incomplete" and "第三条" in exc.value.message
    tick_all(bw, app)
    c = app.checks.get(key="credit")
    actions.review_check(bw.clerk, app.pk, c.pk, passed=False, note="有欠息记录")
    with pytest.raises(DomainError) as exc:
        actions.prepare(bw.clerk, app.pk, mode="self")
    assert exc.value.message.endswith("信用状况及原贷款为正常类（第八条（三））")


def test_bad_mode_and_entrusted_not_in_agreement(bw):
    app = submitted(bw, bank_id=bw.bank2_org.pk)
    tick_all(bw, app)
    with pytest.raises(DomainError) as exc:
        actions.prepare(bw.clerk, app.pk, mode="charity")
    assert exc.value.field == "mode"
    with pytest.raises(DomainError) as exc:
        actions.prepare(bw.clerk, app.pk, mode="entrusted")
    assert exc.value.code == "entrusted_not_allowed" and "第六条" in exc.value.message


def test_rejects_other_org(bw):
    app = submitted(bw)
    tick_all(bw, app)
    for user in (bw.other_fm, bw.banker, bw.sme, bw.bureau):
        with pytest.raises(PermissionDenied):
            actions.prepare(user, app.pk, mode="self")
    app.refresh_from_db()
    assert app.status == "submitted"
