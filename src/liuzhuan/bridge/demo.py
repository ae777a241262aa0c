"""Bridge fund demo data, loaded once after the members demo (``liuzhuan demo``).

Everything goes through the actions, so the audit chain, notifications and figures are real.
Dates are relative to the day the demo is loaded: loans repaid weeks ago, one in use, one
overdue, applications waiting at every step, one fraud ban, a report draft for last quarter.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from liuzhuan.core.dates import today_china
from liuzhuan.members import demo as members_demo
from liuzhuan.members.models import Organisation, User

from .application import actions as application
from .application.rules import DEFAULT_MATERIALS, ELIGIBILITY_ITEMS
from .banks import actions as banks
from .fund import actions as fund
from .loan import actions as loan
from .loan.queries import dues
from .models.fund import Fund
from .oversight import actions as oversight
from .recovery import actions as recovery
from .revenue import actions as revenue
from .revenue.queries import revenue_balance

YUAN = 100


def _user(name: str) -> User:
    return User.objects.get(username=name)


def material_pdf(text: str) -> bytes:
    """A tiny one-page PDF saying ``text`` (ASCII), built in code: the demo's application materials."""
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _input(bank: Organisation, n: int, amount_yuan: int, draw: dt.date, days: int = 10, **over) -> application.ApplicationInput:
    data = dict(
        bank_id=bank.pk, sme_size=["small", "micro", "medium"][n % 3], original_contract_no=f"LD{draw:%Y%m}{n:04d}",
        original_loan_type="working_capital", original_due_fen=amount_yuan * YUAN + 200_000 * YUAN,
        original_due_date=draw, classification="normal", loan_account=f"6217 0000 {n:04d} 8888",
        renewal_approval_fen=amount_yuan * YUAN, renewal_approval_no=f"续批〔{draw.year}〕{n:03d}号",
        renewal_approval_date=draw - dt.timedelta(days=5), amount_fen=amount_yuan * YUAN, planned_days=days,
        planned_draw_date=draw, purpose_confirmed=True,
        evidence={k: "营业执照、纳税证明、征信报告及银行续贷批复已核验" for k, _ in ELIGIBILITY_ITEMS},
        materials={f"m{i}": "已提交原件及复印件" for i in range(1, len(DEFAULT_MATERIALS) + 1)},
        files={f"m{i}": [(f"material-{n:02d}-m{i}.pdf", material_pdf(f"Bridge application {n:02d} material m{i}"))]
               for i in range(1, len(DEFAULT_MATERIALS) + 1)},
    )
    data.update(over)
    return application.ApplicationInput(**data)


