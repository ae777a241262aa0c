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


def test_review_all_points_at_once(bw):
    """The page's one form: every point in one call, one audit event per changed point, one notice."""
    from liuzhuan.core.models import AuditEvent
    from liuzhuan.members.models import Notification

    app = submitted(bw)
    checks = list(app.checks.order_by("pk"))
    results = [actions.CheckResult(c.pk, True) for c in checks[1:]] + [actions.CheckResult(checks[0].pk, False, "无纳税证明")]
    done = actions.review_checks(bw.clerk, app.pk, results)
    assert len(done) == len(checks)
    assert [c.passed for c in app.checks.order_by("pk")] == [False] + [True] * (len(checks) - 1)
    assert AuditEvent.objects.filter(action="bridge.application.check").count() == len(checks)
    assert Notification.objects.filter(organisation=bw.sme_org, body__contains="无纳税证明").count() == 1
    # saving the same conclusions again changes nothing and records nothing
    actions.review_checks(bw.clerk, app.pk, results)
    assert AuditEvent.objects.filter(action="bridge.application.check").count() == len(checks)


def test_review_all_reports_every_missing_note_and_changes_nothing(bw):
    app = submitted(bw)
    a, b, c = list(app.checks.order_by("pk"))[:3]
    with pytest.raises(DomainError) as exc:
        actions.review_checks(bw.clerk, app.pk, [actions.CheckResult(a.pk, False), actions.CheckResult(b.pk, True),
                                                 actions.CheckResult(c.pk, False)])
    assert [e.field for e in exc.value.errors] == [f"checks.{a.pk}.note", f"checks.{c.pk}.note"]
    assert not app.checks.exclude(passed=None).exists()
    other = submitted(bw, original_contract_no="C-9")
    with pytest.raises(NotFound):  # a point of another application: nothing saved
        actions.review_checks(bw.clerk, app.pk, [actions.CheckResult(a.pk, True),
                                                 actions.CheckResult(other.checks.first().pk, True)])
    assert not app.checks.exclude(passed=None).exists()


def test_review_all_rejects_other_org(bw):
    app = submitted(bw)
    results = [actions.CheckResult(c.pk, True) for c in app.checks.all()]
    for user in (bw.other_fm, bw.banker, bw.sme, bw.bureau):
        with pytest.raises(PermissionDenied):
            actions.review_checks(user, app.pk, results)
    assert not app.checks.exclude(passed=None).exists()


def test_page_ticks_all_points_in_one_post(bw):
    from django.test import Client

    app = submitted(bw)
    checks = list(app.checks.order_by("pk"))
    c = Client()
    c.force_login(bw.clerk)
    html = c.get(f"/bridge/applications/{app.pk}/").content.decode()
    assert html.count('name="form" value="checks"') == 1 and html.count("<select name=\"checks.") == len(checks)
    data = {"form": "checks", **{f"checks.{x.pk}.passed": "1" for x in checks}}
    data[f"checks.{checks[0].pk}.passed"] = "0"
    r = c.post(f"/bridge/applications/{app.pk}/", data)
    assert r.status_code == 200 and "不通过时必填" in r.content.decode() and "请填写审核意见" in r.content.decode()
    assert not app.checks.exclude(passed=None).exists()
    data[f"checks.{checks[0].pk}.note"] = "执照过期"
    r = c.post(f"/bridge/applications/{app.pk}/", data, follow=True)
    assert f"已保存 {len(checks)} 个审核要点的结论" in r.content.decode()
    assert app.checks.filter(passed=True).count() == len(checks) - 1
    outsider = Client()
    outsider.force_login(bw.other_fm)
    assert outsider.post(f"/bridge/applications/{app.pk}/", data).status_code == 404
