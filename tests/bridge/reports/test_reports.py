"""generate_report / submit_report and the report figures (第十二条、第二十四条、第二十五条).

All figures are derived from the data: the expected turnover below is computed here from the
loans and the principal history, independently of the code under test.
"""

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from openpyxl import load_workbook

from liuzhuan.bridge.fund.actions import change_principal, set_warning_level
from liuzhuan.bridge.loan.actions import record_repayment
from liuzhuan.bridge.loan.queries import dues
from liuzhuan.bridge.models.reports import QuarterlyReport
from liuzhuan.bridge.reports import actions
from liuzhuan.bridge.reports.export import report_pdf, report_xlsx, summary_rows
from liuzhuan.bridge.reports.queries import compute_figures, ledger_queryset
from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.members.models import Notification

from ..conftest import PRINCIPAL, TODAY, YUAN, disbursed

APR1 = dt.date(2026, 4, 1)


def loan(bw, user, yuan, on, contract, repay_after=None):
    fen = yuan * YUAN
    app = disbursed(bw, user=user, on=on, amount_fen=fen, original_due_fen=fen, renewal_approval_fen=fen, original_contract_no=contract)
    if repay_after:
        paid = on + dt.timedelta(days=repay_after - 1)
        d = dues(app, paid)
        record_repayment(bw.clerk, app.pk, paid_on=paid, principal_fen=d.principal_fen, fee_fen=d.fee_due_fen, penalty_fen=0,
                         reference=f"R-{contract}", on=paid)
    return app


@pytest.fixture
def q1(bw):
    """Q1 2026: three loans to two enterprises; the bureau doubles the principal on 1 February."""
    loan(bw, bw.sme, 1_000_000, dt.date(2026, 1, 10), "C-1", repay_after=6)
    change_principal(bw.bureau, kind="contribute", amount_fen=PRINCIPAL, effective_on=dt.date(2026, 2, 1),
                     document_no="增资", on=TODAY)
    loan(bw, bw.sme, 2_000_000, dt.date(2026, 2, 10), "C-2", repay_after=10)
    loan(bw, bw.sme2, 3_000_000, TODAY, "C-3")
    return bw


