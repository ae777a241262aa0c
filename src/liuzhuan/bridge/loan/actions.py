"""Loan operations — the money: disbursement straight into the original loan's repayment account
with the terms fixed on the draw date, the bank's renewal (续贷), repayments of principal, fee and
penalty (the borrower, the bank under joint liability, or recovery proceeds), and the daily
penalty accrual.

Every action checks who is asking, validates (Chinese message naming the field), locks what it
changes (the fund row first, then applications by pk), writes, appends an audit event and
notifies — all in one ``transaction.atomic()``; a ``DomainError`` means nothing was changed.
``accrue_penalties`` is a step of the daily job and runs in that job's transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max

from liuzhuan.core import audit
from liuzhuan.core.errors import DomainError
from liuzhuan.core.money import format_yuan
from liuzhuan.core.permissions import require_role
from liuzhuan.core.roles import Role
from liuzhuan.members.actions import notify

from .. import inputs
from ..application.actions import ban_error, bank_application, lock_application, status_error
from ..application.queries import active_ban, quote_for
from ..application.rules import compact_account, draw_window_refusal
from ..banks.queries import partner_bank
from ..fund.actions import SYSTEM, live_exposure_refusal, lock_fund, notify_manager, require_manager_org
from ..fund.queries import lpr_table, outstanding_fen, require_fund
from ..models.application import AT_RISK_STATUSES, LIVE_LOAN_STATUSES, Application, AppStatus, LoanType
from ..models.loan import PayerKind, Repayment
from ..models.recovery import CaseStatus, RecoveryCase
from ..rates.common import rate_str
from ..rates.penalty import check_penalty_rate
from .queries import dues, fee_accrued, penalty_accrued


def _app_snapshot(app: Application) -> dict:
    return {
        "status": app.status,
        "amount_fen": app.amount_fen,
        "principal_repaid_fen": app.principal_repaid_fen,
        "fee_paid_fen": app.fee_paid_fen,
        "penalty_paid_fen": app.penalty_paid_fen,
    }


def disburse(actor, app_id: int, *, account: str, voucher: str, on: dt.date | None = None) -> Application:
    """放款: only into the original loan's repayment account the lending bank confirmed (第十条（一）),
    within the draw window of the original loan's maturity, for the days the bank set (第十条（二）),
    with the 30 % line checked live (第二十二条); terms fixed on the draw date."""
    today = inputs.today(on)
    fund = require_fund()
    require_manager_org(actor, fund)
    account = inputs.text(account, "account", "划款账户", max_length=60)
    voucher = inputs.text(voucher, "voucher", "划款凭证号", max_length=80)
    with transaction.atomic():
        fund = lock_fund()
        app = lock_application(app_id)
        if app.status != AppStatus.CONFIRMED:
            raise status_error(app, "放款")
        refusal = live_exposure_refusal(fund, actor, "放款", today)
        if refusal is None:
            return _disburse(actor, fund, app, account, voucher, today)
    raise refusal  # after the commit: a suspension made by the live check stays


def _disburse(actor, fund, app: Application, account: str, voucher: str, today: dt.date) -> Application:
    """The disbursement itself, inside ``disburse``'s transaction with the fund and the application locked."""
    if today < app.submitted_on:
        raise DomainError("before_application", f"提款日 {today.isoformat()} 不能早于申请日 {app.submitted_on.isoformat()}")
    ban = active_ban(app.applicant_id, today)
    if ban:
        raise ban_error(ban)
    partner_bank(app.bank_id, today, None)
    if not app.confirmed_account or not app.term_days:
        raise DomainError("account_not_confirmed", "贷款银行尚未确认原贷款在本行的还款账户和使用天数，不能放款；"
                          "请贷款银行在业务页面重新确认（第十条（一）（二））", "account")
    if compact_account(account) != app.confirmed_account:
        raise DomainError("wrong_account", f"续贷过桥资金只能划入贷款银行确认的原贷款还款账户 {app.confirmed_account}，"
                          "仅限还贷续贷应急周转，不得用于其他任何事项（第十条（一））", "account")
    refusal = draw_window_refusal(today, app.original_due_date)
    if refusal:
        raise DomainError("outside_draw_window", refusal)
    q = quote_for(app, fund, today, app.mode, lpr_table())
    if not q.allowed:
        raise DomainError("quote_refused", "；".join(q.reasons))
    refusal = check_penalty_rate(fund.penalty_annual_rate, q.contract_lpr.lpr_1y)
    if refusal:
        raise DomainError("penalty_over_cap", refusal + "。请负责人先调整违约金年利率", "penalty_annual_rate")
    outstanding = outstanding_fen()
    if outstanding + app.amount_fen > fund.principal_fen:
        raise DomainError("insufficient_fund",
                          f"可用资金不足：本金总额 {format_yuan(fund.principal_fen)}，在贷余额 {format_yuan(outstanding)}，"
                          f"本笔 {format_yuan(app.amount_fen)}（专款专用、封闭运行）")
    app.status = AppStatus.DISBURSED
    app.disbursed_by, app.disbursed_on, app.disbursement_voucher = actor, today, voucher
    app.disbursed_to_account = app.confirmed_account
    app.due_date = q.repay
    if q.annual_rate is not None:
        app.rate_annual, app.rate_daily = q.annual_rate, None
    else:
        app.rate_daily, app.rate_annual = q.daily_rate, None
    app.basis, app.contract_lpr_1y, app.contract_lpr_date = q.basis, q.contract_lpr.lpr_1y, q.contract_lpr.effective_date
    app.rate_clamped, app.planned_fee_fen, app.penalty_annual_rate = q.clamped, q.fee_fen, fund.penalty_annual_rate
    app.save()
    audit.record(actor, "bridge.loan.disburse", app, summary={"before": {"status": AppStatus.CONFIRMED}, "after": {
        "status": app.status, "disbursed_on": today, "due_date": q.repay, "account": app.confirmed_account, "voucher": voucher,
        "daily_rate": rate_str(q.daily_rate), "annual_rate": None if q.annual_rate is None else rate_str(q.annual_rate),
        "basis": q.basis, "fee_fen": q.fee_fen, "contract_lpr_1y": str(q.contract_lpr.lpr_1y), "clamped": q.clamped}})
    body = (f"{format_yuan(app.amount_fen)} 已于 {today.isoformat()} 划入原贷款还款账户 {app.confirmed_account}，约定还款日 {q.repay.isoformat()}"
            f"（共 {q.days} 天，含提款日及还款日），占用费 {format_yuan(q.fee_fen)}。鼓励提前还款，按实际使用天数计费。")
    notify(app.applicant, f"过桥资金 {app.number} 已放款", body, obj=app)
    notify(app.bank, f"过桥资金 {app.number} 已放款，请按承诺办理续贷", body, obj=app)
    if q.clamped:
        notify_manager(fund, f"{app.number} 按法定利率上限执行", "；".join(q.alerts), obj=app, kind="bridge.rates")
    return app


