"""Application operations — from the SME's request to the bank's confirmation: the materials
checklist (第九条), submission (第八条、第十条), withdrawal, the review items, preparation and
approval by two different people, rejection, and the lending bank's confirmation or refusal.

Every action checks who is asking, validates (Chinese message naming the field), locks what it
changes (the fund row first, then applications by pk), writes, appends an audit event and
notifies — all in one ``transaction.atomic()``; a ``DomainError`` means nothing was changed.

``lock_application``, ``status_error``, ``bank_application`` and ``ban_error`` are also used by
the loan and recovery stages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied, Refusals
from liuzhuan.core.money import format_yuan
from liuzhuan.core.permissions import require_checker, require_role
from liuzhuan.core.roles import Role
from liuzhuan.members.actions import notify

from .. import inputs
from ..banks.queries import partner_bank
from ..fund.actions import (
    live_exposure_refusal,
    lock_fund,
    notify_bureau,
    notify_manager,
    require_bureau,
    require_manager_org,
)
from ..fund.queries import can_apply, lpr_table, require_fund
from ..fund.rules import locality_refusal
from ..models.application import (
    LIVE_LOAN_STATUSES,
    PIPELINE_STATUSES,
    Application,
    ApplicationCheck,
    AppStatus,
    CheckKind,
    ChecklistVersion,
    Classification,
    LoanType,
    Mode,
    SmeSize,
)
from ..models.fund import Fund, FundStatus
from ..models.recovery import FraudFinding
from ..rates.common import rate_str
from ..rates.fees import amount_reasons, check_days
from .materials import RawFile, check_material_files, store_materials
from .queries import active_ban, latest_filed_checklist, quote_for
from .rules import ELIGIBILITY_ITEMS, ELIGIBILITY_SHORT, compact_account, draw_window_refusal, overdue_refusal


def lock_application(pk: int) -> Application:
    app = Application.objects.select_for_update().filter(pk=pk).first()
    if app is None:
        raise NotFound("过桥资金业务不存在")
    return app


def status_error(app: Application, doing: str) -> DomainError:
    return DomainError("wrong_status", f"业务 {app.number} 当前状态为“{app.get_status_display()}”，不能{doing}", "status")


def bank_application(actor, app_id: int) -> Application:
    app = lock_application(app_id)
    if app.bank_id != actor.organisation_id:
        raise NotFound("过桥资金业务不存在")
    return app


def suspended_refusal(fund: Fund) -> DomainError:
    since = f"自 {timezone.localtime(fund.status_changed_at):%Y-%m-%d} 起" if fund.status_changed_at else ""
    return DomainError("fund_suspended",
                       f"续贷过桥资金业务{since}暂停（{fund.status_reason or '风险控制'}），暂停期间不受理新的申请；"
                       "风险敞口降至本金总额 30% 以下并经市财政局批准后恢复受理（第二十二条）")


def ban_error(ban: FraudFinding) -> DomainError:
    return DomainError("banned",
                       f"申请单位于 {ban.declared_on.isoformat()} 被认定虚报、瞒报或骗取续贷过桥资金，"
                       f"至 {ban.banned_until.isoformat()}（含当日）不予受理申请（第十七条：5 年内不再受理）")


# ---------------------------------------------------------------------------------------------
# Materials checklist and process (第九条)
# ---------------------------------------------------------------------------------------------


def create_checklist(actor, *, items: list[str], process: str) -> ChecklistVersion:
    fund = require_fund()
    require_manager_org(actor, fund, head=True)
    labels = [(str(i) or "").strip() for i in (items or [])]
    labels = [x for x in labels if x]
    if not labels:
        raise DomainError("items_required", "申请资料清单至少需要一项", "items")
    if len(labels) > 30:
        raise DomainError("too_many_items", "申请资料清单最多 30 项", "items")
    if len(set(labels)) != len(labels):
        raise DomainError("duplicate_items", "申请资料清单中有重复项", "items")
    for x in labels:
        if len(x) > 200:
            raise DomainError("too_long", f"资料“{x[:20]}…”超过 200 字", "items")
    process = inputs.text(process, "process", "业务流程规范", max_length=5000)
    with transaction.atomic():
        last = ChecklistVersion.objects.select_for_update().order_by("-version").first()
        version = (last.version if last else 0) + 1
        cl = ChecklistVersion.objects.create(
            version=version, items=[{"key": f"m{i}", "label": x} for i, x in enumerate(labels, start=1)],
            process=process, created_by=actor)
        audit.record(actor, "bridge.checklist.create", cl, summary={"version": version, "items": labels})
        return cl


def file_checklist(actor, checklist_id: int) -> ChecklistVersion:
    """报市财政局备案: from then on new applications use this version."""
    fund = require_fund()
    require_manager_org(actor, fund, head=True)
    with transaction.atomic():
        cl = ChecklistVersion.objects.select_for_update().filter(pk=checklist_id).first()
        if cl is None:
            raise NotFound("申请资料清单不存在")
        if cl.filed_at:
            raise DomainError("already_filed", f"第 {cl.version} 版已于 {timezone.localtime(cl.filed_at):%Y-%m-%d} 报备")
        cl.filed_by, cl.filed_at = actor, timezone.now()
        cl.save(update_fields=["filed_by", "filed_at"])
        audit.record(actor, "bridge.checklist.file", cl, summary={"version": cl.version})
        notify_bureau(fund, f"申请资料清单及业务流程规范第 {cl.version} 版报备",
                      f"{fund.manager.name}报备了第 {cl.version} 版申请资料清单（{len(cl.items)} 项）及业务流程规范（第九条）。", obj=cl)
        return cl


def acknowledge_checklist(actor, checklist_id: int) -> ChecklistVersion:
    fund = require_fund()
    require_bureau(actor, fund)
    with transaction.atomic():
        cl = ChecklistVersion.objects.select_for_update().filter(pk=checklist_id).first()
        if cl is None:
            raise NotFound("申请资料清单不存在")
        if not cl.filed_at:
            raise DomainError("not_filed", "该版本尚未报备")
        if cl.acknowledged_at:
            raise DomainError("already_acknowledged", "该版本已确认备案")
        cl.acknowledged_by, cl.acknowledged_at = actor, timezone.now()
        cl.save(update_fields=["acknowledged_by", "acknowledged_at"])
        audit.record(actor, "bridge.checklist.acknowledge", cl, summary={"version": cl.version})
        notify_manager(fund, f"申请资料清单第 {cl.version} 版已备案", "市财政局已确认备案。", obj=cl)
        return cl


# ---------------------------------------------------------------------------------------------
# Applications: submission, review (maker-checker), the bank's confirmation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationInput:
    bank_id: int
    sme_size: str
    original_contract_no: str
    original_loan_type: str
    original_due_fen: int
    original_due_date: dt.date
    classification: str
    loan_account: str
    renewal_approval_fen: int
    renewal_approval_no: str
    renewal_approval_date: dt.date
    amount_fen: int
    planned_days: int
    planned_draw_date: dt.date
    purpose_confirmed: bool
    #: eligibility item key -> evidence (证明材料/说明)
    evidence: dict[str, str] = field(default_factory=dict)
    #: materials checklist key -> note (材料名称/编号, optional)
    materials: dict[str, str] = field(default_factory=dict)
    #: materials checklist key -> files (name, content read with ``read_limited``); every item needs one
    files: dict[str, list[RawFile]] = field(default_factory=dict)


def require_applicant(actor) -> None:
    """Who may apply at all (the API asks before it reads the uploaded files)."""
    require_role(actor, Role.MEMBER)
    if not can_apply(actor):
        raise PermissionDenied("续贷过桥资金仅受理中小企业（会员企业）的申请", code="not_sme")


def submit_application(actor, data: ApplicationInput, *, on: dt.date | None = None) -> Application:
    """An SME applies (第八条 conditions, 第十条 use rules). Refused at once when a rule is broken."""
    today = inputs.today(on)
    require_applicant(actor)
    fund = require_fund()
    if fund.status != FundStatus.OPEN:  # 第二十二条: no new business while suspended (read again under lock below)
        raise suspended_refusal(fund)
    ban = active_ban(actor.organisation_id, today)
    if ban:
        raise ban_error(ban)
    org = actor.organisation
    refusal = locality_refusal(org.org_type, org.legal_id, fund.region_code, org.name)
    if refusal:
        raise DomainError("not_local", refusal)
    if latest_filed_checklist() is None:
        raise DomainError("no_checklist", "申请资料清单及业务流程规范尚未报市财政局备案，暂不受理申请（第九条）")
    values = _check_application(data, today)
    try:
        return _create_application(actor, data, today, *values)
    except IntegrityError as exc:  # a concurrent submission for the same contract won the unique index
        raise DomainError("duplicate", f"原贷款合同 {values[2]} 已有办理中的过桥资金业务", "original_contract_no") from exc


def _refuse_if(refusals: Refusals, refusal: str | None, code: str, field_name: str) -> None:
    if refusal:
        refusals.add(code, refusal, field_name)


def _check_application(data: ApplicationInput, today: dt.date) -> tuple:
    """Every rule an application's fields must meet, checked together: the member sees all that
    is wrong at once (``DomainErrors``, one error per rule naming its field), not one per attempt.
    Returns the cleaned values ``_create_application`` takes."""
    r = Refusals()
    if data.sme_size not in SmeSize.values:
        r.add("invalid_sme_size", "请选择企业类型（中型、小型、微型企业等，第三条）", "sme_size")
    bank, ag = r.check(partner_bank, data.bank_id, today) or (None, None)
    contract_no = r.check(inputs.text, data.original_contract_no, "original_contract_no", "原贷款合同编号", max_length=80)
    if data.original_loan_type not in LoanType.values:
        r.add("invalid_loan_type", "请选择原贷款种类", "original_loan_type")
    elif data.original_loan_type != LoanType.WORKING_CAPITAL:
        r.add("loan_type_excluded",
              f"原贷款为“{LoanType(data.original_loan_type).label}”：原贷款、续贷贷款仅限贷款银行自营的流动资金贷款，"
              "不含银行承兑汇票、委托贷款等（第十条（四））", "original_loan_type")
    due = r.check(inputs.fen, data.original_due_fen, "original_due_fen", "当期应清偿原贷款本金")
    due_date = r.check(inputs.date, data.original_due_date, "original_due_date", "原贷款到期日")
    if data.classification not in Classification.values:
        r.add("invalid_classification", "请选择原贷款五级分类", "classification")
    elif data.classification != Classification.NORMAL:
        r.add("classification_not_normal",
              f"原贷款五级分类为“{Classification(data.classification).label}”：原流动资金周转贷款须为正常类（第八条（三））",
              "classification")
    account = r.check(inputs.text, data.loan_account, "loan_account", "原贷款还款账户", max_length=60)
    approval = r.check(inputs.fen, data.renewal_approval_fen, "renewal_approval_fen", "续贷批复额度")
    approval_no = r.check(inputs.text, data.renewal_approval_no, "renewal_approval_no", "续贷批复文号", max_length=80)
    if r.check(inputs.date, data.renewal_approval_date, "renewal_approval_date", "续贷批复日期") and data.renewal_approval_date > today:
        r.add("future_date", "续贷批复日期不能晚于今天", "renewal_approval_date")
    amount = r.check(inputs.fen, data.amount_fen, "amount_fen", "申请金额")
    if amount is not None:
        for reason in amount_reasons(amount, due, approval):
            r.add("amount_over_limit", reason, "amount_fen")
    if isinstance(data.planned_days, bool) or not isinstance(data.planned_days, int) or data.planned_days < 1:
        r.add("invalid_days", "计划使用天数至少 1 天", "planned_days")
    else:
        _refuse_if(r, check_days(data.planned_days), "too_many_days", "planned_days")
    draw = r.check(inputs.date, data.planned_draw_date, "planned_draw_date", "计划提款日")
    if draw and draw < today:
        r.add("past_date", "计划提款日不能早于今天", "planned_draw_date")
    if due_date:
        _refuse_if(r, overdue_refusal(due_date, today), "original_overdue", "original_due_date")
    if due_date and draw and not r.failed("original_due_date") and not r.failed("planned_draw_date"):
        _refuse_if(r, draw_window_refusal(draw, due_date), "outside_draw_window", "planned_draw_date")
    if not data.purpose_confirmed:
        r.add("purpose_required", "须承诺续贷过桥资金仅用于还贷续贷应急周转，不用于其他任何事项（第十条（一））", "purpose_confirmed")
    checklist = latest_filed_checklist()
    evidence = {k: r.check(inputs.text, data.evidence.get(k, ""), f"evidence.{k}", f"申请条件“{ELIGIBILITY_SHORT[k]}”的证明材料",
                           max_length=500) for k, _ in ELIGIBILITY_ITEMS}
    materials = {item["key"]: r.check(inputs.text, data.materials.get(item["key"], ""), f"materials.{item['key']}.note",
                                      f"申请资料“{item['label']}”的说明", max_length=500, required=False) or ""
                 for item in checklist.items}
    files = check_material_files(r, checklist.items, data.files)
    r.raise_any()
    return bank, ag, contract_no, due, account, approval, approval_no, amount, checklist, evidence, materials, files


def _create_application(actor, data, today, bank, ag, contract_no, due, account, approval, approval_no, amount, checklist,
                        evidence, materials, files) -> Application:
    with transaction.atomic():
        fund = lock_fund()  # fund row first (lock order); a suspension committed meanwhile wins
        if fund.status != FundStatus.OPEN:
            raise suspended_refusal(fund)
        dup = Application.objects.select_for_update().filter(
            applicant_id=actor.organisation_id, original_contract_no=contract_no,
            status__in=[*PIPELINE_STATUSES, *LIVE_LOAN_STATUSES]).first()
        if dup:
            raise DomainError("duplicate", f"原贷款合同 {contract_no} 已有办理中的过桥资金业务 {dup.number}", "original_contract_no")
        app = Application.objects.create(
            applicant=actor.organisation, submitted_by=actor, submitted_on=today, checklist=checklist, sme_size=data.sme_size,
            bank=bank, agreement=ag, original_contract_no=contract_no, original_loan_type=data.original_loan_type,
            original_due_fen=due, original_due_date=data.original_due_date, classification=data.classification,
            loan_account=account, renewal_approval_fen=approval, renewal_approval_no=approval_no,
            renewal_approval_date=data.renewal_approval_date, amount_fen=amount, planned_days=data.planned_days,
            planned_draw_date=data.planned_draw_date, purpose_confirmed=True,
        )
        checks = [ApplicationCheck(application=app, kind=CheckKind.ELIGIBILITY, key=k, label=label, position=i, evidence=evidence[k])
                  for i, (k, label) in enumerate(ELIGIBILITY_ITEMS)]
        checks += [ApplicationCheck(application=app, kind=CheckKind.MATERIAL, key=item["key"], label=item["label"], position=i,
                                    evidence=materials[item["key"]]) for i, item in enumerate(checklist.items)]
        ApplicationCheck.objects.bulk_create(checks)
        audit.record(actor, "bridge.application.submit", app, summary={"after": {
            "bank": bank.name, "amount_fen": amount, "planned_days": data.planned_days, "contract": contract_no,
            "checklist_version": checklist.version}})
        store_materials(actor, app, files)
        notify_manager(fund, f"新的续贷过桥资金申请 {app.number}",
                       f"{actor.organisation.name}申请 {format_yuan(amount)}，{data.planned_days} 天，贷款银行 {bank.name}。", obj=app)
        return app


def withdraw_application(actor, app_id: int, reason: str = "") -> Application:
    require_role(actor, Role.MEMBER)
    reason = inputs.text(reason, "reason", "撤回原因", max_length=500, required=False)
    with transaction.atomic():
        app = lock_application(app_id)
        if app.applicant_id != actor.organisation_id:
            raise NotFound("过桥资金业务不存在")
        if app.status not in PIPELINE_STATUSES:
            raise status_error(app, "撤回")
        before = app.status
        app.status, app.closed_by, app.closed_reason = AppStatus.WITHDRAWN, actor, reason or "申请企业撤回"
        app.save(update_fields=["status", "closed_by", "closed_reason"])
        audit.record(actor, "bridge.application.withdraw", app, summary={"before": {"status": before}, "after": {"status": app.status}, "reason": reason})
        fund = require_fund()
        notify_manager(fund, f"申请 {app.number} 已撤回", reason or "申请企业撤回申请。", obj=app)
        return app


def review_check(actor, app_id: int, check_id: int, *, passed: bool, note: str = "") -> ApplicationCheck:
    """The manager's staff ticks one eligibility / materials item after looking at the evidence
    (the API's per-item path; the page ticks them all at once with ``review_checks``)."""
    return review_checks(actor, app_id, [CheckResult(check_id, passed, note)], single=True)[0]


@dataclass(frozen=True)
class CheckResult:
    check_id: int
    passed: bool
    note: str = ""


def review_checks(actor, app_id: int, results: list[CheckResult], *, single: bool = False) -> list[ApplicationCheck]:
    """The review of several items in one go, all or nothing: every item's input is checked first
    and all refusals are reported together (fields ``checks.<id>.passed`` / ``checks.<id>.note``;
    ``passed`` / ``note`` for a single item), then each item whose conclusion or note changed is
    saved with its own ``bridge.application.check`` audit event; the applicant gets one notice
    listing the items that did not pass."""
    fund = require_fund()
    require_manager_org(actor, fund)
    if not results:
        raise DomainError("no_checks", "请至少选择一个审核要点的结论", "checks")
    r = Refusals()
    notes = {}
    for res in results:
        prefix = "" if single else f"checks.{res.check_id}."
        if not isinstance(res.passed, bool):
            r.add("invalid_passed", "请选择审核结论（通过或不通过）", f"{prefix}passed")
            continue
        notes[res.check_id] = r.check(inputs.text, res.note, f"{prefix}note", "审核意见", max_length=300, required=not res.passed)
    if len({res.check_id for res in results}) != len(results):
        r.add("duplicate_checks", "同一审核要点只能给出一个结论", "checks")
    r.raise_any()
    with transaction.atomic():
        app = lock_application(app_id)
        if app.status != AppStatus.SUBMITTED:
            raise status_error(app, "审核申请条件")
        wanted = sorted(res.check_id for res in results)
        checks = {c.pk: c for c in ApplicationCheck.objects.select_for_update().filter(pk__in=wanted, application=app).order_by("pk")}
        if len(checks) != len(wanted):
            raise NotFound("审核要点不存在")
        now, failed, done = timezone.now(), [], []
        for res in results:
            check, note = checks[res.check_id], notes[res.check_id]
            done.append(check)
            before = check.passed
            if before is res.passed and check.review_note == note and check.reviewed_by_id is not None and not single:
                continue  # unchanged: no new review, no event
            check.passed, check.review_note, check.reviewed_by, check.reviewed_at = res.passed, note, actor, now
            check.save(update_fields=["passed", "review_note", "reviewed_by", "reviewed_at"])
            audit.record(actor, "bridge.application.check", app, summary={"check": check.key, "kind": check.kind,
                                                                           "before": before, "after": res.passed, "note": note})
            if not res.passed:
                what = ELIGIBILITY_SHORT.get(check.key, check.label) if check.kind == CheckKind.ELIGIBILITY else f"申请资料“{check.label}”"
                failed.append(f"{what}：{note}")
        if failed:
            notify(app.applicant, f"过桥资金申请 {app.number} 审核意见", "；".join(failed) + "。请与管理机构联系补充说明。", obj=app)
        return done


def prepare(actor, app_id: int, *, mode: str, note: str = "", on: dt.date | None = None) -> Application:
    """经办初审 (maker): every item ticked as passed; mode chosen; rules checked with a quote."""
    today = inputs.today(on)
    fund = require_fund()
    require_manager_org(actor, fund)
    if mode not in Mode.values:
        raise DomainError("invalid_mode", "业务模式只能是自营或委托银行", "mode")
    note = inputs.text(note, "note", "初审意见", max_length=500, required=False)
    with transaction.atomic():
        app = lock_application(app_id)
        if app.status != AppStatus.SUBMITTED:
            raise status_error(app, "初审")
        missing = [ELIGIBILITY_SHORT.get(c.key, c.label) if c.kind == CheckKind.ELIGIBILITY else f"申请资料“{c.label}”"
                   for c in app.checks.all() if c.passed is not True]
        if missing:
            raise DomainError("checks_incomplete", "以下审核要点尚未确认通过：" + "；".join(missing))
        ban = active_ban(app.applicant_id, today)
        if ban:
            raise ban_error(ban)
        partner_bank(app.bank_id, today, None)
        if mode == Mode.ENTRUSTED and not app.agreement.entrusted_allowed:
            raise DomainError("entrusted_not_allowed", f"与{app.bank.name}的合作协议未约定委托办理本行续贷过桥资金业务（第六条）", "mode")
        q = quote_for(app, fund, max(app.planned_draw_date, today), mode, lpr_table())
        if not q.allowed:
            raise DomainError("quote_refused", "；".join(q.reasons), "mode")
        app.status, app.mode = AppStatus.PREPARED, mode
        app.prepared_by, app.prepared_at, app.prepare_note = actor, timezone.now(), note
        app.save(update_fields=["status", "mode", "prepared_by", "prepared_at", "prepare_note"])
        audit.record(actor, "bridge.application.prepare", app, summary={
            "before": {"status": AppStatus.SUBMITTED}, "after": {"status": app.status, "mode": mode},
            "quote": {"days": q.days, "fee_fen": q.fee_fen, "daily_rate": rate_str(q.daily_rate)}, "note": note})
        notify_manager(fund, f"申请 {app.number} 待复核", f"经办人 {actor} 已初审通过，请另一名负责人复核。", obj=app)
        return app


def approve(actor, app_id: int, *, note: str = "", on: dt.date | None = None) -> Application:
    """负责人复核 (checker): a different user from the preparer; not while the business is suspended,
    with the 30 % line checked live (第二十二条, ``live_exposure_refusal``)."""
    today = inputs.today(on)
    fund = require_fund()
    require_manager_org(actor, fund, head=True)
    note = inputs.text(note, "note", "复核意见", max_length=500, required=False)
    with transaction.atomic():
        fund = lock_fund()
        app = lock_application(app_id)
        if app.status != AppStatus.PREPARED:
            raise status_error(app, "复核")
        require_checker(app.prepared_by_id, actor)
        refusal = live_exposure_refusal(fund, actor, "审批", today)
        if refusal is None:
            return _approve(actor, app, note, today)
    raise refusal  # after the commit: a suspension made by the live check stays


def _approve(actor, app: Application, note: str, today: dt.date) -> Application:
    """The approval itself, inside ``approve``'s transaction with the fund and the application locked."""
    ban = active_ban(app.applicant_id, today)
    if ban:
        raise ban_error(ban)
    app.status, app.approved_by, app.approved_at, app.approve_note = AppStatus.APPROVED, actor, timezone.now(), note
    app.save(update_fields=["status", "approved_by", "approved_at", "approve_note"])
    audit.record(actor, "bridge.application.approve", app, summary={"before": {"status": AppStatus.PREPARED},
                                                                     "after": {"status": app.status}, "prepared_by": app.prepared_by_id})
    notify(app.bank, f"续贷过桥资金业务 {app.number} 待银行确认",
           f"{app.applicant.name}原贷款合同 {app.original_contract_no}，过桥金额 {format_yuan(app.amount_fen)}。"
           "请确认正在办理续贷手续并同意续贷，核对续贷批复额度和原贷款到期日，确认原贷款在本行的还款账户，"
           "并确定过桥资金使用天数（第八条（四）、第十条）。", obj=app)
    notify(app.applicant, f"过桥资金申请 {app.number} 已审批通过", "待贷款银行确认续贷后放款。", obj=app)
    return app


def reject_application(actor, app_id: int, *, reason: str) -> Application:
    fund = require_fund()
    require_manager_org(actor, fund)
    reason = inputs.text(reason, "reason", "不通过原因", max_length=500)
    with transaction.atomic():
        app = lock_application(app_id)
        if app.status not in PIPELINE_STATUSES:
            raise status_error(app, "退回")
        before = app.status
        app.status, app.closed_by, app.closed_reason = AppStatus.REJECTED, actor, reason
        app.save(update_fields=["status", "closed_by", "closed_reason"])
        audit.record(actor, "bridge.application.reject", app, summary={"before": {"status": before}, "after": {"status": app.status}, "reason": reason})
        notify(app.applicant, f"过桥资金申请 {app.number} 未通过", reason, obj=app)
        if before in (AppStatus.APPROVED, AppStatus.CONFIRMED):
            notify(app.bank, f"过桥资金业务 {app.number} 已终止", reason, obj=app)
        return app


def bank_confirm(actor, app_id: int, *, renewal_approval_fen: int, renewal_approval_no: str, renewal_approval_date: dt.date,
                 renewal_in_progress: bool, classification: str, confirmed_account: str, term_days: int,
                 original_due_date: dt.date, note: str = "", on: dt.date | None = None) -> Application:
    """The lending bank confirms the renewal is under way, its approval amount and the loan's class,
    and fixes what only it knows: the original loan's due date, the loan's repayment account at
    this bank (the only account the money may go to, 第十条（一）) and the days the bridge runs
    (第十条（二）「具体由续贷银行自行确定」, at most 10 including the draw and repayment days)."""
    today = inputs.today(on)
    require_role(actor, Role.BANK)
    approval = inputs.fen(renewal_approval_fen, "renewal_approval_fen", "续贷批复额度")
    approval_no = inputs.text(renewal_approval_no, "renewal_approval_no", "续贷批复文号", max_length=80)
    inputs.date(renewal_approval_date, "renewal_approval_date", "续贷批复日期")
    account = compact_account(inputs.text(confirmed_account, "confirmed_account", "原贷款在本行的还款账户", max_length=60))
    if isinstance(term_days, bool) or not isinstance(term_days, int) or term_days < 1:
        raise DomainError("invalid_days", "使用天数至少 1 天", "term_days")
    refusal = check_days(term_days)
    if refusal:
        raise DomainError("too_many_days", refusal, "term_days")
    inputs.date(original_due_date, "original_due_date", "原贷款到期日")
    note = inputs.text(note, "note", "银行意见", max_length=500, required=False)
    with transaction.atomic():
        app = bank_application(actor, app_id)
        if app.status != AppStatus.APPROVED and not app.awaits_bank_terms:
            raise status_error(app, "确认")
        if renewal_approval_date > today:
            raise DomainError("future_date", "续贷批复日期不能晚于今天", "renewal_approval_date")
        if renewal_in_progress is not True:
            raise DomainError("renewal_not_confirmed", "银行须确认正在办理续贷手续并同意给予续贷（第八条（四））；不同意续贷请选择“不予确认”",
                              "renewal_in_progress")
        if classification != Classification.NORMAL:
            raise DomainError("classification_not_normal", "原流动资金周转贷款须为正常类（第八条（三））；否则请选择“不予确认”", "classification")
        refusal = overdue_refusal(original_due_date, today)
        if refusal:
            raise DomainError("original_overdue", refusal, "original_due_date")
        reasons = amount_reasons(app.amount_fen, app.original_due_fen, approval)
        if reasons:
            raise DomainError("amount_over_limit", reasons[0], "renewal_approval_fen")
        before = {"status": app.status, "renewal_approval_fen": app.renewal_approval_fen, "renewal_approval_no": app.renewal_approval_no,
                  "original_due_date": app.original_due_date, "loan_account": app.loan_account, "planned_days": app.planned_days}
        app.renewal_approval_fen, app.renewal_approval_no, app.renewal_approval_date = approval, approval_no, renewal_approval_date
        app.renewal_in_progress, app.classification = True, Classification.NORMAL
        app.original_due_date, app.confirmed_account, app.term_days = original_due_date, account, term_days
        app.status, app.bank_confirmed_by, app.bank_confirmed_at, app.bank_note = AppStatus.CONFIRMED, actor, timezone.now(), note
        app.save()
        audit.record(actor, "bridge.application.bank_confirm", app, summary={"before": before, "after": {
            "status": app.status, "renewal_approval_fen": approval, "renewal_approval_no": approval_no,
            "original_due_date": original_due_date, "confirmed_account": account, "term_days": term_days}})
        fund = require_fund()
        terms = (f"原贷款 {original_due_date.isoformat()} 到期；过桥资金只能划入原贷款还款账户 {account}，"
                 f"使用 {term_days} 天（含提款日及还款日）。")
        notify_manager(fund, f"{app.bank.name}已确认 {app.number}", "银行已确认正在办理续贷并同意续贷，可以放款。" + terms, obj=app)
        notify(app.applicant, f"贷款银行已确认 {app.number}", "银行已确认续贷，待管理机构放款。" + terms, obj=app)
        return app


def bank_decline(actor, app_id: int, *, reason: str) -> Application:
    require_role(actor, Role.BANK)
    reason = inputs.text(reason, "reason", "不予确认的原因", max_length=500)
    with transaction.atomic():
        app = bank_application(actor, app_id)
        if app.status != AppStatus.APPROVED:
            raise status_error(app, "确认")
        app.status, app.closed_by, app.closed_reason, app.bank_note = AppStatus.REJECTED, actor, f"银行不予确认：{reason}", reason
        app.save(update_fields=["status", "closed_by", "closed_reason", "bank_note"])
        audit.record(actor, "bridge.application.bank_decline", app, summary={"before": {"status": AppStatus.APPROVED}, "after": {"status": app.status}, "reason": reason})
        fund = require_fund()
        notify_manager(fund, f"{app.bank.name}不予确认 {app.number}", reason, obj=app)
        notify(app.applicant, f"过桥资金申请 {app.number} 未获银行确认", reason, obj=app)
        return app