def test_figures_are_computed_from_the_data(q1):
    report = actions.generate_report(q1.clerk, year=2026, quarter=1, on=APR1)
    f = report.figures
    assert report.due_date == dt.date(2026, 4, 10) and report.status == "draft"
    q = f["quarter"]
    volume = (1_000_000 + 2_000_000 + 3_000_000) * YUAN
    assert (q["volume_fen"], q["loans"], q["enterprises"]) == (volume, 3, 2)
    assert f["fund"]["principal_end_fen"] == 2 * PRINCIPAL
    # simple: volume ÷ principal at quarter end
    assert Decimal(q["turnover"]) == (Fraction(volume, 2 * PRINCIPAL).numerator / Decimal(Fraction(volume, 2 * PRINCIPAL).denominator)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP)
    # day-weighted principal: 31 days at P (January) + 59 days at 2P (February, March)
    weighted = Fraction(volume * 90, 31 * PRINCIPAL + 59 * 2 * PRINCIPAL)
    expected = (Decimal(weighted.numerator) / Decimal(weighted.denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    assert Decimal(q["turnover_weighted"]) == expected == Decimal("0.3624")
    assert f["year_to_date"]["volume_fen"] == volume and f["inception"]["loans"] == 3
    assert f["target"]["annual_turnover_target"] == "8.00" and f["target"]["completion"] == "4.5%"
    # fees: 1,000,000 × 0.0003 × 6 days + 2,000,000 × 0.0003 × 10 days = 1,800 + 6,000 yuan
    assert f["income"]["quarter"]["fee_fen"] == 780_000
    # at quarter end C-3 (drawn 2026-03-02, last day 2026-03-11) is out and past due, whether or not
    # the daily job has marked it: at risk as at 2026-03-31
    assert f["risk"]["outstanding_fen"] == 3_000_000 * YUAN and f["risk"]["at_risk_fen"] == 3_000_000 * YUAN
    assert f["risk"]["overdue_loans"] == 1 and f["risk"]["as_of"] == "2026-03-31" and f["risk"]["exposure"] == "15.00%"
    assert [r["number"] for r in f["ledger"]] == [a.number for a in ledger_queryset(dt.date(2026, 1, 1), dt.date(2026, 3, 31))]
    assert len(f["ledger"]) == 3


def test_excel_and_pdf_are_valid_files(q1):
    report = actions.generate_report(q1.clerk, year=2026, quarter=1, on=APR1)
    wb = load_workbook(io.BytesIO(report_xlsx(report)))
    assert wb.sheetnames == ["报告", "台账"]
    rows = {r[0]: r[1] for r in wb["报告"].iter_rows(values_only=True) if r and r[0]}
    assert rows["本季度续贷累计发生额"] == "¥6,000,000.00" and rows["本季度扶持企业户数"] == "2 户"
    ledger = list(wb["台账"].iter_rows(values_only=True))
    assert ledger[1][0] == "业务编号" and len(ledger) == 1 + 1 + 3 + 1 and float(ledger[2][6]) == 1_000_000
    assert ledger[-1][0] == "合计（3 条）" and float(ledger[-1][6]) == sum(float(r[6]) for r in ledger[2:-1])
    assert wb["台账"].cell(row=3, column=7).number_format == "#,##0.00"
    pdf = report_pdf(report)
    assert pdf.startswith(b"%PDF") and b"STSong-Light" in pdf and pdf.rstrip().endswith(b"%%EOF")


def test_submit_on_time_and_late(q1):
    report = actions.generate_report(q1.clerk, year=2026, quarter=1, on=APR1)
    report = actions.submit_report(q1.manager, report.pk, narrative="资金封闭运行，专款专用。", on=dt.date(2026, 4, 8))
    assert report.status == "submitted" and not report.late and report.submitted_by == q1.manager
    assert Notification.objects.filter(organisation=q1.bureau_org, title__contains="已报送").exists()
    with pytest.raises(DomainError) as exc:
        actions.generate_report(q1.clerk, year=2026, quarter=1, on=APR1)
    assert exc.value.code == "already_submitted"
    q4 = actions.generate_report(q1.clerk, year=2025, quarter=4, on=TODAY)
    q4 = actions.submit_report(q1.manager, q4.pk, narrative="补报", on=TODAY)
    assert q4.late and q4.due_date == dt.date(2026, 1, 10)


def test_bad_input(bw):
    for kw, code in [(dict(year=2026, quarter=5), "invalid_quarter"), (dict(year=2026, quarter=2), "quarter_not_over"),
                     (dict(year=2024, quarter=4), "before_fund")]:
        with pytest.raises(DomainError) as exc:
            actions.generate_report(bw.clerk, on=APR1, **kw)
        assert exc.value.code == code
    report = actions.generate_report(bw.clerk, year=2026, quarter=1, on=APR1)
    with pytest.raises(DomainError) as exc:
        actions.submit_report(bw.manager, report.pk, narrative=" ", on=APR1)
    assert exc.value.field == "narrative"


def test_rejects_other_org(bw):
    for user in (bw.other_fm, bw.bureau, bw.sme):
        with pytest.raises(PermissionDenied):
            actions.generate_report(user, year=2026, quarter=1, on=APR1)
    report = actions.generate_report(bw.clerk, year=2026, quarter=1, on=APR1)
    for user in (bw.clerk, bw.other_fm, bw.bureau):
        with pytest.raises(PermissionDenied):
            actions.submit_report(user, report.pk, narrative="x", on=APR1)
    assert QuarterlyReport.objects.get(pk=report.pk).status == "draft"


def test_generate_report_without_an_actor_is_refused(q1):
    from liuzhuan.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.generate_report(None, year=2026, quarter=1, on=APR1)


def test_submitted_on_the_due_day_is_not_late(q1):
    report = actions.generate_report(q1.clerk, year=2026, quarter=1, on=APR1)
    report = actions.submit_report(q1.manager, report.pk, narrative="按期报送。", on=report.due_date)
    assert report.due_date == dt.date(2026, 4, 10) and report.status == "submitted" and not report.late


def test_risk_figures_are_labelled_with_their_date(q1):
    report = actions.generate_report(q1.clerk, year=2026, quarter=1, on=APR1)
    rows = dict(summary_rows(report.figures))
    assert rows["三、风险状况"] == "截至季度末 2026-03-31"


def test_report_states_the_warning_line_and_an_open_warning(q1):
    """预警制度 (第二十二条): the report gives the bureau's warning line and whether a warning is open."""
    from liuzhuan.bridge import jobs
    from liuzhuan.bridge.models.application import Application

    c3 = Application.objects.get(original_contract_no="C-3")
    jobs.bridge_daily(c3.due_date + dt.timedelta(days=1))  # 3,000,000 of 20,000,000 overdue: 15 %
    rows = dict(summary_rows(actions.generate_report(q1.clerk, year=2026, quarter=1, on=APR1).figures))
    assert rows["风险预警线"] == "20%（季度末未达到预警线）"
    set_warning_level(q1.bureau, 10, "一季度末加强监测")
    figures = compute_figures(2026, 1, APR1)
    assert figures["risk"]["warn_percent"] == 10 and figures["risk"]["at_warning_end"] is True
    assert dict(summary_rows(figures))["风险预警线"] == "10%（季度末已达到预警线）"


def test_risk_is_taken_at_quarter_end_not_on_the_day_of_generation(q1):
    """第二十四条: the report generated in May still shows the position of 31 March — C-3 repaid in
    April stays at risk and the suspension decided later is not shown."""
    from liuzhuan.bridge import jobs
    from liuzhuan.bridge.models.application import Application

    c3 = Application.objects.get(original_contract_no="C-3")
    jobs.bridge_daily(dt.date(2026, 4, 1))
    d = dues(c3, dt.date(2026, 4, 15))
    record_repayment(q1.clerk, c3.pk, paid_on=dt.date(2026, 4, 15), principal_fen=d.principal_fen, fee_fen=d.fee_due_fen,
                     penalty_fen=d.penalty_due_fen, reference="R-C3", on=dt.date(2026, 4, 15))
    from liuzhuan.bridge.fund.actions import bureau_suspend

    bureau_suspend(q1.bureau, reason="四月专项检查")
    late = compute_figures(2026, 1, dt.date(2026, 5, 5))
    r = late["risk"]
    assert (r["outstanding_fen"], r["at_risk_fen"], r["overdue_loans"], r["open_cases"]) == (3_000_000 * YUAN, 3_000_000 * YUAN, 1, 0)
    assert late["fund"]["status"] == "open" and late["generated_on"] == "2026-05-05"
    # the same quarter-end position as a report generated on 1 April
    early = actions.generate_report(q1.clerk, year=2026, quarter=1, on=APR1).figures
    assert {k: early["risk"][k] for k in ("outstanding_fen", "at_risk_fen", "exposure")} == {k: r[k] for k in ("outstanding_fen", "at_risk_fen", "exposure")}
    # and Q2, as at 30 June: C-3 settled on 15 April, its case closed
    q2 = compute_figures(2026, 2, dt.date(2026, 7, 2))["risk"]
    assert (q2["outstanding_fen"], q2["at_risk_fen"], q2["overdue_loans"], q2["open_cases"]) == (0, 0, 0, 0)


def test_fraud_declared_by_quarter_end_counts_as_recovery(q1):
    from liuzhuan.bridge.models.application import Application
    from liuzhuan.bridge.recovery.actions import declare_fraud

    c3 = Application.objects.get(original_contract_no="C-3")
    declare_fraud(q1.manager, c3.pk, findings="伪造纳税证明", on=dt.date(2026, 3, 5))
    r = compute_figures(2026, 1, APR1)["risk"]
    assert (r["recovery_loans"], r["overdue_loans"], r["at_risk_fen"]) == (1, 0, 3_000_000 * YUAN)
    # before the declaration and before its last day the loan was performing: nothing at risk at 2025 Q4's end
    assert compute_figures(2025, 4, APR1)["risk"]["at_risk_fen"] == 0
