"""Recovery operations (第十三条、第十七条): loans past their last allowed day become overdue and a
case opens (the daily job), the manager sets the recovery plan and records each measure, and a
fraud declaration (虚报、瞒报、骗取) recovers the money, reports to the bureau and bans the
organisation for five years.

Every action checks who is asking, validates (Chinese message naming the field), locks what it
changes (the fund row first, then applications by pk), writes, appends an audit event and
notifies — all in one ``transaction.atomic()``; a ``DomainError`` means nothing was changed.
``mark_overdue`` is a step of the daily job and runs in that job's transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.errors import DomainError, NotFound
from liuzhuan.core.money import format_yuan
from liuzhuan.members.actions import notify

from .. import inputs
from ..application.actions import lock_application, status_error
from ..fund.actions import SYSTEM, lock_fund, notify_bureau, reevaluate_exposure, require_manager_org
from ..fund.queries import require_fund
from ..models.application import LIVE_LOAN_STATUSES, PIPELINE_STATUSES, Application, AppStatus, Mode
from ..models.fund import Fund
from ..models.recovery import CaseKind, CaseStatus, FraudFinding, RecoveryAction, RecoveryCase
from .rules import ban_last_day


def open_recovery_case(app: Application, kind: str, on: dt.date, actor) -> RecoveryCase:
    """Open (or re-label as fraud) the recovery case of a locked application."""
    case = RecoveryCase.objects.select_for_update().filter(application=app).first()
    if case is None:
        case = RecoveryCase.objects.create(application=app, kind=kind, opened_on=on)
        audit.record(actor, "bridge.recovery.open", case, summary={"application": app.pk, "kind": kind})
    elif kind == CaseKind.FRAUD and case.kind != CaseKind.FRAUD:
        case.kind = CaseKind.FRAUD
        case.save(update_fields=["kind"])
        audit.record(actor, "bridge.recovery.relabel", case, summary={"after": {"kind": kind}})
    return case


def mark_overdue(fund: Fund, today: dt.date) -> int:
    """Loans still open after their last allowed day become overdue; a recovery case opens (第十三条)."""
    n = 0
    overdue = Application.objects.select_for_update(of=("self",)).select_related("applicant", "bank").filter(
        status=AppStatus.DISBURSED, due_date__lt=today).order_by("pk")
    for app in overdue:
        app.status, app.overdue_since = AppStatus.OVERDUE, app.due_date + dt.timedelta(days=1)
        app.save(update_fields=["status", "overdue_since"])
        audit.record(SYSTEM, "bridge.loan.overdue", app, summary={
            "before": {"status": AppStatus.DISBURSED}, "after": {"status": app.status},
            "due_date": app.due_date, "outstanding_fen": app.outstanding_fen})
        open_recovery_case(app, CaseKind.OVERDUE, today, SYSTEM)
        body = (f"业务 {app.number} 约定还款日 {app.due_date.isoformat()} 已过，未还本金 {format_yuan(app.outstanding_fen)}。"
                f"自 {app.overdue_since.isoformat()} 起按年利率 {app.penalty_annual_rate} 计收违约金（第十七条）。")
        notify(app.applicant, f"过桥资金 {app.number} 已逾期", body + "请立即归还。", obj=app, kind="bridge.overdue")
        bank_body = body
        if app.mode == Mode.ENTRUSTED:
            bank_body += "贵行对本金及占用费承担连带赔偿责任（第六条）。"
        if not app.renewed_on:
            bank_body += "贵行尚未登记续贷发放，未履行续贷承诺的，管理机构可暂停合作（第二十条）。"
        notify(app.bank, f"过桥资金 {app.number} 已逾期", bank_body, obj=app, kind="bridge.overdue")
        manager_body = body + "已自动立案，请提出追偿方案（第十三条）。"
        if not app.renewed_on:
            manager_body += f"{app.bank.name}尚未登记续贷，可依第二十条暂停与该行合作。"
        notify(fund.manager, f"过桥资金 {app.number} 逾期", manager_body, obj=app, kind="bridge.overdue")
        n += 1
    return n


def set_recovery_plan(actor, case_id: int, *, plan: str) -> RecoveryCase:
    """提出追偿方案 (第十三条)."""
    fund = require_fund()
    require_manager_org(actor, fund)
    plan = inputs.text(plan, "plan", "追偿方案", max_length=5000)
    with transaction.atomic():
        case = RecoveryCase.objects.select_for_update().select_related("application").filter(pk=case_id).first()
        if case is None:
            raise NotFound("追偿案件不存在")
        if case.status == CaseStatus.RECOVERED:
            raise DomainError("case_closed", "该追偿案件已结案")
        before = case.status
        case.plan, case.plan_by, case.plan_at, case.status = plan, actor, timezone.now(), CaseStatus.IN_PROGRESS
        case.save(update_fields=["plan", "plan_by", "plan_at", "status"])
        audit.record(actor, "bridge.recovery.plan", case, summary={"before": {"status": before}, "after": {"status": case.status}, "plan": plan[:500]})
        notify_bureau(fund, f"{case.application.number} 追偿方案", plan[:500], obj=case, kind="bridge.recovery")
        return case


def add_recovery_action(actor, case_id: int, *, taken_on: dt.date, description: str, on: dt.date | None = None) -> RecoveryAction:
    """落实追偿措施 (第十三条): one dated entry per measure taken."""
    today = inputs.today(on)
    fund = require_fund()
    require_manager_org(actor, fund)
    inputs.date(taken_on, "taken_on", "日期")
    if taken_on > today:
        raise DomainError("future_date", "日期不能晚于今天", "taken_on")
    description = inputs.text(description, "description", "追偿措施", max_length=500)
    with transaction.atomic():
        case = RecoveryCase.objects.select_for_update().filter(pk=case_id).first()
        if case is None:
            raise NotFound("追偿案件不存在")
        if case.status == CaseStatus.RECOVERED:
            raise DomainError("case_closed", "该追偿案件已结案")
        if not case.plan:
            raise DomainError("plan_required", "请先提出追偿方案（第十三条）", "description")
        action = RecoveryAction.objects.create(case=case, taken_on=taken_on, description=description, recorded_by=actor)
        audit.record(actor, "bridge.recovery.action", case, summary={"taken_on": taken_on, "description": description})
        return action


def declare_fraud(actor, app_id: int, *, findings: str, legal_referral: str = "", on: dt.date | None = None) -> FraudFinding:
    """虚报、瞒报、骗取: recover the money, report to the bureau, ban for 5 years (第十七条)."""
    today = inputs.today(on)
    fund = require_fund()
    require_manager_org(actor, fund, head=True)
    findings = inputs.text(findings, "findings", "认定事实", max_length=5000)
    legal_referral = inputs.text(legal_referral, "legal_referral", "法律责任追究/移送说明", max_length=5000, required=False)
    with transaction.atomic():
        fund = lock_fund()
        app = lock_application(app_id)
        if app.status == AppStatus.WITHDRAWN:
            raise status_error(app, "认定骗取")
        if app.fraud_findings.exists():
            raise DomainError("already_declared", "该业务已作出骗取认定")
        before = app.status
        until = ban_last_day(today)
        finding = FraudFinding.objects.create(organisation=app.applicant, application=app, findings=findings, legal_referral=legal_referral,
                                              declared_on=today, banned_until=until, declared_by=actor)
        case = None
        if app.status in LIVE_LOAN_STATUSES:
            app.status = AppStatus.RECOVERY
            case = open_recovery_case(app, CaseKind.FRAUD, today, actor)
            case.reported_to_bureau_at = timezone.now()
            case.save(update_fields=["reported_to_bureau_at"])
        elif app.status in PIPELINE_STATUSES:
            app.status, app.closed_by, app.closed_reason = AppStatus.REJECTED, actor, "认定虚报、瞒报或骗取续贷过桥资金"
        app.save()
        audit.record(actor, "bridge.fraud.declare", app, summary={"before": {"status": before}, "after": {"status": app.status},
                                                                   "finding": finding.pk, "banned_until": until, "findings": findings[:500],
                                                                   "legal_referral": legal_referral[:500]})
        notify_bureau(fund, f"骗取续贷过桥资金认定：{app.applicant.name}",
                      f"业务 {app.number}，未还本金 {format_yuan(app.outstanding_fen if app.is_disbursed else 0)}。认定事实：{findings[:200]}。"
                      f"已启动追缴程序，请市财政局开展追偿（第十七条）。{('移送说明：' + legal_referral[:200]) if legal_referral else ''}",
                      obj=finding, kind="bridge.fraud")
        notify(app.applicant, "续贷过桥资金骗取认定通知",
               f"经认定，贵单位在业务 {app.number} 中存在虚报、瞒报或骗取续贷过桥资金行为，至 {until.isoformat()}（含当日）不再受理贵单位的申请；"
               "已启动追缴程序并依法追究法律责任（第十七条）。", obj=finding)
        if case is not None:
            notify(app.bank, f"{app.number} 已启动追缴", "借款人被认定骗取续贷过桥资金，请配合追缴。", obj=app)
            reevaluate_exposure(fund, actor, f"{app.number} 骗取追缴")
        return finding