def load(stdout=None) -> bool:
    if Fund.objects.filter(pk=1).exists():
        return False
    try:
        fund_org, bank1, bank2 = members_demo.org("fund"), members_demo.org("bank1"), members_demo.org("bank2")
        bureau, head, clerk = _user("czj_liu"), _user("xc_huang"), _user("xc_clerk")
        banker1, banker2 = _user("bank1_zhou"), _user("bank2_wu")
    except (Organisation.DoesNotExist, User.DoesNotExist):
        return False
    today = today_china()
    established = dt.date(today.year - 1, 1, 1)
    fund.establish_fund(bureau, name="中小企业续贷过桥资金", manager_org_id=fund_org.pk, established_on=established,
                        annual_turnover_target=Decimal("8"), region_code=members_demo.REGION)
    fund.change_principal(bureau, kind="contribute", amount_fen=50_000_000 * YUAN, effective_on=established,
                          document_no=f"财企〔{established.year}〕1号", note="设立续贷过桥资金", on=today)
    mid = dt.date(today.year, 7, 1)
    if mid < today - dt.timedelta(days=60):
        fund.change_principal(bureau, kind="contribute", amount_fen=30_000_000 * YUAN, effective_on=mid,
                              document_no=f"财企〔{mid.year}〕27号", note="年中增资", on=today)
    fund.set_rates(head, day_basis=360, self_daily_rate=Decimal("0.0003"), entrusted_multiplier=Decimal("1"),
                   penalty_annual_rate=Decimal("0.10"), note="初始设定", on=today)
    for bank, no, entrusted in ((bank1, "XCKG-XQ-001", True), (bank2, "XCKG-XQ-002", False)):
        banks.create_agreement(head, bank_id=bank.pk, number=no, signed_on=established, valid_from=established,
                               valid_until=dt.date(today.year + 2, 12, 31), joint_liability_principal=True,
                               joint_liability_fee=True, entrusted_allowed=entrusted)
    cl = application.create_checklist(head, items=DEFAULT_MATERIALS,
                                      process="企业申请→经办初审（逐项核验申请条件与资料）→负责人复核→贷款银行确认续贷→放款至原贷款还款账户→银行续贷→收回本金及占用费")
    application.file_checklist(head, cl.pk)
    application.acknowledge_checklist(bureau, cl.pk)

    def run(key: str, n: int, amount_yuan: int, draw: dt.date, bank=bank1, stop: str = "repaid", days: int = 10,
            repay_after: int | None = None, mode: str = "self"):
        sme = _user(f"{key}_boss")
        banker = banker1 if bank == bank1 else banker2
        app = application.submit_application(sme, _input(bank, n, amount_yuan, draw, days), on=min(draw, today))
        if stop == "submitted":
            return app
        for c in app.checks.all():
            application.review_check(clerk, app.pk, c.pk, passed=True)
        if stop == "rejected":
            return application.reject_application(clerk, app.pk, reason="企业近三个月纳税记录不连续，不符合第八条（一）")
        application.prepare(clerk, app.pk, mode=mode, note="申请条件及资料齐全", on=min(draw, today))
        if stop == "prepared":
            return app
        application.approve(head, app.pk, note="同意", on=min(draw, today))
        if stop == "approved":
            return app
        app = application.bank_confirm(banker, app.pk, renewal_approval_fen=app.renewal_approval_fen, renewal_approval_no=app.renewal_approval_no,
                                 renewal_approval_date=app.renewal_approval_date, renewal_in_progress=True, classification="normal",
                                 original_due_date=app.original_due_date, confirmed_account=app.loan_account, term_days=days,
                                 note="续贷审批已通过，正在办理放款手续", on=min(draw, today))
        if stop == "confirmed":
            return app
        app = loan.disburse(clerk, app.pk, account=app.confirmed_account, voucher=f"HK{draw:%Y%m%d}{n:02d}", on=draw)
        if stop == "overdue":
            return app
        loan.record_renewal(banker, app.pk, renewed_on=min(draw + dt.timedelta(days=days - 2), today),
                            contract_no=f"XD{draw:%Y%m}{n:04d}", amount_fen=app.amount_fen, loan_type="working_capital", on=today)
        if stop == "disbursed":
            return app
        paid = draw + dt.timedelta(days=(repay_after or days) - 1)
        d = dues(app, paid)
        loan.record_repayment(clerk, app.pk, paid_on=paid, principal_fen=d.principal_fen, fee_fen=d.fee_due_fen, penalty_fen=0,
                              reference=f"SK{paid:%Y%m%d}{n:02d}", on=today)
        return app

    run("sme01", 1, 3_000_000, today - dt.timedelta(days=75), repay_after=8)
    run("sme02", 2, 1_500_000, today - dt.timedelta(days=50), bank=bank2)
    run("sme09", 9, 2_000_000, today - dt.timedelta(days=40), repay_after=6, mode="entrusted")
    fraud = run("sme10", 10, 800_000, today - dt.timedelta(days=30))
    run("sme03", 3, 2_000_000, today - dt.timedelta(days=3), stop="disbursed")
    run("sme04", 4, 800_000, today - dt.timedelta(days=16), bank=bank2, stop="overdue")
    run("sme05", 5, 1_200_000, today, stop="confirmed")
    run("sme06", 6, 600_000, today + dt.timedelta(days=2), bank=bank2, stop="approved")
    run("sme07", 7, 900_000, today + dt.timedelta(days=3), stop="prepared")
    run("sme08", 8, 1_000_000, today + dt.timedelta(days=5), stop="submitted")
    run("sme11", 11, 500_000, today + dt.timedelta(days=4), stop="rejected")
    recovery.declare_fraud(head, fraud.pk, findings="申请时隐瞒对外担保代偿情况，提供的纳税证明系伪造（瞒报、虚报）",
                           legal_referral="已移送公安机关，追究其法律责任", on=today)
    # deposit interest and a remittance (第十五条)
    q_start = dt.date(today.year, ((today.month - 1) // 3) * 3 + 1, 1)
    if q_start - dt.timedelta(days=1) >= established:
        prev_end = q_start - dt.timedelta(days=1)
        revenue.record_deposit_interest(clerk, period_start=prev_end.replace(day=1) - dt.timedelta(days=62), period_end=prev_end,
                                        received_on=prev_end, amount_fen=36_512_34, reference=f"LX{prev_end:%Y%m}", on=today)
    bal = revenue_balance(today)
    if bal.fee_unremitted_fen:
        revenue.record_remittance(clerk, remitted_on=today, fee_fen=bal.fee_unremitted_fen, interest_fen=bal.interest_unremitted_fen,
                                  penalty_fen=0, voucher_no=f"FS{today:%Y%m%d}01", on=today)
    # the bureau's oversight (第十四条、第十八条、第二十六条): an inspection of bank 1, one sanction referred to the regulator
    oversight.record_inspection(bureau, inspected_on=today - dt.timedelta(days=10), kind="irregular", inspector="市财政局金融科 刘、陈",
                                findings="抽查 3 笔业务：资金均直接划入原贷款还款账户，续贷批复齐全；1 笔续贷登记晚于放款后 8 日",
                                follow_up="督促合作银行在续贷发放当日登记", bank_id=bank1.pk, on=today)
    oversight.record_sanction(bureau, item="fraud_or_loss", officer_id=clerk.pk,
                              findings="经办人员未核对纳税证明原件即通过初审，致骗取资金发放（sme10 案）",
                              legal_liability=False, regulator_referral=True,
                              referral_note="提请桐城金融监管支局对相关经办人员依规处理", on=today)
    from .jobs import bridge_daily

    bridge_daily(today)
    return True
