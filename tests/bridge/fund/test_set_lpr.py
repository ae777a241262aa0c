"""set_lpr: the bureau maintains the LPR table; a lower LPR caps new loans and alerts the manager."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from liuzhuan.bridge import cli
from liuzhuan.bridge.fund import actions
from liuzhuan.bridge.loan.actions import disburse
from liuzhuan.bridge.models.fund import LprRate
from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.core.models import AuditEvent
from liuzhuan.members.models import Notification

from ..conftest import TODAY, disbursed


def test_migration_seeded_the_shipped_history(db):
    rows = list(LprRate.objects.order_by("effective_date").values_list("effective_date", "lpr_1y"))
    assert rows[0] == (dt.date(2019, 8, 20), Decimal("4.25"))
    assert rows[-1] == (dt.date(2025, 5, 20), Decimal("3.00"))
    assert len(rows) == 15


def test_new_lpr_clamps_the_self_rate_and_alerts_the_manager(bw):
    actions.set_rates(bw.manager, day_basis=360, self_daily_rate="0.00033", entrusted_multiplier="1", penalty_annual_rate="0.10", on=TODAY)
    actions.set_lpr(bw.bureau, effective_date=dt.date(2026, 2, 20), lpr_1y="2.90", lpr_5y="3.40", note="2月报价", on=TODAY)
    assert LprRate.objects.get(effective_date=dt.date(2026, 2, 20)).lpr_1y == Decimal("2.90")
    alert = Notification.objects.get(organisation=bw.fund_org, title="利率超过法定上限提醒")
    assert "3.3000‱" in alert.body and "新发放业务将按上限执行" in alert.body
    # the same alert is not repeated by the daily job
    from liuzhuan.bridge import jobs

    assert "利率上限提醒" not in jobs.bridge_daily(TODAY)
    # a new self-operated loan uses the capped rate: 4 × 2.90 % ÷ 360 → fee on 1,000,000 yuan × 10 days
    app = disbursed(bw)
    assert app.rate_clamped and app.rate_annual == Decimal("0.116") and app.rate_daily is None
    assert app.planned_fee_fen == 322_222  # 100,000,000 fen × 0.116 × 10 ÷ 360 = 322,222.2 → 322,222
    assert Notification.objects.filter(organisation=bw.fund_org, title__contains="按法定利率上限执行").exists()


def test_correction_keeps_history_in_audit(bw):
    actions.set_lpr(bw.bureau, effective_date=dt.date(2025, 5, 20), lpr_1y="3.05", lpr_5y="3.50", on=TODAY)
    ev = AuditEvent.objects.filter(action="bridge.lpr.set").last()
    assert ev.summary["before"] == {"lpr_1y": "3.00", "lpr_5y": "3.50"} and ev.summary["after"]["lpr_1y"] == "3.05"


def test_cli_reads_the_database_table(bw, capsys, monkeypatch):
    monkeypatch.delenv(cli.LPR_SOURCE_ENV, raising=False)
    actions.set_lpr(bw.bureau, effective_date=dt.date(2026, 2, 20), lpr_1y="2.90", lpr_5y="3.40", on=TODAY)
    assert cli.main(["cap", "--on", "2026-03-01"]) == 0
    data = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert data["lpr_source"] == "database:LprRate" and data["lpr_1y"] == "2.90" and data["binding"] == "4x_lpr"


def test_low_lpr_makes_penalty_rate_block_disbursement(bw):
    from ..conftest import confirmed

    app = confirmed(bw)
    actions.set_lpr(bw.bureau, effective_date=dt.date(2026, 3, 1), lpr_1y="2.40", lpr_5y="3.00", on=TODAY)  # 4 × 2.40 = 9.6 % < 10 %
    assert "违约金年利率" in Notification.objects.get(organisation=bw.fund_org, title="利率超过法定上限提醒").body
    with pytest.raises(DomainError) as exc:
        disburse(bw.clerk, app.pk, account=app.loan_account, voucher="V", on=TODAY)
    assert exc.value.code == "penalty_over_cap" and "第十七条" in exc.value.message


@pytest.mark.parametrize(("kw", "field"), [
    (dict(lpr_1y="0"), "lpr_1y"), (dict(lpr_1y="100"), "lpr_1y"), (dict(lpr_1y="abc"), "lpr_1y"),
    (dict(lpr_5y="3.455"), "lpr_5y"), (dict(effective_date=dt.date(2019, 8, 19)), "effective_date"),
    (dict(effective_date=TODAY + dt.timedelta(days=1)), "effective_date"),
])
def test_bad_input(bw, kw, field):
    args = dict(effective_date=TODAY, lpr_1y="3.00", lpr_5y="3.50", on=TODAY) | kw
    with pytest.raises(DomainError) as exc:
        actions.set_lpr(bw.bureau, **args)
    assert exc.value.field == field
    assert not LprRate.objects.filter(effective_date=TODAY).exists()


def test_rejects_other_org(bw):
    for user in (bw.manager, bw.clerk, bw.other_bureau, bw.inspector):
        with pytest.raises(PermissionDenied):
            actions.set_lpr(user, effective_date=TODAY, lpr_1y="2.5", lpr_5y="3", on=TODAY)
    assert not LprRate.objects.filter(effective_date=TODAY).exists()
