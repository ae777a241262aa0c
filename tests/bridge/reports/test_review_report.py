"""review_report: the finance bureau acknowledges a submitted quarterly report, or returns it with a
reason; a returned report is corrected and submitted again (第十二条、第二十四条)."""

import datetime as dt

import pytest
from django.test import Client

from liuzhuan.bridge.models.reports import QuarterlyReport
from liuzhuan.bridge.reports import actions
from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.members.models import Notification

APR1 = dt.date(2026, 4, 1)


def submitted_report(bw) -> QuarterlyReport:
    report = actions.generate_report(bw.clerk, year=2026, quarter=1, on=APR1)
    return actions.submit_report(bw.manager, report.pk, narrative="资金封闭运行。", on=dt.date(2026, 4, 8))


def client(user):
    c = Client()
    c.force_login(user)
    return c


def test_bureau_acknowledges(bw):
    report = actions.review_report(bw.bureau, submitted_report(bw).pk, decision="acknowledge", note="已阅")
    assert report.status == "acknowledged" and report.reviewed_by == bw.bureau and report.review_note == "已阅"
    assert Notification.objects.filter(organisation=bw.fund_org, title__contains="市财政局已确认").exists()
    with pytest.raises(DomainError) as exc:  # final: neither regenerated, nor resubmitted, nor reviewed again
        actions.generate_report(bw.clerk, year=2026, quarter=1, on=APR1)
    assert exc.value.code == "already_submitted"
    with pytest.raises(DomainError) as exc:
        actions.review_report(bw.bureau, report.pk, decision="return", note="再看")
    assert exc.value.code == "wrong_status"


def test_returned_report_is_corrected_and_submitted_again(bw):
    report = actions.review_report(bw.bureau, submitted_report(bw).pk, decision="return", note="请补充风险处置情况")
    assert report.status == "returned" and report.review_note == "请补充风险处置情况"
    assert Notification.objects.filter(organisation=bw.fund_org, title__contains="退回", body__contains="请补充风险处置情况").exists()
    actions.generate_report(bw.clerk, year=2026, quarter=1, on=dt.date(2026, 4, 12))  # the manager may refresh it
    again = actions.submit_report(bw.manager, report.pk, narrative="已补充风险处置情况。", on=dt.date(2026, 4, 12))
    assert again.status == "submitted" and again.narrative == "已补充风险处置情况。"
    assert not again.late  # first submitted on time; a correction does not make it late
    assert Notification.objects.filter(organisation=bw.bureau_org, title__contains="重新报送").exists()


def test_refusals_change_nothing(bw):
    draft = actions.generate_report(bw.clerk, year=2026, quarter=1, on=APR1)
    with pytest.raises(DomainError) as exc:
        actions.review_report(bw.bureau, draft.pk, decision="acknowledge")
    assert exc.value.code == "wrong_status"
    report = actions.submit_report(bw.manager, draft.pk, narrative="x", on=APR1)
    with pytest.raises(DomainError) as exc:
        actions.review_report(bw.bureau, report.pk, decision="return", note=" ")
    assert exc.value.field == "note"
    with pytest.raises(DomainError) as exc:
        actions.review_report(bw.bureau, report.pk, decision="approve")
    assert exc.value.field == "decision"
    assert QuarterlyReport.objects.get(pk=report.pk).status == "submitted"


def test_rejects_other_org(bw):
    report = submitted_report(bw)
    for user in (bw.manager, bw.clerk, bw.other_bureau, bw.inspector, bw.sme, bw.banker):
        with pytest.raises(PermissionDenied):
            actions.review_report(user, report.pk, decision="acknowledge")
    assert QuarterlyReport.objects.get(pk=report.pk).status == "submitted"


def test_review_through_the_api(bw, api):
    report = submitted_report(bw)
    r = api(bw.manager).post(f"/bridge/reports/{report.pk}/review", {"decision": "acknowledge"})
    assert r.status_code == 403
    r = api(bw.other_bureau).post(f"/bridge/reports/{report.pk}/review", {"decision": "acknowledge"})
    assert r.status_code in (403, 404)
    r = api(bw.bureau).post(f"/bridge/reports/{report.pk}/review", {"decision": "return", "note": ""})
    assert r.status_code == 400 and r.json()["field"] == "note" and "退回原因" in r.json()["message"]
    r = api(bw.bureau).post(f"/bridge/reports/{report.pk}/review", {"decision": "return", "note": "数据有误"})
    assert r.status_code == 200 and r.json()["status"] == "returned" and r.json()["review_note"] == "数据有误"


def test_review_on_the_page(bw):
    report = submitted_report(bw)
    url = f"/bridge/reports/{report.pk}/"
    assert "确认或退回" in client(bw.bureau).get(url).content.decode()
    assert "确认或退回" not in client(bw.manager).get(url).content.decode()
    r = client(bw.bureau).post(url, {"form": "review", "r-decision": "return", "r-note": ""})
    assert r.status_code == 200 and "请填写退回原因" in r.content.decode()
    # the manager posting the bureau's form changes nothing
    client(bw.manager).post(url, {"form": "review", "r-decision": "acknowledge", "r-note": ""})
    assert QuarterlyReport.objects.get(pk=report.pk).status == "submitted"
    r = client(bw.bureau).post(url, {"form": "review", "r-decision": "return", "r-note": "请补充台账"})
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.status == "returned" and "请补充台账" in client(bw.manager).get(url).content.decode()
