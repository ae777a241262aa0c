"""Demo data: loads once after the members demo, through the actions; a second load changes nothing."""

from liuzhuan.bridge import demo, jobs
from liuzhuan.bridge.models.application import Application, ApplicationMaterial
from liuzhuan.bridge.models.fund import Fund
from liuzhuan.bridge.models.reports import QuarterlyReport
from liuzhuan.core.dates import today_china
from liuzhuan.members import demo as members_demo


def test_demo_loads_once(db):
    assert demo.load() is False  # no members demo yet: nothing to attach to
    members_demo.load()
    assert demo.load() is True
    assert Fund.objects.get().manager == members_demo.org("fund")
    statuses = set(Application.objects.values_list("status", flat=True))
    assert {"repaid", "disbursed", "overdue", "confirmed", "approved", "prepared", "submitted", "rejected"} <= statuses
    assert QuarterlyReport.objects.exists()
    # every demo application has one generated PDF per checklist item (第九条)
    files = ApplicationMaterial.objects.count()
    for app in Application.objects.all():
        items = app.checks.filter(kind="material").count()
        assert items == 6 and app.materials.filter(replaced_at__isnull=True).count() == items
        assert app.materials.first().file.read().startswith(b"%PDF-")
    assert demo.load() is False
    assert ApplicationMaterial.objects.count() == files  # a second load adds no files
    assert jobs.bridge_daily(today_china()) == {}