def record_renewal(actor, app_id: int, *, renewed_on: dt.date, contract_no: str, amount_fen: int, loan_type: str,
                   on: dt.date | None = None) -> Application:
    """The lending bank records the renewed loan: date, contract, amount and its type, which must be
    the bank's own working-capital loan (第十条（四）「续贷贷款仅指贷款银行自营的流动资金贷款」)."""
    today = inputs.today(on)
    require_role(actor, Role.BANK)
    inputs.date(renewed_on, "renewed_on", "续贷发放日")
    contract_no = inputs.text(contract_no, "contract_no", "续贷合同编号", max_length=80)
    amount = inputs.fen(amount_fen, "amount_fen", "续贷金额")
    if loan_type not in LoanType.values:
        raise DomainError("invalid_loan_type", "请选择续贷贷款种类", "loan_type")
    if loan_type != LoanType.WORKING_CAPITAL:
        raise DomainError("loan_type_excluded", f"续贷贷款为“{LoanType(loan_type).label}”：续贷贷款仅限贷款银行自营的流动资金贷款，"
                          "不含银行承兑汇票、委托贷款等（第十条（四））", "loan_type")
    with transaction.atomic():
        app = bank_application(actor, app_id)
        if app.status not in LIVE_LOAN_STATUSES:
            raise status_error(app, "登记续贷")
        if app.renewed_on:
            raise DomainError("already_renewed", f"已于 {app.renewed_on.isoformat()} 登记续贷")
        if renewed_on < app.disbursed_on or renewed_on > today:
            raise DomainError("invalid_date", f"续贷发放日应在提款日 {app.disbursed_on.isoformat()} 与今天之间", "renewed_on")
        app.renewed_on, app.renewal_contract_no, app.renewal_amount_fen, app.renewal_recorded_by = renewed_on, contract_no, amount, actor
        app.renewal_loan_type = loan_type
        app.save(update_fields=["renewed_on", "renewal_contract_no", "renewal_amount_fen", "renewal_recorded_by", "renewal_loan_type"])
        audit.record(actor, "bridge.loan.renewal", app, summary={"after": {
            "renewed_on": renewed_on, "contract_no": contract_no, "amount_fen": amount, "loan_type": loan_type}})
        fund = require_fund()
        notify_manager(fund, f"{app.number} 银行已发放续贷", f"续贷合同 {contract_no}，金额 {format_yuan(amount)}，请跟进收回过桥资金。", obj=app)
        notify(app.applicant, f"{app.number} 续贷已发放", f"请于 {app.due_date.isoformat()} 前归还过桥资金本金及占用费。", obj=app)
        return app


