"""The demo pool: the flat asset list folded in, one completed certificate offset, all checks green."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from liuzhuan.core.integrity import run_all
from liuzhuan.housing.models import HousingTransaction, TxKind, TxStatus, Unit, UnitStatus


@pytest.mark.django_db
def test_demo_pool(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo", quiet_logins=True)
    assert Unit.objects.count() == 5
    assert Unit.objects.filter(status=UnitStatus.SOLD).count() == 2  # the certificates demo's flat, and the housing demo's
    tx = HousingTransaction.objects.get()
    assert (tx.kind, tx.status, tx.payment_fen) == (TxKind.CERTIFICATE_OFFSET, TxStatus.COMPLETED, 30_000_00)
    assert all(u.asset_id for u in Unit.objects.all())
    report = run_all()
    assert report.ok, report.problems


@pytest.mark.django_db
def test_dashboard_figures_on_the_demo(settings, tmp_path, client):
    from liuzhuan.housing import queries
    from liuzhuan.members.models import User

    settings.MEDIA_ROOT = tmp_path
    call_command("demo", quiet_logins=True)
    d = queries.dashboard(User.objects.get(username="op_clerk"))
    assert (d["offset_n"], d["offset_fen"], d["credit_fen"], d["cash_n"]) == (1, 150_000_00, 120_000_00, 0)
    assert sum(g["total"] for g in d["grid"]) == d["units"] == 5
    assert d["chart"]["offset_fen"][-1] == 150_000_00  # this month
    client.force_login(User.objects.get(username="hp_chen"))
    body = client.get("/housing/dashboard/").content.decode()
    assert "housing-data" in body and "vendor/echarts/echarts.min.js" in body
