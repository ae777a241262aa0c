"""Bridge fund business operations — the only code that changes bridge state.

Every function: checks who is asking, validates (``DomainError`` with a Chinese message naming
the field), locks what it changes (``select_for_update``; the fund row first, then applications
by pk), writes, appends an audit event and notifies — all in one ``transaction.atomic()``.
A ``DomainError`` means nothing was changed. Article numbers refer to 桐城市中小企业续贷过桥资金
管理办法; the pure rules (days, fee, caps, penalty, exposure, turnover) come from ``rates.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied
from liuzhuan.core.money import DEFAULT_CEILING_FEN, format_yuan
from liuzhuan.core.permissions import require_checker, require_manager, require_role
from liuzhuan.core.roles import Role
from liuzhuan.members.actions import notice, notify, notify_all
from liuzhuan.members.models import Organisation, OrgStatus

from . import queries, rates
from .models import (
    LIVE_LOAN_STATUSES,
    PIPELINE_STATUSES,
    AgreementChangeArticle,
    AgreementStatus,
    AgreementStatusChange,
    Application,
    ApplicationCheck,
    AppStatus,
    BankAgreement,
    CaseKind,
    CaseStatus,
    CheckKind,
    ChecklistVersion,
    Classification,
    DayBasis,
    DepositInterest,
    FraudFinding,
    Fund,
    FundStatus,
    FundStatusChange,
    LoanType,
    LprRate,
    Mode,
    PayerKind,
    PrincipalChange,
    PrincipalKind,
    QuarterlyReport,
    RateSetting,
    RecoveryAction,
    RecoveryCase,
    Remittance,
    Repayment,
    ReportStatus,
    RequestStatus,
    ResumeRequest,
    SmeSize,
)

#: actor name on events written by the daily job
SYSTEM = "system:bridge-daily"
#: 第十七条: 5 年内不再受理
BAN_YEARS = 5
#: LPR quotes under the new mechanism start on this date
LPR_REFORM_DATE = dt.date(2019, 8, 20)

#: Article 8 (with Art. 3 on who counts as an SME): each item needs evidence and a reviewer's tick
ELIGIBILITY_ITEMS: list[tuple[str, str]] = [
    ("sme", "属于《中小企业划型标准规定》的中型、小型、微型企业或个体工商户、小微企业主、涉农组织等（第三条）"),
    ("registered", "在本市工商注册登记，具有独立法人资格，依法纳税（第八条（一））"),
    ("industry", "符合产业政策和环境保护标准，生产经营正常，具有持续经营能力，积极吸纳就业（第八条（二））"),
    ("credit", "财务状况良好、信用记录完整，无挪用贷款、欠款欠息等不良行为；原流动资金周转贷款为正常类（第八条（三））"),
    ("hardship", "确实存在流动资金困难，贷款银行确认正在办理续贷手续并同意给予续贷（第八条（四））"),
]

#: short names for messages
ELIGIBILITY_SHORT = {
    "sme": "中小企业划型（第三条）",
    "registered": "注册登记及依法纳税（第八条（一））",
    "industry": "产业政策及持续经营（第八条（二））",
    "credit": "信用状况及原贷款为正常类（第八条（三））",
    "hardship": "流动资金困难及银行同意续贷（第八条（四））",
}

DEFAULT_MATERIALS = [
    "过桥资金申请书",
    "营业执照、法定代表人身份证明",
    "近一年财务报表及纳税证明",
    "原贷款合同及借据",
    "贷款银行续贷批复（审批通知书）",
    "企业征信报告",
]


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _today(on: dt.date | None) -> dt.date:
    return on or today_china()


def add_years(day: dt.date, years: int) -> dt.date:
    """Same month and day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _text(value, field_name: str, label: str, *, max_length: int, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise DomainError("required", f"请填写{label}", field_name)
    if len(text) > max_length:
        raise DomainError("too_long", f"{label}不能超过 {max_length} 个字", field_name)
    return text


def _fen(value, field_name: str, label: str, *, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError("invalid_amount", f"{label}必须是以分为单位的整数", field_name)
    if value < 0 or (value == 0 and not allow_zero):
        raise DomainError("invalid_amount", f"{label}必须大于零" if not allow_zero else f"{label}不能为负数", field_name)
    if value > DEFAULT_CEILING_FEN:
        raise DomainError("amount_too_large", f"{label}超过上限 {format_yuan(DEFAULT_CEILING_FEN)}", field_name)
    return value


def _date(value, field_name: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise DomainError("invalid_date", f"{label}格式不正确，应为 YYYY-MM-DD", field_name)
    return value


def _decimal(value, field_name: str, label: str, *, places: int) -> Decimal:
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError("invalid_rate", f"{label}“{value}”不是有效的数字", field_name) from None
    if not d.is_finite():
        raise DomainError("invalid_rate", f"{label}“{value}”不是有效的数字", field_name)
    if d.as_tuple().exponent < -places and d != d.quantize(Decimal(1).scaleb(-places)):
        raise DomainError("too_precise", f"{label}最多保留 {places} 位小数", field_name)
    return d


def _fund_locked() -> Fund:
    fund = Fund.objects.select_for_update().filter(pk=1).first()
    if fund is None:
        raise DomainError("no_fund", "续贷过桥资金尚未设立，请市财政局先设立资金")
    return fund


def _fund() -> Fund:
    fund = queries.get_fund()
    if fund is None:
        raise DomainError("no_fund", "续贷过桥资金尚未设立，请市财政局先设立资金")
    return fund


def _require_manager_org(actor, fund: Fund, *, head: bool = False) -> None:
    """A user of the fund's manager organisation; ``head``: its 负责人 (manager position)."""
    require_role(actor, Role.FUND_MANAGER)
    if actor.organisation_id != fund.manager_id:
        raise PermissionDenied("您所在机构不是本续贷过桥资金的管理机构", code="not_fund_manager")
    if head:
        require_manager(actor)


def _require_bureau(actor, fund: Fund) -> None:
    require_role(actor, Role.BUREAU)
    if actor.organisation_id != fund.bureau_id:
        raise PermissionDenied("您所在机构不是本续贷过桥资金的出资财政部门", code="not_fund_bureau")


def _locked_app(pk: int) -> Application:
    app = Application.objects.select_for_update().filter(pk=pk).first()
    if app is None:
        raise NotFound("过桥资金业务不存在")
    return app


def _status_error(app: Application, doing: str) -> DomainError:
    return DomainError("wrong_status", f"业务 {app.number} 当前状态为“{app.get_status_display()}”，不能{doing}", "status")


def _fund_open(fund: Fund, doing: str) -> None:
    if fund.status != FundStatus.OPEN:
        raise DomainError(
            "fund_suspended",
            f"续贷过桥资金业务已暂停（{fund.status_reason or '风险控制'}），暂停期间不能{doing}；"
            "风险敞口降至本金总额 30% 以下并经市财政局批准后方可恢复（第二十二条）",
        )


def _manager_notify(fund: Fund, title: str, body: str, obj=None, kind: str = "bridge") -> None:
    notify(fund.manager, title, body, obj=obj, kind=kind)


def _bureau_notify(fund: Fund, title: str, body: str, obj=None, kind: str = "bridge") -> None:
    notify(fund.bureau, title, body, obj=obj, kind=kind)


def _app_snapshot(app: Application) -> dict:
    return {
        "status": app.status,
        "amount_fen": app.amount_fen,
        "principal_repaid_fen": app.principal_repaid_fen,
        "fee_paid_fen": app.fee_paid_fen,
        "penalty_paid_fen": app.penalty_paid_fen,
    }


# ---------------------------------------------------------------------------------------------
# Exposure switch (第二十二条)
# ---------------------------------------------------------------------------------------------


def _figures(exp) -> str:
    return f"风险本金 {format_yuan(exp.at_risk_fen)}，本金总额 {format_yuan(exp.principal_fen)}，风险敞口 {exp.percent}"


def _oversight_notify(fund: Fund, titles: tuple[str, str], body: str, obj, kind: str = "bridge.risk") -> None:
    """The same risk notice to the bureau and the manager (titles in that order)."""
    notify_all([notice(fund.bureau_id, titles[0], body, obj=obj, kind=kind), notice(fund.manager_id, titles[1], body, obj=obj, kind=kind)])


def _track_warning(fund: Fund, exp, actor, reason: str) -> None:
    """预警制度 (第二十二条): one warning when exposure reaches the bureau's warning line, one notice
    when it falls back below it. ``fund`` must be locked by the caller.

    At or above the 30 % halt line the suspension (automatic, or the bureau's own) is the warning,
    so no second notice is sent; the warning is still recorded, so it is not raised again on the
    way down.
    """
    at_warning = exp.at_warning(fund.warn_percent)
    if at_warning == (fund.warning_since is not None):
        return
    fund.warning_since = timezone.now() if at_warning else None
    fund.save(update_fields=["warning_since"])
    if not at_warning:
        _oversight_notify(fund, ("风险预警解除", "风险预警解除"),
                          f"{_figures(exp)}，已降至预警线 {fund.warn_percent}% 以下，风险预警解除。", obj=fund)
    elif not exp.breached:
        _oversight_notify(fund, ("风险预警：续贷过桥资金风险敞口达到预警线", "风险预警：风险敞口达到预警线"), (
            f"{_figures(exp)}，已达到市财政局设定的预警线 {fund.warn_percent}%（业务暂停线为 30%）。请管理机构加强贷后管理和逾期催收，"
            "及时向市财政局报告风险处置情况（第二十二条）。"), obj=fund)
    audit.record(actor, "bridge.fund.risk_warning" if at_warning else "bridge.fund.risk_warning_cleared", fund, summary={
        "at_risk_fen": exp.at_risk_fen, "principal_fen": exp.principal_fen, "exposure": exp.percent,
        "warn_percent": fund.warn_percent, "trigger": reason})


def set_warning_level(actor, warn_percent, note: str = "") -> Fund:
    """The bureau sets the warning line (预警线) below the 30 % halt line; the position is re-checked at once."""
    fund = _fund()
    _require_bureau(actor, fund)
    value = _decimal(warn_percent, "warn_percent", "预警线", places=0)
    if not 1 <= value < rates.SUSPEND_THRESHOLD_PERCENT:
        raise DomainError("invalid_warn_percent", f"预警线应在 1% 至 {rates.SUSPEND_THRESHOLD_PERCENT - 1}% 之间（低于 30% 的暂停线）", "warn_percent")
    value = int(value)
    note = _text(note, "note", "说明", max_length=200, required=False)
    with transaction.atomic():
        fund = _fund_locked()
        before = fund.warn_percent
        if value == before:
            return fund
        fund.warn_percent = value
        fund.save(update_fields=["warn_percent"])
        _manager_notify(fund, "风险预警线调整", f"市财政局将续贷过桥资金风险预警线由 {before}% 调整为 {value}%（暂停线 30% 不变）。{note}", obj=fund)
        audit.record(actor, "bridge.fund.warn_level", fund, summary={"before": before, "after": value, "note": note})
        reevaluate_exposure(fund, actor, f"预警线调整为 {value}%")
        return fund


def reevaluate_exposure(fund: Fund, actor, reason: str) -> bool:
    """Suspend the business when exposure reaches 30 %, and raise or clear the early warning.
    ``fund`` must be locked by the caller.

    Never resumes by itself: that needs exposure below 30 % *and* the bureau's approval
    (``decide_resume``). Returns True when it suspended.
    """
    exp = queries.exposure(fund)
    suspend = fund.status == FundStatus.OPEN and exp.breached
    if suspend:
        before = fund.status
        fund.status = FundStatus.SUSPENDED
        fund.status_reason = f"风险敞口 {exp.percent} 达到本金总额 30%，自动暂停业务"
        fund.status_changed_at = timezone.now()
        fund.save(update_fields=["status", "status_reason", "status_changed_at"])
        change = FundStatusChange.objects.create(
            from_status=before, to_status=fund.status, reason=f"{fund.status_reason}（{reason}）",
            at_risk_fen=exp.at_risk_fen, principal_fen=exp.principal_fen,
            decided_by=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(actor, "bridge.fund.auto_suspend", fund, summary={
            "before": {"status": before}, "after": {"status": fund.status},
            "at_risk_fen": exp.at_risk_fen, "principal_fen": exp.principal_fen, "exposure": exp.percent, "trigger": reason,
        })
        _oversight_notify(fund, ("风险预警：续贷过桥资金业务已暂停", "续贷过桥资金业务已自动暂停"), (
            f"{_figures(exp)}，已达到本金总额 30%。续贷过桥资金业务已自动暂停（不再审批和放款），"
            "待风险敞口降至 30% 以下后经市财政局批准方可恢复（第二十二条）。"), obj=change)
    _track_warning(fund, exp, actor, reason)
    return suspend


# ---------------------------------------------------------------------------------------------
# Fund set-up and the bureau's powers
# ---------------------------------------------------------------------------------------------


def establish_fund(actor, *, name: str, manager_org_id: int, established_on: dt.date,
                   annual_turnover_target: Decimal = Decimal("0")) -> Fund:
    """市财政局出资设立并委托管理机构管理 (第五条). Once per deployment."""
    require_role(actor, Role.BUREAU)
    name = _text(name, "name", "资金名称", max_length=100)
    _date(established_on, "established_on", "设立日期")
    target = _decimal(annual_turnover_target, "annual_turnover_target", "年度周转率目标", places=2)
    if target < 0 or target >= 10000:
        raise DomainError("invalid_target", "年度周转率目标应在 0 至 9999.99 次之间", "annual_turnover_target")
    with transaction.atomic():
        if Fund.objects.select_for_update().filter(pk=1).exists():
            raise DomainError("fund_exists", "续贷过桥资金已设立")
        manager = Organisation.objects.filter(pk=manager_org_id).first()
        if manager is None or not manager.has_role(Role.FUND_MANAGER) or manager.status != OrgStatus.ACTIVE:
            raise DomainError("invalid_manager", "受托管理机构须为状态正常的过桥资金管理机构", "manager_org_id")
        fund = Fund.objects.create(
            pk=1, name=name, bureau=actor.organisation, manager=manager, established_on=established_on,
            annual_turnover_target=target,
        )
        audit.record(actor, "bridge.fund.establish", fund, summary={"after": {
            "name": name, "manager": manager.name, "established_on": established_on, "target": str(target)}})
        notify(manager, "受托管理续贷过桥资金", f"{actor.organisation.name}设立“{name}”并委托贵单位管理（第五条）。", obj=fund)
        return fund


def change_principal(actor, *, kind: str, amount_fen: int, effective_on: dt.date, document_no: str,
                     note: str = "", on: dt.date | None = None) -> PrincipalChange:
    """Bureau contribution (出资) or withdrawal (调回). The manager cannot block it (第十一条)."""
    today = _today(on)
    fund = _fund()
    _require_bureau(actor, fund)
    if kind not in PrincipalKind.values:
        raise DomainError("invalid_kind", "本金变动类型只能是财政出资或财政调回", "kind")
    amount = _fen(amount_fen, "amount_fen", "金额")
    _date(effective_on, "effective_on", "生效日期")
    document_no = _text(document_no, "document_no", "文件/凭证号", max_length=100)
    note = _text(note, "note", "说明", max_length=300, required=False)
    if effective_on > today:
        raise DomainError("future_date", "生效日期不能晚于今天", "effective_on")
    if effective_on < fund.established_on:
        raise DomainError("before_fund", f"生效日期不能早于资金设立日期 {fund.established_on.isoformat()}", "effective_on")
    with transaction.atomic():
        fund = _fund_locked()
        last = PrincipalChange.objects.aggregate(m=Max("effective_on"))["m"]
        if last and effective_on < last:
            raise DomainError("out_of_order", f"生效日期不能早于最近一次本金变动日期 {last.isoformat()}", "effective_on")
        before = fund.principal_fen
        if kind == PrincipalKind.WITHDRAW and amount > before:
            raise DomainError("withdraw_exceeds", f"调回金额 {format_yuan(amount)} 超过本金总额 {format_yuan(before)}", "amount_fen")
        after = before + amount if kind == PrincipalKind.CONTRIBUTE else before - amount
        change = PrincipalChange.objects.create(
            kind=kind, amount_fen=amount, effective_on=effective_on, principal_after_fen=after,
            document_no=document_no, note=note, recorded_by=actor,
        )
        fund.principal_fen = after
        fund.save(update_fields=["principal_fen"])
        audit.record(actor, f"bridge.principal.{kind}", change, summary={
            "before": {"principal_fen": before}, "after": {"principal_fen": after},
            "amount_fen": amount, "effective_on": effective_on, "document_no": document_no})
        label = PrincipalKind(kind).label
        _manager_notify(fund, f"续贷过桥资金本金变动：{label}",
                        f"{label} {format_yuan(amount)}（{document_no}），本金总额由 {format_yuan(before)} 变为 {format_yuan(after)}。"
                        "市财政局的资金调度权不受资金管理权对抗（第十一条）。", obj=change)
        reevaluate_exposure(fund, actor, f"本金{label}")
        return change


def set_turnover_target(actor, target, note: str = "") -> Fund:
    fund = _fund()
    _require_bureau(actor, fund)
    value = _decimal(target, "annual_turnover_target", "年度周转率目标", places=2)
    if value < 0 or value >= 10000:
        raise DomainError("invalid_target", "年度周转率目标应在 0 至 9999.99 次之间", "annual_turnover_target")
    with transaction.atomic():
        fund = _fund_locked()
        before = fund.annual_turnover_target
        fund.annual_turnover_target = value
        fund.save(update_fields=["annual_turnover_target"])
        audit.record(actor, "bridge.fund.target", fund, summary={"before": str(before), "after": str(value), "note": note})
        _manager_notify(fund, "年度资金周转率考核目标调整", f"年度周转率目标由 {before} 次调整为 {value} 次（第二十五条）。", obj=fund)
        return fund


def bureau_suspend(actor, reason: str) -> Fund:
    """市财政局业务叫停机制 (第二十二条): the bureau halts the business at any time."""
    fund = _fund()
    _require_bureau(actor, fund)
    reason = _text(reason, "reason", "叫停原因", max_length=300)
    with transaction.atomic():
        fund = _fund_locked()
        if fund.status == FundStatus.SUSPENDED:
            raise DomainError("already_suspended", "续贷过桥资金业务已处于暂停状态")
        exp = queries.exposure(fund)
        fund.status = FundStatus.SUSPENDED
        fund.status_reason = f"市财政局叫停：{reason}"
        fund.status_changed_at = timezone.now()
        fund.save(update_fields=["status", "status_reason", "status_changed_at"])
        change = FundStatusChange.objects.create(
            from_status=FundStatus.OPEN, to_status=FundStatus.SUSPENDED, reason=fund.status_reason,
            at_risk_fen=exp.at_risk_fen, principal_fen=exp.principal_fen, decided_by=actor)
        audit.record(actor, "bridge.fund.bureau_suspend", fund, summary={"before": {"status": "open"}, "after": {"status": "suspended"}, "reason": reason})
        _manager_notify(fund, "市财政局叫停续贷过桥资金业务", f"叫停原因：{reason}。暂停期间不得审批和放款。", obj=change, kind="bridge.risk")
        return fund


def request_resume(actor, note: str) -> ResumeRequest:
    """The manager reports exposure below 30 % and asks the bureau to resume (第二十二条)."""
    fund = _fund()
    _require_manager_org(actor, fund, head=True)
    note = _text(note, "note", "报告说明", max_length=500)
    with transaction.atomic():
        fund = _fund_locked()
        if fund.status != FundStatus.SUSPENDED:
            raise DomainError("not_suspended", "续贷过桥资金业务未暂停，无需申请恢复")
        exp = queries.exposure(fund)
        if exp.breached:
            raise DomainError("exposure_too_high", f"风险敞口 {exp.percent} 仍不低于本金总额的 30%，不能申请恢复业务（第二十二条）")
        if ResumeRequest.objects.filter(status=RequestStatus.PENDING).exists():
            raise DomainError("request_pending", "已有待市财政局批准的恢复申请")
        req = ResumeRequest.objects.create(note=note, at_risk_fen=exp.at_risk_fen, principal_fen=exp.principal_fen, requested_by=actor)
        audit.record(actor, "bridge.fund.resume_request", req, summary={"at_risk_fen": exp.at_risk_fen, "principal_fen": exp.principal_fen, "note": note})
        _bureau_notify(fund, "恢复续贷过桥资金业务申请待批准",
                       f"风险敞口已降至 {exp.percent}（风险本金 {format_yuan(exp.at_risk_fen)}）。说明：{note}", obj=req)
        return req


def decide_resume(actor, request_id: int, *, approve: bool, note: str = "") -> ResumeRequest:
    """经市财政局批准方可恢复业务: approval needs exposure below 30 % at decision time."""
    fund = _fund()
    _require_bureau(actor, fund)
    note = _text(note, "note", "批复意见", max_length=500, required=not approve)
    with transaction.atomic():
        fund = _fund_locked()
        req = ResumeRequest.objects.select_for_update().filter(pk=request_id).first()
        if req is None:
            raise NotFound("恢复申请不存在")
        if req.status != RequestStatus.PENDING:
            raise DomainError("already_decided", "该恢复申请已批复")
        exp = queries.exposure(fund)
        req.decided_by, req.decided_at, req.decision_note = actor, timezone.now(), note
        if approve:
            if exp.breached:  # with the bureau's approval only the 30 % line decides (rates.next_suspended)
                raise DomainError("exposure_too_high", f"当前风险敞口 {exp.percent} 不低于本金总额的 30%，不能批准恢复业务（第二十二条）")
            req.status = RequestStatus.APPROVED
            before = fund.status
            fund.status, fund.status_reason, fund.status_changed_at = FundStatus.OPEN, f"市财政局批准恢复：{note or '同意'}", timezone.now()
            fund.save(update_fields=["status", "status_reason", "status_changed_at"])
            FundStatusChange.objects.create(from_status=before, to_status=FundStatus.OPEN, reason=fund.status_reason,
                                            at_risk_fen=exp.at_risk_fen, principal_fen=exp.principal_fen, decided_by=actor)
        else:
            req.status = RequestStatus.REJECTED
        req.save()
        audit.record(actor, "bridge.fund.resume_decide", req, summary={"approve": approve, "note": note, "exposure": exp.percent, "after": {"fund_status": fund.status}})
        title = "市财政局批准恢复续贷过桥资金业务" if approve else "市财政局未批准恢复续贷过桥资金业务"
        _manager_notify(fund, title, note or ("同意恢复业务。" if approve else ""), obj=req)
        return req


# ---------------------------------------------------------------------------------------------
# LPR table (maintained by the bureau) and the manager's fee settings (第七条、第十七条)
# ---------------------------------------------------------------------------------------------


def _lpr_value(value, field_name: str, label: str) -> Decimal:
    d = _decimal(value, field_name, label, places=2)
    if d <= 0 or d >= 100:
        raise DomainError("invalid_lpr", f"{label}应大于 0 且小于 100（单位：%）", field_name)
    return d


def set_lpr(actor, *, effective_date: dt.date, lpr_1y, lpr_5y, note: str = "", on: dt.date | None = None) -> LprRate:
    """Add or correct one LPR row (percent). Warns the manager when the rate in force exceeds the cap."""
    today = _today(on)
    fund = queries.get_fund()
    require_role(actor, Role.BUREAU)
    if fund is not None and actor.organisation_id != fund.bureau_id:
        raise PermissionDenied("您所在机构不是本续贷过桥资金的出资财政部门", code="not_fund_bureau")
    _date(effective_date, "effective_date", "生效日")
    if effective_date < LPR_REFORM_DATE:
        raise DomainError("before_reform", "贷款市场报价利率新机制自 2019-08-20 起报价，生效日不能早于该日", "effective_date")
    if effective_date > today:
        raise DomainError("future_date", "生效日不能晚于今天（LPR 于公布当日起执行）", "effective_date")
    one = _lpr_value(lpr_1y, "lpr_1y", "一年期 LPR")
    five = _lpr_value(lpr_5y, "lpr_5y", "五年期以上 LPR")
    note = _text(note, "note", "说明", max_length=200, required=False)
    with transaction.atomic():
        if fund is not None:
            fund = _fund_locked()
        row = LprRate.objects.select_for_update().filter(effective_date=effective_date).first()
        before = None if row is None else {"lpr_1y": str(row.lpr_1y), "lpr_5y": str(row.lpr_5y)}
        if row is None:
            row = LprRate(effective_date=effective_date)
        row.lpr_1y, row.lpr_5y, row.note, row.updated_by, row.updated_at = one, five, note, actor, timezone.now()
        row.save()
        audit.record(actor, "bridge.lpr.set", row, summary={"effective_date": effective_date, "before": before,
                                                            "after": {"lpr_1y": str(one), "lpr_5y": str(five)}})
        if fund is not None:
            _manager_notify(fund, "LPR 数据更新", f"{effective_date.isoformat()} 起一年期 LPR {one}%，五年期以上 LPR {five}%。", obj=row)
            check_rates_against_cap(fund, actor, today)
        return row


def check_rates_against_cap(fund: Fund, actor, today: dt.date) -> bool:
    """Alert the manager (once per LPR row and setting) when its rates exceed the caps in force.

    New loans are priced by ``rates.quote``, which applies the statutory cap (以法定利率上限优先执行);
    the penalty rate is refused at disbursement until the manager lowers it. ``fund`` is locked.
    """
    table = queries.lpr_table()
    try:
        cap = rates.cap_daily_rate(today, fund.day_basis, table)
    except rates.LprUnavailable:
        return False
    problems = []
    if fund.self_daily_rate is not None and rates.exact_daily_rate(fund.self_daily_rate, None, fund.day_basis) > cap.exact_daily_rate:
        problems.append(f"自营日利率 {rates.per_10k_str(fund.self_daily_rate)} 超过当前上限 {rates.per_10k_str(cap.daily_rate)}"
                        f"（{cap.describe()}），新发放业务将按上限执行")
    contract_lprs = [cap.lpr.lpr_1y]
    try:
        contract_lprs.append(rates.jan1_lpr(today.year, table).lpr_1y)
    except rates.LprUnavailable:
        pass
    refusal = rates.check_penalty_rate(fund.penalty_annual_rate, min(contract_lprs))
    if refusal:
        problems.append(refusal + "，调整前不能放款")
    key = f"{cap.lpr.effective_date}|{cap.lpr.lpr_1y}|{fund.day_basis}|{fund.self_daily_rate}|{fund.penalty_annual_rate}"
    if not problems:
        if fund.cap_alert_key:
            fund.cap_alert_key = ""
            fund.save(update_fields=["cap_alert_key"])
        return False
    if fund.cap_alert_key == key:
        return False
    fund.cap_alert_key = key
    fund.save(update_fields=["cap_alert_key"])
    audit.record(actor, "bridge.rates.cap_alert", fund, summary={"problems": problems, "lpr_1y": str(cap.lpr.lpr_1y)})
    _manager_notify(fund, "利率超过法定上限提醒", "；".join(problems) + "。请负责人在“利率与LPR”页面调整设定（第七条、第十七条）。",
                    obj=fund, kind="bridge.rates")
    return True


def set_rates(actor, *, day_basis: int, self_daily_rate, entrusted_multiplier, penalty_annual_rate,
              note: str = "", on: dt.date | None = None) -> RateSetting:
    """管理机构自行确定占用费率 (第七条), validated against both caps; penalty ≤ 4 × LPR (第十七条)."""
    today = _today(on)
    fund = _fund()
    _require_manager_org(actor, fund, head=True)
    if day_basis not in DayBasis.values:
        raise DomainError("invalid_basis", f"计息基准“{day_basis}”无效，只能是 360 或 365 天", "day_basis")
    table = queries.lpr_table()
    cap = rates.cap_daily_rate(today, day_basis, table)
    rate = None
    if self_daily_rate not in (None, ""):
        rate = _decimal(self_daily_rate, "self_daily_rate", "自营日利率", places=8)
        try:
            rates.check_daily_rate(rate)
        except rates.BridgeError as exc:
            raise DomainError(exc.code, exc.message, "self_daily_rate") from exc
        if rates.exact_daily_rate(rate, None, day_basis) > cap.exact_daily_rate:
            raise DomainError("rate_over_cap",
                              f"自营日利率 {rates.per_10k_str(rate)} 超过 {today.isoformat()} 的法定上限 "
                              f"{rates.per_10k_str(cap.daily_rate)}（{cap.describe()}，第七条）", "self_daily_rate")
    mult = _decimal(entrusted_multiplier, "entrusted_multiplier", "委托业务 LPR 倍数", places=4)
    try:
        rates.check_multiplier(mult)
    except rates.BridgeError as exc:
        raise DomainError(exc.code, exc.message, "entrusted_multiplier") from exc
    try:
        ent_annual = rates.entrusted_annual_rate(today.year, mult, table)
    except rates.LprUnavailable:
        ent_annual = None
    if ent_annual is not None and rates.exact_daily_rate(Decimal(0), ent_annual, day_basis) > cap.exact_daily_rate:
        raise DomainError("multiplier_over_cap", f"按 LPR 倍数 {mult} 折算的委托业务日利率超过法定上限 {rates.per_10k_str(cap.daily_rate)}",
                          "entrusted_multiplier")
    penalty = _decimal(penalty_annual_rate, "penalty_annual_rate", "违约金年利率", places=6)
    if penalty < 0:
        raise DomainError("invalid_penalty", "违约金年利率不能为负", "penalty_annual_rate")
    contract_lprs = [cap.lpr.lpr_1y]
    try:
        contract_lprs.append(rates.jan1_lpr(today.year, table).lpr_1y)
    except rates.LprUnavailable:
        pass
    for lpr in sorted(contract_lprs):
        refusal = rates.check_penalty_rate(penalty, lpr)
        if refusal:
            raise DomainError("penalty_over_cap", refusal, "penalty_annual_rate")
    note = _text(note, "note", "说明", max_length=300, required=False)
    with transaction.atomic():
        fund = _fund_locked()
        before = {"day_basis": fund.day_basis, "self_daily_rate": str(fund.self_daily_rate),
                  "entrusted_multiplier": str(fund.entrusted_multiplier), "penalty_annual_rate": str(fund.penalty_annual_rate)}
        fund.day_basis, fund.self_daily_rate, fund.entrusted_multiplier, fund.penalty_annual_rate = day_basis, rate, mult, penalty
        fund.cap_alert_key = ""
        fund.save(update_fields=["day_basis", "self_daily_rate", "entrusted_multiplier", "penalty_annual_rate", "cap_alert_key"])
        setting = RateSetting.objects.create(
            day_basis=day_basis, self_daily_rate=rate, entrusted_multiplier=mult, penalty_annual_rate=penalty,
            cap_daily_rate_then=f"{rates.per_10k_str(cap.daily_rate)}（{cap.describe()}）", note=note, set_by=actor)
        audit.record(actor, "bridge.rates.set", setting, summary={"before": before, "after": {
            "day_basis": day_basis, "self_daily_rate": str(rate), "entrusted_multiplier": str(mult), "penalty_annual_rate": str(penalty)}})
        _bureau_notify(fund, "续贷过桥资金费率设定变更",
                       f"计息基准 {day_basis} 天；自营日利率 {rates.per_10k_str(rate) if rate is not None else '按法定上限'}"
                       f"（当前上限 {rates.per_10k_str(cap.daily_rate)}）；委托业务 LPR 倍数 {mult}；违约金年利率 {penalty}。", obj=setting)
        return setting


# ---------------------------------------------------------------------------------------------
# Partner bank agreements (第六条、第十八条、第二十条)
# ---------------------------------------------------------------------------------------------


def create_agreement(actor, *, bank_id: int, number: str, signed_on: dt.date, valid_from: dt.date, valid_until: dt.date,
                     joint_liability_principal: bool, joint_liability_fee: bool, entrusted_allowed: bool = False) -> BankAgreement:
    fund = _fund()
    _require_manager_org(actor, fund, head=True)
    number = _text(number, "number", "协议编号", max_length=60)
    for value, name, label in ((signed_on, "signed_on", "签订日期"), (valid_from, "valid_from", "生效日期"), (valid_until, "valid_until", "到期日期")):
        _date(value, name, label)
    if valid_until < valid_from:
        raise DomainError("invalid_period", "到期日期不能早于生效日期", "valid_until")
    if not (joint_liability_principal and joint_liability_fee):
        raise DomainError("joint_liability_required",
                          "合作监管协议必须约定合作银行对续贷过桥资金本金、占用费承担连带赔偿责任（第六条）",
                          "joint_liability_principal" if not joint_liability_principal else "joint_liability_fee")
    bank = Organisation.objects.filter(pk=bank_id).first()
    if bank is None or not bank.has_role(Role.BANK):
        raise DomainError("not_a_bank", "合作银行须为具有“合作银行”角色的机构", "bank_id")
    if bank.status != OrgStatus.ACTIVE:
        raise DomainError("bank_inactive", f"{bank.name}当前状态为{bank.get_status_display()}，不能签订协议", "bank_id")
    try:
        with transaction.atomic():
            if queries.live_agreement(bank.pk):
                raise DomainError("agreement_exists", f"{bank.name}已有未终止的合作协议", "bank_id")
            if BankAgreement.objects.filter(number=number).exists():
                raise DomainError("number_taken", f"协议编号“{number}”已存在", "number")
            ag = BankAgreement.objects.create(
                bank=bank, number=number, signed_on=signed_on, valid_from=valid_from, valid_until=valid_until,
                joint_liability_principal=True, joint_liability_fee=True, entrusted_allowed=bool(entrusted_allowed),
                created_by=actor)
            audit.record(actor, "bridge.agreement.create", ag, summary={"after": {
                "bank": bank.name, "number": number, "valid_from": valid_from, "valid_until": valid_until,
                "entrusted_allowed": bool(entrusted_allowed)}})
            notify(bank, "续贷过桥资金合作监管协议已登记", f"协议 {number}，有效期 {valid_from} 至 {valid_until}。", obj=ag)
            return ag
    except IntegrityError as exc:
        raise DomainError("agreement_exists", "该银行已有未终止的合作协议或协议编号重复", "bank_id") from exc


AGREEMENT_ACTIONS = {
    "suspend": ((AgreementStatus.ACTIVE,), AgreementStatus.SUSPENDED, "暂停合作"),
    "reactivate": ((AgreementStatus.SUSPENDED,), AgreementStatus.ACTIVE, "恢复合作"),
    "terminate": ((AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED), AgreementStatus.TERMINATED, "取消合作资格"),
}


def change_agreement_status(actor, agreement_id: int, *, action: str, reason: str, article: str = "other") -> BankAgreement:
    """Suspend (第二十条: bank did not renew as promised), reactivate, or terminate (第十八条: misconduct)."""
    fund = _fund()
    if action not in AGREEMENT_ACTIONS:
        raise DomainError("invalid_action", "操作只能是暂停合作、恢复合作或取消合作资格", "action")
    if article not in AgreementChangeArticle.values:
        raise DomainError("invalid_article", "依据条款不正确", "article")
    # the manager's 负责人 decides; the bureau (supervisor, 第十四条) may also cancel a bank's qualification
    if action == "terminate" and actor.organisation_id == fund.bureau_id:
        _require_bureau(actor, fund)
    else:
        _require_manager_org(actor, fund, head=True)
    reason = _text(reason, "reason", "原因", max_length=500)
    allowed_from, to_status, label = AGREEMENT_ACTIONS[action]
    with transaction.atomic():
        ag = BankAgreement.objects.select_for_update().select_related("bank").filter(pk=agreement_id).first()
        if ag is None:
            raise NotFound("合作协议不存在")
        if ag.status not in allowed_from:
            raise DomainError("wrong_status", f"协议当前状态为“{ag.get_status_display()}”，不能{label}", "action")
        before = ag.status
        ag.status, ag.status_reason, ag.status_decided_by, ag.status_decided_at = to_status, reason, actor, timezone.now()
        ag.save(update_fields=["status", "status_reason", "status_decided_by", "status_decided_at"])
        change = AgreementStatusChange.objects.create(agreement=ag, from_status=before, to_status=to_status,
                                                      article=article, reason=reason, decided_by=actor)
        audit.record(actor, f"bridge.agreement.{action}", ag, summary={"before": {"status": before}, "after": {"status": to_status},
                                                                        "article": article, "reason": reason})
        art = AgreementChangeArticle(article).label
        notify(ag.bank, f"续贷过桥资金合作{label}", f"协议 {ag.number}：{label}。依据：{art}。原因：{reason}", obj=change)
        if action == "terminate" and actor.organisation_id == fund.bureau_id:
            _manager_notify(fund, f"市财政局取消{ag.bank.name}合作资格", reason, obj=change)
        elif action != "reactivate":
            _bureau_notify(fund, f"合作银行{label}：{ag.bank.name}", f"依据：{art}。原因：{reason}", obj=change)
        return ag


# ---------------------------------------------------------------------------------------------
# Materials checklist and process (第九条)
# ---------------------------------------------------------------------------------------------


def create_checklist(actor, *, items: list[str], process: str) -> ChecklistVersion:
    fund = _fund()
    _require_manager_org(actor, fund, head=True)
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
    process = _text(process, "process", "业务流程规范", max_length=5000)
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
    fund = _fund()
    _require_manager_org(actor, fund, head=True)
    with transaction.atomic():
        cl = ChecklistVersion.objects.select_for_update().filter(pk=checklist_id).first()
        if cl is None:
            raise NotFound("申请资料清单不存在")
        if cl.filed_at:
            raise DomainError("already_filed", f"第 {cl.version} 版已于 {timezone.localtime(cl.filed_at):%Y-%m-%d} 报备")
        cl.filed_by, cl.filed_at = actor, timezone.now()
        cl.save(update_fields=["filed_by", "filed_at"])
        audit.record(actor, "bridge.checklist.file", cl, summary={"version": cl.version})
        _bureau_notify(fund, f"申请资料清单及业务流程规范第 {cl.version} 版报备",
                       f"{fund.manager.name}报备了第 {cl.version} 版申请资料清单（{len(cl.items)} 项）及业务流程规范（第九条）。", obj=cl)
        return cl


def acknowledge_checklist(actor, checklist_id: int) -> ChecklistVersion:
    fund = _fund()
    _require_bureau(actor, fund)
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
        _manager_notify(fund, f"申请资料清单第 {cl.version} 版已备案", "市财政局已确认备案。", obj=cl)
        return cl


# ---------------------------------------------------------------------------------------------
# Applications
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
    #: materials checklist key -> reference (材料名称/编号)
    materials: dict[str, str] = field(default_factory=dict)


def _ban_error(ban: FraudFinding) -> DomainError:
    return DomainError("banned",
                       f"申请单位于 {ban.declared_on.isoformat()} 被认定虚报、瞒报或骗取续贷过桥资金，"
                       f"{ban.banned_until.isoformat()} 前不予受理申请（第十七条：5 年内不再受理）")


def _check_bank(bank_id, on: dt.date, field_name: str | None = "bank_id") -> tuple[Organisation, BankAgreement]:
    bank = Organisation.objects.filter(pk=bank_id).first() if isinstance(bank_id, int) and not isinstance(bank_id, bool) else None
    if bank is None or not bank.has_role(Role.BANK):
        raise DomainError("not_partner_bank", "所选贷款银行不是续贷过桥资金合作银行", field_name)
    ag = queries.live_agreement(bank.pk)
    if ag is None:
        raise DomainError("not_partner_bank", f"{bank.name}未与管理机构签订续贷过桥资金合作监管协议（第六条、第十九条）", field_name)
    if ag.status == AgreementStatus.SUSPENDED:
        raise DomainError("bank_suspended", f"{bank.name}的续贷过桥资金业务合作已暂停：{ag.status_reason}", field_name)
    if not ag.in_force_on(on):
        raise DomainError("agreement_not_in_force", f"{bank.name}的合作协议在 {on.isoformat()} 不在有效期内"
                          f"（{ag.valid_from.isoformat()} 至 {ag.valid_until.isoformat()}）", field_name)
    return bank, ag


def submit_application(actor, data: ApplicationInput, *, on: dt.date | None = None) -> Application:
    """An SME applies (第八条 conditions, 第十条 use rules). Refused at once when a rule is broken."""
    today = _today(on)
    require_role(actor, Role.MEMBER)
    if not queries.can_apply(actor):
        raise PermissionDenied("续贷过桥资金仅受理中小企业（会员企业）的申请", code="not_sme")
    _fund()
    ban = queries.active_ban(actor.organisation_id, today)
    if ban:
        raise _ban_error(ban)
    if data.sme_size not in SmeSize.values:
        raise DomainError("invalid_sme_size", "请选择企业类型（中型、小型、微型企业等，第三条）", "sme_size")
    bank, ag = _check_bank(data.bank_id, today)
    contract_no = _text(data.original_contract_no, "original_contract_no", "原贷款合同编号", max_length=80)
    if data.original_loan_type not in LoanType.values:
        raise DomainError("invalid_loan_type", "请选择原贷款种类", "original_loan_type")
    if data.original_loan_type != LoanType.WORKING_CAPITAL:
        raise DomainError("loan_type_excluded",
                          f"原贷款为“{LoanType(data.original_loan_type).label}”：原贷款、续贷贷款仅限贷款银行自营的流动资金贷款，"
                          "不含银行承兑汇票、委托贷款等（第十条（四））", "original_loan_type")
    due = _fen(data.original_due_fen, "original_due_fen", "当期应清偿原贷款本金")
    _date(data.original_due_date, "original_due_date", "原贷款到期日")
    if data.classification not in Classification.values:
        raise DomainError("invalid_classification", "请选择原贷款五级分类", "classification")
    if data.classification != Classification.NORMAL:
        raise DomainError("classification_not_normal",
                          f"原贷款五级分类为“{Classification(data.classification).label}”：原流动资金周转贷款须为正常类（第八条（三））",
                          "classification")
    account = _text(data.loan_account, "loan_account", "原贷款还款账户", max_length=60)
    approval = _fen(data.renewal_approval_fen, "renewal_approval_fen", "续贷批复额度")
    approval_no = _text(data.renewal_approval_no, "renewal_approval_no", "续贷批复文号", max_length=80)
    _date(data.renewal_approval_date, "renewal_approval_date", "续贷批复日期")
    if data.renewal_approval_date > today:
        raise DomainError("future_date", "续贷批复日期不能晚于今天", "renewal_approval_date")
    amount = _fen(data.amount_fen, "amount_fen", "申请金额")
    reasons = rates.amount_reasons(amount, due, approval)
    if reasons:
        raise DomainError("amount_over_limit", reasons[0], "amount_fen")
    if isinstance(data.planned_days, bool) or not isinstance(data.planned_days, int) or data.planned_days < 1:
        raise DomainError("invalid_days", "计划使用天数至少 1 天", "planned_days")
    refusal = rates.check_days(data.planned_days)
    if refusal:
        raise DomainError("too_many_days", refusal, "planned_days")
    _date(data.planned_draw_date, "planned_draw_date", "计划提款日")
    if data.planned_draw_date < today:
        raise DomainError("past_date", "计划提款日不能早于今天", "planned_draw_date")
    if not data.purpose_confirmed:
        raise DomainError("purpose_required", "须承诺续贷过桥资金仅用于还贷续贷应急周转，不用于其他任何事项（第十条（一））", "purpose_confirmed")
    checklist = queries.latest_filed_checklist()
    if checklist is None:
        raise DomainError("no_checklist", "申请资料清单及业务流程规范尚未报市财政局备案，暂不受理申请（第九条）")
    evidence = {k: _text(data.evidence.get(k, ""), f"evidence.{k}", f"申请条件“{ELIGIBILITY_SHORT[k]}”的证明材料",
                      max_length=500) for k, _ in ELIGIBILITY_ITEMS}
    materials = {}
    for item in checklist.items:
        materials[item["key"]] = _text(data.materials.get(item["key"], ""), f"materials.{item['key']}",
                                       f"申请资料“{item['label']}”", max_length=500)
    try:
        return _create_application(actor, data, today, bank, ag, contract_no, due, account, approval, approval_no, amount,
                                   checklist, evidence, materials)
    except IntegrityError as exc:  # a concurrent submission for the same contract won the unique index
        raise DomainError("duplicate", f"原贷款合同 {contract_no} 已有办理中的过桥资金业务", "original_contract_no") from exc


def _create_application(actor, data, today, bank, ag, contract_no, due, account, approval, approval_no, amount, checklist,
                        evidence, materials) -> Application:
    with transaction.atomic():
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
        fund = _fund()
        _manager_notify(fund, f"新的续贷过桥资金申请 {app.number}",
                        f"{actor.organisation.name}申请 {format_yuan(amount)}，{data.planned_days} 天，贷款银行 {bank.name}。", obj=app)
        return app


def withdraw_application(actor, app_id: int, reason: str = "") -> Application:
    require_role(actor, Role.MEMBER)
    reason = _text(reason, "reason", "撤回原因", max_length=500, required=False)
    with transaction.atomic():
        app = _locked_app(app_id)
        if app.applicant_id != actor.organisation_id:
            raise NotFound("过桥资金业务不存在")
        if app.status not in PIPELINE_STATUSES:
            raise _status_error(app, "撤回")
        before = app.status
        app.status, app.closed_by, app.closed_reason = AppStatus.WITHDRAWN, actor, reason or "申请企业撤回"
        app.save(update_fields=["status", "closed_by", "closed_reason"])
        audit.record(actor, "bridge.application.withdraw", app, summary={"before": {"status": before}, "after": {"status": app.status}, "reason": reason})
        fund = _fund()
        _manager_notify(fund, f"申请 {app.number} 已撤回", reason or "申请企业撤回申请。", obj=app)
        return app


def review_check(actor, app_id: int, check_id: int, *, passed: bool, note: str = "") -> ApplicationCheck:
    """The manager's staff ticks one eligibility / materials item after looking at the evidence."""
    fund = _fund()
    _require_manager_org(actor, fund)
    if not isinstance(passed, bool):
        raise DomainError("invalid_passed", "请选择审核结论（通过或不通过）", "passed")
    note = _text(note, "note", "审核意见", max_length=300, required=not passed)
    with transaction.atomic():
        app = _locked_app(app_id)
        if app.status != AppStatus.SUBMITTED:
            raise _status_error(app, "审核申请条件")
        check = ApplicationCheck.objects.select_for_update().filter(pk=check_id, application=app).first()
        if check is None:
            raise NotFound("审核要点不存在")
        before = check.passed
        check.passed, check.review_note, check.reviewed_by, check.reviewed_at = passed, note, actor, timezone.now()
        check.save(update_fields=["passed", "review_note", "reviewed_by", "reviewed_at"])
        audit.record(actor, "bridge.application.check", app, summary={"check": check.key, "kind": check.kind,
                                                                       "before": before, "after": passed, "note": note})
        if not passed:
            what = ELIGIBILITY_SHORT.get(check.key, check.label) if check.kind == CheckKind.ELIGIBILITY else f"申请资料“{check.label}”"
            notify(app.applicant, f"过桥资金申请 {app.number} 审核意见", f"{what}：{note}。请与管理机构联系补充说明。", obj=app)
        return check


def _quote_for(app: Application, fund: Fund, draw: dt.date, mode: str, table: rates.LprTable) -> rates.Quote:
    repay = draw + dt.timedelta(days=app.planned_days - 1)
    return rates.quote(
        principal_fen=app.amount_fen, draw=draw, repay=repay, mode=mode,
        daily_rate=fund.self_daily_rate if mode == Mode.SELF else None, basis=fund.day_basis,
        due_fen=app.original_due_fen, approved_fen=app.renewal_approval_fen,
        multiplier=fund.entrusted_multiplier if mode == Mode.ENTRUSTED else None, table=table,
    )


def preview_quote(app: Application, *, mode: str | None = None, draw: dt.date | None = None) -> rates.Quote | None:
    """The fee quote for an application with the fund's settings (for pages); None if unavailable."""
    fund = queries.get_fund()
    mode = mode or app.mode or Mode.SELF
    if fund is None:
        return None
    try:
        return _quote_for(app, fund, draw or max(app.planned_draw_date, _today(None)), mode, queries.lpr_table())
    except rates.BridgeError:
        return None


def prepare(actor, app_id: int, *, mode: str, note: str = "", on: dt.date | None = None) -> Application:
    """经办初审 (maker): every item ticked as passed; mode chosen; rules checked with a quote."""
    today = _today(on)
    fund = _fund()
    _require_manager_org(actor, fund)
    if mode not in Mode.values:
        raise DomainError("invalid_mode", "业务模式只能是自营或委托银行", "mode")
    note = _text(note, "note", "初审意见", max_length=500, required=False)
    with transaction.atomic():
        app = _locked_app(app_id)
        if app.status != AppStatus.SUBMITTED:
            raise _status_error(app, "初审")
        missing = [ELIGIBILITY_SHORT.get(c.key, c.label) if c.kind == CheckKind.ELIGIBILITY else f"申请资料“{c.label}”"
                   for c in app.checks.all() if c.passed is not True]
        if missing:
            raise DomainError("checks_incomplete", "以下审核要点尚未确认通过：" + "；".join(missing))
        ban = queries.active_ban(app.applicant_id, today)
        if ban:
            raise _ban_error(ban)
        _check_bank(app.bank_id, today, None)
        if mode == Mode.ENTRUSTED and not app.agreement.entrusted_allowed:
            raise DomainError("entrusted_not_allowed", f"与{app.bank.name}的合作协议未约定委托办理本行续贷过桥资金业务（第六条）", "mode")
        q = _quote_for(app, fund, max(app.planned_draw_date, today), mode, queries.lpr_table())
        if not q.allowed:
            raise DomainError("quote_refused", "；".join(q.reasons), "mode")
        app.status, app.mode = AppStatus.PREPARED, mode
        app.prepared_by, app.prepared_at, app.prepare_note = actor, timezone.now(), note
        app.save(update_fields=["status", "mode", "prepared_by", "prepared_at", "prepare_note"])
        audit.record(actor, "bridge.application.prepare", app, summary={
            "before": {"status": AppStatus.SUBMITTED}, "after": {"status": app.status, "mode": mode},
            "quote": {"days": q.days, "fee_fen": q.fee_fen, "daily_rate": rates.rate_str(q.daily_rate)}, "note": note})
        _manager_notify(fund, f"申请 {app.number} 待复核", f"经办人 {actor} 已初审通过，请另一名负责人复核。", obj=app)
        return app


def approve(actor, app_id: int, *, note: str = "") -> Application:
    """负责人复核 (checker): a different user from the preparer; not while the business is suspended."""
    fund = _fund()
    _require_manager_org(actor, fund, head=True)
    note = _text(note, "note", "复核意见", max_length=500, required=False)
    with transaction.atomic():
        fund = _fund_locked()
        app = _locked_app(app_id)
        if app.status != AppStatus.PREPARED:
            raise _status_error(app, "复核")
        require_checker(app.prepared_by_id, actor)
        _fund_open(fund, "审批")
        ban = queries.active_ban(app.applicant_id, _today(None))
        if ban:
            raise _ban_error(ban)
        app.status, app.approved_by, app.approved_at, app.approve_note = AppStatus.APPROVED, actor, timezone.now(), note
        app.save(update_fields=["status", "approved_by", "approved_at", "approve_note"])
        audit.record(actor, "bridge.application.approve", app, summary={"before": {"status": AppStatus.PREPARED},
                                                                         "after": {"status": app.status}, "prepared_by": app.prepared_by_id})
        notify(app.bank, f"续贷过桥资金业务 {app.number} 待银行确认",
               f"{app.applicant.name}原贷款合同 {app.original_contract_no}，过桥金额 {format_yuan(app.amount_fen)}。"
               "请确认正在办理续贷手续并同意续贷，核对续贷批复额度（第八条（四））。", obj=app)
        notify(app.applicant, f"过桥资金申请 {app.number} 已审批通过", "待贷款银行确认续贷后放款。", obj=app)
        return app


def reject_application(actor, app_id: int, *, reason: str) -> Application:
    fund = _fund()
    _require_manager_org(actor, fund)
    reason = _text(reason, "reason", "不通过原因", max_length=500)
    with transaction.atomic():
        app = _locked_app(app_id)
        if app.status not in PIPELINE_STATUSES:
            raise _status_error(app, "退回")
        before = app.status
        app.status, app.closed_by, app.closed_reason = AppStatus.REJECTED, actor, reason
        app.save(update_fields=["status", "closed_by", "closed_reason"])
        audit.record(actor, "bridge.application.reject", app, summary={"before": {"status": before}, "after": {"status": app.status}, "reason": reason})
        notify(app.applicant, f"过桥资金申请 {app.number} 未通过", reason, obj=app)
        if before in (AppStatus.APPROVED, AppStatus.CONFIRMED):
            notify(app.bank, f"过桥资金业务 {app.number} 已终止", reason, obj=app)
        return app


def _bank_app(actor, app_id: int) -> Application:
    app = _locked_app(app_id)
    if app.bank_id != actor.organisation_id:
        raise NotFound("过桥资金业务不存在")
    return app


def bank_confirm(actor, app_id: int, *, renewal_approval_fen: int, renewal_approval_no: str, renewal_approval_date: dt.date,
                 renewal_in_progress: bool, classification: str, note: str = "", on: dt.date | None = None) -> Application:
    """The lending bank confirms the renewal is under way, its approval amount and the loan's class."""
    today = _today(on)
    require_role(actor, Role.BANK)
    approval = _fen(renewal_approval_fen, "renewal_approval_fen", "续贷批复额度")
    approval_no = _text(renewal_approval_no, "renewal_approval_no", "续贷批复文号", max_length=80)
    _date(renewal_approval_date, "renewal_approval_date", "续贷批复日期")
    note = _text(note, "note", "银行意见", max_length=500, required=False)
    with transaction.atomic():
        app = _bank_app(actor, app_id)
        if app.status != AppStatus.APPROVED:
            raise _status_error(app, "确认")
        if renewal_approval_date > today:
            raise DomainError("future_date", "续贷批复日期不能晚于今天", "renewal_approval_date")
        if renewal_in_progress is not True:
            raise DomainError("renewal_not_confirmed", "银行须确认正在办理续贷手续并同意给予续贷（第八条（四））；不同意续贷请选择“不予确认”",
                              "renewal_in_progress")
        if classification != Classification.NORMAL:
            raise DomainError("classification_not_normal", "原流动资金周转贷款须为正常类（第八条（三））；否则请选择“不予确认”", "classification")
        reasons = rates.amount_reasons(app.amount_fen, app.original_due_fen, approval)
        if reasons:
            raise DomainError("amount_over_limit", reasons[0], "renewal_approval_fen")
        before = {"status": app.status, "renewal_approval_fen": app.renewal_approval_fen, "renewal_approval_no": app.renewal_approval_no}
        app.renewal_approval_fen, app.renewal_approval_no, app.renewal_approval_date = approval, approval_no, renewal_approval_date
        app.renewal_in_progress, app.classification = True, Classification.NORMAL
        app.status, app.bank_confirmed_by, app.bank_confirmed_at, app.bank_note = AppStatus.CONFIRMED, actor, timezone.now(), note
        app.save()
        audit.record(actor, "bridge.application.bank_confirm", app, summary={"before": before, "after": {
            "status": app.status, "renewal_approval_fen": approval, "renewal_approval_no": approval_no}})
        fund = _fund()
        _manager_notify(fund, f"{app.bank.name}已确认 {app.number}", "银行已确认正在办理续贷并同意续贷，可以放款。", obj=app)
        notify(app.applicant, f"贷款银行已确认 {app.number}", "银行已确认续贷，待管理机构放款。", obj=app)
        return app


def bank_decline(actor, app_id: int, *, reason: str) -> Application:
    require_role(actor, Role.BANK)
    reason = _text(reason, "reason", "不予确认的原因", max_length=500)
    with transaction.atomic():
        app = _bank_app(actor, app_id)
        if app.status != AppStatus.APPROVED:
            raise _status_error(app, "确认")
        app.status, app.closed_by, app.closed_reason, app.bank_note = AppStatus.REJECTED, actor, f"银行不予确认：{reason}", reason
        app.save(update_fields=["status", "closed_by", "closed_reason", "bank_note"])
        audit.record(actor, "bridge.application.bank_decline", app, summary={"before": {"status": AppStatus.APPROVED}, "after": {"status": app.status}, "reason": reason})
        fund = _fund()
        _manager_notify(fund, f"{app.bank.name}不予确认 {app.number}", reason, obj=app)
        notify(app.applicant, f"过桥资金申请 {app.number} 未获银行确认", reason, obj=app)
        return app


def disburse(actor, app_id: int, *, account: str, voucher: str, on: dt.date | None = None) -> Application:
    """放款: straight into the original loan's repayment account; terms fixed on the draw date."""
    today = _today(on)
    fund = _fund()
    _require_manager_org(actor, fund)
    account = _text(account, "account", "划款账户", max_length=60)
    voucher = _text(voucher, "voucher", "划款凭证号", max_length=80)
    with transaction.atomic():
        fund = _fund_locked()
        app = _locked_app(app_id)
        if app.status != AppStatus.CONFIRMED:
            raise _status_error(app, "放款")
        _fund_open(fund, "放款")
        if today < app.submitted_on:
            raise DomainError("before_application", f"提款日 {today.isoformat()} 不能早于申请日 {app.submitted_on.isoformat()}")
        ban = queries.active_ban(app.applicant_id, today)
        if ban:
            raise _ban_error(ban)
        _check_bank(app.bank_id, today, None)
        if account.replace(" ", "") != app.loan_account.replace(" ", ""):
            raise DomainError("wrong_account", f"续贷过桥资金须直接划入原贷款还款账户 {app.loan_account}，仅限还贷续贷应急周转（第十条（一））", "account")
        q = _quote_for(app, fund, today, app.mode, queries.lpr_table())
        if not q.allowed:
            raise DomainError("quote_refused", "；".join(q.reasons))
        refusal = rates.check_penalty_rate(fund.penalty_annual_rate, q.contract_lpr.lpr_1y)
        if refusal:
            raise DomainError("penalty_over_cap", refusal + "。请负责人先调整违约金年利率", "penalty_annual_rate")
        outstanding = queries.outstanding_fen()
        if outstanding + app.amount_fen > fund.principal_fen:
            raise DomainError("insufficient_fund",
                              f"可用资金不足：本金总额 {format_yuan(fund.principal_fen)}，在贷余额 {format_yuan(outstanding)}，"
                              f"本笔 {format_yuan(app.amount_fen)}（专款专用、封闭运行）")
        app.status = AppStatus.DISBURSED
        app.disbursed_by, app.disbursed_on, app.disbursed_to_account, app.disbursement_voucher = actor, today, account, voucher
        app.due_date = q.repay
        if q.annual_rate is not None:
            app.rate_annual, app.rate_daily = q.annual_rate, None
        else:
            app.rate_daily, app.rate_annual = q.daily_rate, None
        app.basis, app.contract_lpr_1y, app.contract_lpr_date = q.basis, q.contract_lpr.lpr_1y, q.contract_lpr.effective_date
        app.rate_clamped, app.planned_fee_fen, app.penalty_annual_rate = q.clamped, q.fee_fen, fund.penalty_annual_rate
        app.save()
        audit.record(actor, "bridge.loan.disburse", app, summary={"before": {"status": AppStatus.CONFIRMED}, "after": {
            "status": app.status, "disbursed_on": today, "due_date": q.repay, "account": account, "voucher": voucher,
            "daily_rate": rates.rate_str(q.daily_rate), "annual_rate": None if q.annual_rate is None else rates.rate_str(q.annual_rate),
            "basis": q.basis, "fee_fen": q.fee_fen, "contract_lpr_1y": str(q.contract_lpr.lpr_1y), "clamped": q.clamped}})
        body = (f"{format_yuan(app.amount_fen)} 已于 {today.isoformat()} 划入原贷款还款账户 {account}，约定还款日 {q.repay.isoformat()}"
                f"（共 {q.days} 天，含提款日及还款日），占用费 {format_yuan(q.fee_fen)}。鼓励提前还款，按实际使用天数计费。")
        notify(app.applicant, f"过桥资金 {app.number} 已放款", body, obj=app)
        notify(app.bank, f"过桥资金 {app.number} 已放款，请按承诺办理续贷", body, obj=app)
        if q.clamped:
            _manager_notify(fund, f"{app.number} 按法定利率上限执行", "；".join(q.alerts), obj=app, kind="bridge.rates")
        return app


def record_renewal(actor, app_id: int, *, renewed_on: dt.date, contract_no: str, amount_fen: int, on: dt.date | None = None) -> Application:
    today = _today(on)
    require_role(actor, Role.BANK)
    _date(renewed_on, "renewed_on", "续贷发放日")
    contract_no = _text(contract_no, "contract_no", "续贷合同编号", max_length=80)
    amount = _fen(amount_fen, "amount_fen", "续贷金额")
    with transaction.atomic():
        app = _bank_app(actor, app_id)
        if app.status not in LIVE_LOAN_STATUSES:
            raise _status_error(app, "登记续贷")
        if app.renewed_on:
            raise DomainError("already_renewed", f"已于 {app.renewed_on.isoformat()} 登记续贷")
        if renewed_on < app.disbursed_on or renewed_on > today:
            raise DomainError("invalid_date", f"续贷发放日应在提款日 {app.disbursed_on.isoformat()} 与今天之间", "renewed_on")
        app.renewed_on, app.renewal_contract_no, app.renewal_amount_fen, app.renewal_recorded_by = renewed_on, contract_no, amount, actor
        app.save(update_fields=["renewed_on", "renewal_contract_no", "renewal_amount_fen", "renewal_recorded_by"])
        audit.record(actor, "bridge.loan.renewal", app, summary={"after": {"renewed_on": renewed_on, "contract_no": contract_no, "amount_fen": amount}})
        fund = _fund()
        _manager_notify(fund, f"{app.number} 银行已发放续贷", f"续贷合同 {contract_no}，金额 {format_yuan(amount)}，请跟进收回过桥资金。", obj=app)
        notify(app.applicant, f"{app.number} 续贷已发放", f"请于 {app.due_date.isoformat()} 前归还过桥资金本金及占用费。", obj=app)
        return app


# ---------------------------------------------------------------------------------------------
# Repayment, fee and penalty accrual (第十条（二）、第十七条)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dues:
    """What a loan owes as of a date (fee and penalty accrued to that date, minus what was paid)."""

    as_of: dt.date
    principal_fen: int
    fee_accrued_fen: int
    fee_due_fen: int
    penalty_accrued_fen: int
    penalty_due_fen: int
    overdue_days: int

    @property
    def total_fen(self) -> int:
        return self.principal_fen + self.fee_due_fen + self.penalty_due_fen


def _principal_payments(app: Application, repayments=None) -> list[tuple[dt.date, int]]:
    rows = repayments if repayments is not None else app.repayments.all()
    return [(r.paid_on, r.principal_fen) for r in rows if r.principal_fen]


def fee_accrued(app: Application, as_of: dt.date, repayments=None) -> int:
    """Occupation fee for the principal-days actually used up to ``as_of`` (never past the due date).

    Each repaid part of the principal is charged for the days from the draw to its repayment,
    both counted; the rest up to ``as_of``. Σ principal × days is priced once, rounded half-up
    once — for a single full repayment this is exactly ``rates.early_repayment_fee``.
    """
    if not app.disbursed_on:
        return 0
    last = min(as_of, app.due_date)
    principal_days = 0
    repaid = 0
    for paid_on, amount in _principal_payments(app, repayments):
        if paid_on <= as_of:
            principal_days += amount * rates.usage_days(app.disbursed_on, min(paid_on, app.due_date))
            repaid += amount
    if last >= app.disbursed_on:
        principal_days += (app.amount_fen - repaid) * rates.usage_days(app.disbursed_on, last)
    if app.rate_annual is not None:
        return rates.fee_fen_from_annual(principal_days, app.rate_annual, app.basis, 1)
    return rates.fee_fen(principal_days, app.rate_daily, 1)


def penalty_accrued(app: Application, as_of: dt.date, repayments=None) -> int:
    """Overdue penalty up to ``as_of``: Σ (unrepaid principal each overdue day) × rate ÷ basis, once.

    A principal amount repaid on day p still counts on day p (overdue days = actual repayment −
    agreed repayment, 第十七条 via ``rates.overdue_days``).
    """
    if not app.due_date or as_of <= app.due_date:
        return 0
    n = rates.overdue_days(app.due_date, as_of)
    principal_days = app.amount_fen * n
    for paid_on, amount in _principal_payments(app, repayments):
        principal_days -= amount * max(0, (as_of - max(paid_on, app.due_date)).days)
    return rates.penalty_fen(principal_days, app.penalty_annual_rate, 1, contract_lpr_1y=app.contract_lpr_1y, basis=app.basis)


def dues(app: Application, as_of: dt.date) -> Dues:
    reps = list(app.repayments.all())
    fee = fee_accrued(app, as_of, reps)
    pen = penalty_accrued(app, as_of, reps)
    return Dues(as_of=as_of, principal_fen=app.outstanding_fen, fee_accrued_fen=fee, fee_due_fen=max(0, fee - app.fee_paid_fen),
                penalty_accrued_fen=pen, penalty_due_fen=max(0, pen - app.penalty_paid_fen),
                overdue_days=rates.overdue_days(app.due_date, as_of) if app.due_date else 0)


def record_repayment(actor, app_id: int, *, paid_on: dt.date, principal_fen: int, fee_fen: int, penalty_fen: int,
                     payer: str = PayerKind.BORROWER, reference: str, on: dt.date | None = None) -> Repayment:
    """收回本金、占用费、违约金 (payer: the SME, the bank under joint liability, or recovery proceeds)."""
    today = _today(on)
    fund = _fund()
    _require_manager_org(actor, fund)
    _date(paid_on, "paid_on", "收款日期")
    principal = _fen(principal_fen, "principal_fen", "本金", allow_zero=True)
    fee = _fen(fee_fen, "fee_fen", "占用费", allow_zero=True)
    penalty = _fen(penalty_fen, "penalty_fen", "违约金", allow_zero=True)
    if principal + fee + penalty <= 0:
        raise DomainError("empty_repayment", "本金、占用费、违约金合计必须大于零", "principal_fen")
    if payer not in PayerKind.values:
        raise DomainError("invalid_payer", "付款方不正确", "payer")
    reference = _text(reference, "reference", "收款凭证号", max_length=80)
    with transaction.atomic():
        app = _locked_app(app_id)
        if app.status not in LIVE_LOAN_STATUSES:
            raise _status_error(app, "登记还款")
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


# ---------------------------------------------------------------------------------------------
# Recovery and fraud (第十三条、第十七条)
# ---------------------------------------------------------------------------------------------


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


def set_recovery_plan(actor, case_id: int, *, plan: str) -> RecoveryCase:
    """提出追偿方案 (第十三条)."""
    fund = _fund()
    _require_manager_org(actor, fund)
    plan = _text(plan, "plan", "追偿方案", max_length=5000)
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
        _bureau_notify(fund, f"{case.application.number} 追偿方案", plan[:500], obj=case, kind="bridge.recovery")
        return case


def add_recovery_action(actor, case_id: int, *, taken_on: dt.date, description: str, on: dt.date | None = None) -> RecoveryAction:
    """落实追偿措施 (第十三条): one dated entry per measure taken."""
    today = _today(on)
    fund = _fund()
    _require_manager_org(actor, fund)
    _date(taken_on, "taken_on", "日期")
    if taken_on > today:
        raise DomainError("future_date", "日期不能晚于今天", "taken_on")
    description = _text(description, "description", "追偿措施", max_length=500)
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
    today = _today(on)
    fund = _fund()
    _require_manager_org(actor, fund, head=True)
    findings = _text(findings, "findings", "认定事实", max_length=5000)
    legal_referral = _text(legal_referral, "legal_referral", "法律责任追究/移送说明", max_length=5000, required=False)
    with transaction.atomic():
        fund = _fund_locked()
        app = _locked_app(app_id)
        if app.status == AppStatus.WITHDRAWN:
            raise _status_error(app, "认定骗取")
        if app.fraud_findings.exists():
            raise DomainError("already_declared", "该业务已作出骗取认定")
        before = app.status
        until = add_years(today, BAN_YEARS)
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
        _bureau_notify(fund, f"骗取续贷过桥资金认定：{app.applicant.name}",
                       f"业务 {app.number}，未还本金 {format_yuan(app.outstanding_fen if app.is_disbursed else 0)}。认定事实：{findings[:200]}。"
                       f"已启动追缴程序，请市财政局开展追偿（第十七条）。{('移送说明：' + legal_referral[:200]) if legal_referral else ''}",
                       obj=finding, kind="bridge.fraud")
        notify(app.applicant, "续贷过桥资金骗取认定通知",
               f"经认定，贵单位在业务 {app.number} 中存在虚报、瞒报或骗取续贷过桥资金行为，{until.isoformat()} 前不再受理贵单位的申请；"
               "已启动追缴程序并依法追究法律责任（第十七条）。", obj=finding)
        if case is not None:
            notify(app.bank, f"{app.number} 已启动追缴", "借款人被认定骗取续贷过桥资金，请配合追缴。", obj=app)
            reevaluate_exposure(fund, actor, f"{app.number} 骗取追缴")
        return finding


# ---------------------------------------------------------------------------------------------
# Non-tax revenue (第十五条)
# ---------------------------------------------------------------------------------------------


def record_deposit_interest(actor, *, period_start: dt.date, period_end: dt.date, received_on: dt.date, amount_fen: int,
                            reference: str, on: dt.date | None = None) -> DepositInterest:
    today = _today(on)
    fund = _fund()
    _require_manager_org(actor, fund)
    for value, name, label in ((period_start, "period_start", "计息起日"), (period_end, "period_end", "计息止日"), (received_on, "received_on", "入账日期")):
        _date(value, name, label)
    if period_end < period_start:
        raise DomainError("invalid_period", "计息止日不能早于计息起日", "period_end")
    if received_on > today:
        raise DomainError("future_date", "入账日期不能晚于今天", "received_on")
    amount = _fen(amount_fen, "amount_fen", "利息金额")
    reference = _text(reference, "reference", "银行回单号", max_length=80)
    with transaction.atomic():
        row = DepositInterest.objects.create(period_start=period_start, period_end=period_end, received_on=received_on,
                                             amount_fen=amount, reference=reference, recorded_by=actor)
        audit.record(actor, "bridge.revenue.interest", row, summary={"amount_fen": amount, "received_on": received_on, "reference": reference})
        _bureau_notify(fund, "续贷过桥资金存款利息入账", f"{period_start.isoformat()} 至 {period_end.isoformat()} 存款利息 {format_yuan(amount)}"
                       f"（{received_on.isoformat()} 入账），将作为非税收入上缴（第十五条）。", obj=row)
        return row


@dataclass(frozen=True)
class RevenueBalance:
    fee_collected_fen: int
    interest_collected_fen: int
    penalty_collected_fen: int
    fee_remitted_fen: int
    interest_remitted_fen: int
    penalty_remitted_fen: int

    @property
    def fee_unremitted_fen(self) -> int:
        return self.fee_collected_fen - self.fee_remitted_fen

    @property
    def interest_unremitted_fen(self) -> int:
        return self.interest_collected_fen - self.interest_remitted_fen

    @property
    def penalty_unremitted_fen(self) -> int:
        return self.penalty_collected_fen - self.penalty_remitted_fen


def revenue_balance(upto: dt.date | None = None, *, all_remittances: bool = False) -> RevenueBalance:
    """Collected and remitted non-tax revenue as of ``upto``.

    ``all_remittances`` counts every remittance whatever its date: the check before a new
    (possibly back-dated) remittance uses it, so the same money can never be remitted twice.
    """
    reps = Repayment.objects.all()
    ints = DepositInterest.objects.all()
    rems = Remittance.objects.all()
    if upto:
        reps, ints = reps.filter(paid_on__lte=upto), ints.filter(received_on__lte=upto)
        if not all_remittances:
            rems = rems.filter(remitted_on__lte=upto)
    r = reps.aggregate(f=Sum("fee_fen"), p=Sum("penalty_fen"))
    m = rems.aggregate(f=Sum("fee_fen"), i=Sum("interest_fen"), p=Sum("penalty_fen"))
    return RevenueBalance(
        fee_collected_fen=int(r["f"] or 0), interest_collected_fen=int(ints.aggregate(s=Sum("amount_fen"))["s"] or 0),
        penalty_collected_fen=int(r["p"] or 0), fee_remitted_fen=int(m["f"] or 0), interest_remitted_fen=int(m["i"] or 0),
        penalty_remitted_fen=int(m["p"] or 0))


def record_remittance(actor, *, remitted_on: dt.date, fee_fen: int, interest_fen: int, penalty_fen: int, voucher_no: str,
                      on: dt.date | None = None) -> Remittance:
    """资金占用费和存款利息（及违约金）作为非税收入上缴市财政 (第十五条)."""
    today = _today(on)
    fund = _fund()
    _require_manager_org(actor, fund)
    _date(remitted_on, "remitted_on", "上缴日期")
    if remitted_on > today:
        raise DomainError("future_date", "上缴日期不能晚于今天", "remitted_on")
    fee = _fen(fee_fen, "fee_fen", "占用费", allow_zero=True)
    interest = _fen(interest_fen, "interest_fen", "存款利息", allow_zero=True)
    penalty = _fen(penalty_fen, "penalty_fen", "违约金", allow_zero=True)
    if fee + interest + penalty <= 0:
        raise DomainError("empty_remittance", "上缴金额合计必须大于零", "fee_fen")
    voucher_no = _text(voucher_no, "voucher_no", "非税收入缴款书号", max_length=80)
    try:
        with transaction.atomic():
            fund = _fund_locked()  # serialises remittances: no fen is remitted twice
            bal = revenue_balance(remitted_on, all_remittances=True)
            for amount, avail, name, label in ((fee, bal.fee_unremitted_fen, "fee_fen", "占用费"),
                                               (interest, bal.interest_unremitted_fen, "interest_fen", "存款利息"),
                                               (penalty, bal.penalty_unremitted_fen, "penalty_fen", "违约金")):
                if amount > avail:
                    raise DomainError("exceeds_unremitted", f"{label} {format_yuan(amount)} 超过截至 {remitted_on.isoformat()} 已收未缴金额 {format_yuan(avail)}", name)
            if Remittance.objects.filter(voucher_no=voucher_no).exists():
                raise DomainError("voucher_taken", f"缴款书号“{voucher_no}”已登记", "voucher_no")
            rem = Remittance.objects.create(remitted_on=remitted_on, fee_fen=fee, interest_fen=interest, penalty_fen=penalty,
                                            voucher_no=voucher_no, recorded_by=actor)
            audit.record(actor, "bridge.revenue.remit", rem, summary={"fee_fen": fee, "interest_fen": interest, "penalty_fen": penalty, "voucher_no": voucher_no})
            _bureau_notify(fund, "续贷过桥资金非税收入上缴", f"{remitted_on.isoformat()} 上缴 {format_yuan(rem.total_fen)}"
                           f"（占用费 {format_yuan(fee)}、存款利息 {format_yuan(interest)}、违约金 {format_yuan(penalty)}），缴款书 {voucher_no}。", obj=rem)
            return rem
    except IntegrityError as exc:
        raise DomainError("voucher_taken", f"缴款书号“{voucher_no}”已登记", "voucher_no") from exc


# ---------------------------------------------------------------------------------------------
# Quarterly report (第十二条、第二十四条)
# ---------------------------------------------------------------------------------------------


def generate_report(actor, *, year: int, quarter: int, on: dt.date | None = None) -> QuarterlyReport:
    """Create or refresh the draft for a finished quarter (the daily job does it on day one)."""
    from . import reports

    today = _today(on)
    fund = _fund()
    if actor != SYSTEM:  # the quarterly job; anyone else must be the fund manager (None is refused)
        _require_manager_org(actor, fund)
    if quarter not in (1, 2, 3, 4) or not isinstance(year, int) or year < 2000:
        raise DomainError("invalid_quarter", "年度或季度不正确", "quarter")
    _start, end = reports.quarter_bounds(year, quarter)
    if end >= today:
        raise DomainError("quarter_not_over", f"{year} 年第 {quarter} 季度尚未结束", "quarter")
    if end < fund.established_on:
        raise DomainError("before_fund", "该季度早于资金设立日期", "quarter")
    with transaction.atomic():
        report = QuarterlyReport.objects.select_for_update().filter(year=year, quarter=quarter).first()
        if report and report.status == ReportStatus.SUBMITTED:
            raise DomainError("already_submitted", "该季度报告已报送，不能重新生成")
        figures = reports.compute_figures(year, quarter, today)
        created = report is None
        if created:
            report = QuarterlyReport(year=year, quarter=quarter, due_date=reports.due_date(year, quarter))
        report.figures, report.generated_at = figures, timezone.now()
        report.save()
        audit.record(actor or SYSTEM, "bridge.report.generate", report, summary={"year": year, "quarter": quarter, "created": created,
                                                                                  "volume_fen": figures["quarter"]["volume_fen"]})
        if created:
            _manager_notify(fund, f"{report} 续贷过桥资金报告草稿已生成",
                            f"请补充使用管理情况，并于 {report.due_date.isoformat()} 前报送市财政局（第二十四条）。", obj=report, kind="bridge.report")
        return report


def submit_report(actor, report_id: int, *, narrative: str, on: dt.date | None = None) -> QuarterlyReport:
    from . import reports

    today = _today(on)
    fund = _fund()
    _require_manager_org(actor, fund, head=True)
    narrative = _text(narrative, "narrative", "使用管理情况及其他需要报告的情况", max_length=10000)
    with transaction.atomic():
        report = QuarterlyReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None:
            raise NotFound("季度报告不存在")
        if report.status == ReportStatus.SUBMITTED:
            raise DomainError("already_submitted", "该季度报告已报送")
        report.figures = reports.compute_figures(report.year, report.quarter, today)
        report.generated_at = timezone.now()
        report.narrative, report.status = narrative, ReportStatus.SUBMITTED
        report.submitted_by, report.submitted_at, report.submitted_on = actor, timezone.now(), today
        report.late = report.late or today > report.due_date
        report.save()
        audit.record(actor, "bridge.report.submit", report, summary={"year": report.year, "quarter": report.quarter, "late": report.late})
        _bureau_notify(fund, f"{report} 续贷过桥资金报告已报送",
                       f"{fund.manager.name}报送了 {report.title}{'（逾期报送）' if report.late else ''}。", obj=report, kind="bridge.report")
        return report