def record_repayment(actor, app_id: int, *, paid_on: dt.date, principal_fen: int, fee_fen: int, penalty_fen: int,
                     payer: str = PayerKind.BORROWER, reference: str, on: dt.date | None = None) -> Repayment:
    """收回本金、占用费、违约金 (payer: the SME, the bank under joint liability, or recovery proceeds)."""
    today = inputs.today(on)
    fund = require_fund()
    require_manager_org(actor, fund)
    inputs.date(paid_on, "paid_on", "收款日期")
    principal = inputs.fen(principal_fen, "principal_fen", "本金", allow_zero=True)
    fee = inputs.fen(fee_fen, "fee_fen", "占用费", allow_zero=True)
    penalty = inputs.fen(penalty_fen, "penalty_fen", "违约金", allow_zero=True)
    if principal + fee + penalty <= 0:
        raise DomainError("empty_repayment", "本金、占用费、违约金合计必须大于零", "principal_fen")
    if payer not in PayerKind.values:
        raise DomainError("invalid_payer", "付款方不正确", "payer")
    reference = inputs.text(reference, "reference", "收款凭证号", max_length=80)
    with transaction.atomic():
        app = lock_application(app_id)
        if app.status not in LIVE_LOAN_STATUSES:
            raise status_error(app, "登记还款")
        if paid_on < app.disbursed_on or paid_on > today:
            raise DomainError("invalid_date", f"收款日期应在提款日 {app.disbursed_on.isoformat()} 与今天之间", "paid_on")
        last = app.repayments.aggregate(m=Max("paid_on"))["m"]
        if last and paid_on < last:
            raise DomainError("out_of_order", f"收款日期不能早于上一笔还款日期 {last.isoformat()}", "paid_on")
        if payer == PayerKind.BANK and not (app.agreement.joint_liability_principal and app.agreement.joint_liability_fee):
            raise DomainError("no_joint_liability", "该合作协议未约定连带责任", "payer")
        d = dues(app, paid_on)
        if principal > d.principal_fen:
            raise DomainError("principal_exceeds", f"本金 {format_yuan(principal)} 超过未还本金 {format_yuan(d.principal_fen)}", "principal_fen")
        if fee > d.fee_due_fen:
            raise DomainError("fee_exceeds", f"占用费 {format_yuan(fee)} 超过截至 {paid_on.isoformat()} 应收占用费 {format_yuan(d.fee_due_fen)}"
                              "（按实际使用天数计，含提款日及还款日）", "fee_fen")
        if penalty > d.penalty_due_fen:
            raise DomainError("penalty_exceeds", f"违约金 {format_yuan(penalty)} 超过截至 {paid_on.isoformat()} 应收违约金 {format_yuan(d.penalty_due_fen)}", "penalty_fen")
        rep = Repayment.objects.create(application=app, paid_on=paid_on, payer=payer, principal_fen=principal, fee_fen=fee,
                                       penalty_fen=penalty, reference=reference, recorded_by=actor)
        before = _app_snapshot(app)
        app.principal_repaid_fen += principal
        app.fee_paid_fen += fee
        app.penalty_paid_fen += penalty
        if d.penalty_accrued_fen > app.penalty_accrued_fen:
            app.penalty_accrued_fen, app.penalty_accrued_through = d.penalty_accrued_fen, paid_on
        closed = False
        if app.outstanding_fen == 0:
            reps = list(app.repayments.all())
            final_fee = fee_accrued(app, paid_on, reps)
            final_pen = penalty_accrued(app, paid_on, reps)
            if app.fee_paid_fen >= final_fee and app.penalty_paid_fen >= final_pen:
                app.status, app.closed_on, closed = AppStatus.REPAID, paid_on, True
        app.save()
        audit.record(actor, "bridge.loan.repay", app, summary={"before": before, "after": _app_snapshot(app), "repayment": {
            "id": rep.pk, "paid_on": paid_on, "payer": payer, "principal_fen": principal, "fee_fen": fee, "penalty_fen": penalty,
            "reference": reference}})
        if closed:
            case = RecoveryCase.objects.select_for_update().filter(application=app).first()
            if case and case.status != CaseStatus.RECOVERED:
                case.status, case.closed_on = CaseStatus.RECOVERED, paid_on
                case.save(update_fields=["status", "closed_on"])
                audit.record(actor, "bridge.recovery.close", case, summary={"after": {"status": case.status}})
        body = f"收到{PayerKind(payer).label}还款：本金 {format_yuan(principal)}，占用费 {format_yuan(fee)}，违约金 {format_yuan(penalty)}。"
        if closed:
            body += "本笔过桥资金已结清。"
        notify(app.applicant, f"{app.number} 还款已入账", body, obj=app)
        if payer == PayerKind.BANK or closed:
            notify(app.bank, f"{app.number} 还款已入账", body, obj=app)
        return rep


def accrue_penalties(today: dt.date) -> int:
    """Recompute the penalty accrued through today from the repayment history; write on change only."""
    n = 0
    at_risk = Application.objects.select_for_update().filter(status__in=AT_RISK_STATUSES).prefetch_related("repayments").order_by("pk")
    for app in at_risk:  # repayments loaded once for all loans, not once per loan
        amount = penalty_accrued(app, today, list(app.repayments.all()))
        if amount == app.penalty_accrued_fen:
            continue
        before = app.penalty_accrued_fen
        app.penalty_accrued_fen, app.penalty_accrued_through = amount, today
        app.save(update_fields=["penalty_accrued_fen", "penalty_accrued_through"])
        audit.record(SYSTEM, "bridge.loan.penalty_accrue", app, summary={
            "before": before, "after": amount, "through": today, "rate": str(app.penalty_annual_rate)})
        n += 1
    return n
