"""Fund operations — the only code that changes the fund: establishment (第五条), the bureau's
principal changes (第十一条), the turnover target (第二十五条), the exposure switch, warning line,
叫停 and resumption (第二十二条), the LPR table and the manager's fee settings (第七条、第十七条).

Every action checks who is asking, validates (``DomainError`` with a Chinese message naming the
field), locks the fund row first, writes, appends an audit event and notifies — all in one
``transaction.atomic()``; a ``DomainError`` means nothing was changed.

The helpers at the top (``lock_fund``, ``require_manager_org``, ``require_bureau``,
``require_open``, ``notify_manager``, ``notify_bureau``) are used by every later stage.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied
from liuzhuan.core.money import format_yuan
from liuzhuan.core.permissions import require_manager, require_role
from liuzhuan.core.roles import Role
from liuzhuan.members.actions import notice, notify, notify_all
from liuzhuan.members.models import Organisation, OrgStatus

from .. import inputs
from ..models.fund import (
    DayBasis,
    Fund,
    FundStatus,
    FundStatusChange,
    LprRate,
    PrincipalChange,
    PrincipalKind,
    RateSetting,
    RequestStatus,
    ResumeRequest,
)
from ..rates.common import BridgeError, per_10k_str
from ..rates.fees import (
    cap_daily_rate,
    check_daily_rate,
    check_multiplier,
    entrusted_annual_rate,
    exact_daily_rate,
)
from ..rates.lpr import LPR_REFORM_DATE, LprUnavailable, jan1_lpr
from ..rates.penalty import check_penalty_rate
from .queries import exposure, get_fund, lpr_table, require_fund
from .rules import SUSPEND_THRESHOLD_PERCENT, uscc_region, valid_region_prefix

#: actor name on events written by the daily job
SYSTEM = "system:bridge-daily"


# ---------------------------------------------------------------------------------------------
# What every stage's actions use: the fund row, who may act for it, the open/suspended check, notices
# ---------------------------------------------------------------------------------------------


def lock_fund() -> Fund:
    fund = Fund.objects.select_for_update().filter(pk=1).first()
    if fund is None:
        raise DomainError("no_fund", "续贷过桥资金尚未设立，请市财政局先设立资金")
    return fund


def require_manager_org(actor, fund: Fund, *, head: bool = False) -> None:
    """A user of the fund's manager organisation; ``head``: its 负责人 (manager position)."""
    require_role(actor, Role.FUND_MANAGER)
    if actor.organisation_id != fund.manager_id:
        raise PermissionDenied("您所在机构不是本续贷过桥资金的管理机构", code="not_fund_manager")
    if head:
        require_manager(actor)


def require_bureau(actor, fund: Fund) -> None:
    require_role(actor, Role.BUREAU)
    if actor.organisation_id != fund.bureau_id:
        raise PermissionDenied("您所在机构不是本续贷过桥资金的出资财政部门", code="not_fund_bureau")


def _suspended_error(fund: Fund, doing: str) -> DomainError:
    return DomainError(
        "fund_suspended",
        f"续贷过桥资金业务已暂停（{fund.status_reason or '风险控制'}），暂停期间不能{doing}；"
        "风险敞口降至本金总额 30% 以下并经市财政局批准后方可恢复（第二十二条）",
    )


def require_open(fund: Fund, doing: str) -> None:
    if fund.status != FundStatus.OPEN:
        raise _suspended_error(fund, doing)


def live_exposure_refusal(fund: Fund, actor, doing: str, today: dt.date) -> DomainError | None:
    """第二十二条 checked live before money is committed (approval, disbursement), not only by the
    daily job: exposure counts loans past their last allowed day on ``today`` even when the daily
    job has not marked them overdue yet; at 30 % the business is suspended here exactly as the daily
    job would do it. ``fund`` must be locked by the caller.

    Returns the refusal (or None). The caller must let its transaction commit — so a suspension
    made here stays — and raise the refusal after it: the action itself changes nothing else.
    """
    if fund.status == FundStatus.OPEN:
        reevaluate_exposure(fund, actor, f"{doing}时实时风险监测（{today.isoformat()}）", on=today)
    return None if fund.status == FundStatus.OPEN else _suspended_error(fund, doing)


def notify_manager(fund: Fund, title: str, body: str, obj=None, kind: str = "bridge") -> None:
    notify(fund.manager, title, body, obj=obj, kind=kind)


def notify_bureau(fund: Fund, title: str, body: str, obj=None, kind: str = "bridge") -> None:
    notify(fund.bureau, title, body, obj=obj, kind=kind)


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
    fund = require_fund()
    require_bureau(actor, fund)
    value = inputs.decimal(warn_percent, "warn_percent", "预警线", places=0)
    if not 1 <= value < SUSPEND_THRESHOLD_PERCENT:
        raise DomainError("invalid_warn_percent", f"预警线应在 1% 至 {SUSPEND_THRESHOLD_PERCENT - 1}% 之间（低于 30% 的暂停线）", "warn_percent")
    value = int(value)
    with transaction.atomic():
        fund, changed = _change_setting(
            actor, "warn_percent", value, note, action="bridge.fund.warn_level", title="风险预警线调整",
            text=lambda before: f"市财政局将续贷过桥资金风险预警线由 {before}% 调整为 {value}%（暂停线 30% 不变）。")
        if changed:
            reevaluate_exposure(fund, actor, f"预警线调整为 {value}%")
        return fund


def reevaluate_exposure(fund: Fund, actor, reason: str, on: dt.date | None = None) -> bool:
    """Suspend the business when exposure reaches 30 %, and raise or clear the early warning.
    ``fund`` must be locked by the caller. With ``on``, loans past due that day count as at risk
    even before the daily job marks them (``fund.queries.at_risk_fen``).

    Never resumes by itself: that needs exposure below 30 % *and* the bureau's approval
    (``decide_resume``). Returns True when it suspended.
    """
    exp = exposure(fund, on)
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


def _region_code(value, default: str = "") -> str:
    code = inputs.text(value if value not in (None, "") else default, "region_code", "本市行政区划代码", max_length=6)
    if not valid_region_prefix(code):
        raise DomainError("invalid_region_code", f"本市行政区划代码“{code}”应为 2、4 或 6 位数字（如桐城市 340881），"
                          "与统一社会信用代码第 3–8 位比较", "region_code")
    return code


def establish_fund(actor, *, name: str, manager_org_id: int, established_on: dt.date,
                   annual_turnover_target: Decimal = Decimal("0"), region_code: str | None = None) -> Fund:
    """市财政局出资设立并委托管理机构管理 (第五条). Once per deployment. The city (本市, 第三条) is
    ``region_code``; by default the region of the bureau's own 统一社会信用代码."""
    require_role(actor, Role.BUREAU)
    name = inputs.text(name, "name", "资金名称", max_length=100)
    region = _region_code(region_code, uscc_region(actor.organisation.legal_id))
    inputs.date(established_on, "established_on", "设立日期")
    target = inputs.decimal(annual_turnover_target, "annual_turnover_target", "年度周转率目标", places=2)
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
            annual_turnover_target=target, region_code=region,
        )
        audit.record(actor, "bridge.fund.establish", fund, summary={"after": {
            "name": name, "manager": manager.name, "established_on": established_on, "target": str(target),
            "region_code": region}})
        notify(manager, "受托管理续贷过桥资金", f"{actor.organisation.name}设立“{name}”并委托贵单位管理（第五条）。", obj=fund)
        return fund


def change_principal(actor, *, kind: str, amount_fen: int, effective_on: dt.date, document_no: str,
                     note: str = "", on: dt.date | None = None) -> PrincipalChange:
    """Bureau contribution (出资) or withdrawal (调回). The manager cannot block it (第十一条)."""
    today = inputs.today(on)
    fund = require_fund()
    require_bureau(actor, fund)
    if kind not in PrincipalKind.values:
        raise DomainError("invalid_kind", "本金变动类型只能是财政出资或财政调回", "kind")
    amount = inputs.fen(amount_fen, "amount_fen", "金额")
    inputs.date(effective_on, "effective_on", "生效日期")
    document_no = inputs.text(document_no, "document_no", "文件/凭证号", max_length=100)
    note = inputs.text(note, "note", "说明", max_length=300, required=False)
    if effective_on > today:
        raise DomainError("future_date", "生效日期不能晚于今天", "effective_on")
    if effective_on < fund.established_on:
        raise DomainError("before_fund", f"生效日期不能早于资金设立日期 {fund.established_on.isoformat()}", "effective_on")
    with transaction.atomic():
        fund = lock_fund()
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
        notify_manager(fund, f"续贷过桥资金本金变动：{label}",
                       f"{label} {format_yuan(amount)}（{document_no}），本金总额由 {format_yuan(before)} 变为 {format_yuan(after)}。"
                       "市财政局的资金调度权不受资金管理权对抗（第十一条）。", obj=change)
        reevaluate_exposure(fund, actor, f"本金{label}")
        return change


def set_turnover_target(actor, target, note: str = "") -> Fund:
    fund = require_fund()
    require_bureau(actor, fund)
    value = inputs.decimal(target, "annual_turnover_target", "年度周转率目标", places=2)
    if value < 0 or value >= 10000:
        raise DomainError("invalid_target", "年度周转率目标应在 0 至 9999.99 次之间", "annual_turnover_target")
    with transaction.atomic():
        return _change_setting(
            actor, "annual_turnover_target", value, note, action="bridge.fund.target", title="年度资金周转率考核目标调整",
            text=lambda before: f"年度周转率目标由 {before} 次调整为 {value} 次（第二十五条）。")[0]


def set_region(actor, region_code: str, note: str = "") -> Fund:
    """The bureau sets the city (本市, 第三条、第八条（一）): the region prefix applicants' and partner
    banks' 统一社会信用代码 must carry. Applies to later applications and agreements."""
    fund = require_fund()
    require_bureau(actor, fund)
    region = _region_code(region_code)
    with transaction.atomic():
        return _change_setting(
            actor, "region_code", region, note, action="bridge.fund.region", title="本市行政区划代码调整",
            text=lambda before: f"市财政局将续贷过桥资金受理地域由 {before or '未设定'} 调整为 {region}。")[0]


def _change_setting(actor, field: str, value, note: str, *, action: str, title: str, text) -> tuple[Fund, bool]:
    """One of the bureau's fund settings (预警线, 周转率目标, 本市): inside the caller's transaction,
    lock the fund, and when the value really changes save it, audit before/after with the note and
    tell the manager (``text(before)`` + note). Returns the fund and whether it changed."""
    note = inputs.text(note, "note", "说明", max_length=200, required=False)
    fund = lock_fund()
    before = getattr(fund, field)
    if before == value:
        return fund, False
    setattr(fund, field, value)
    fund.save(update_fields=[field])
    audit.record(actor, action, fund, summary={"before": str(before) if isinstance(before, Decimal) else before,
                                               "after": str(value) if isinstance(value, Decimal) else value, "note": note})
    notify_manager(fund, title, f"{text(before)}{note}", obj=fund)
    return fund, True


def bureau_suspend(actor, reason: str) -> Fund:
    """市财政局业务叫停机制 (第二十二条): the bureau halts the business at any time."""
    fund = require_fund()
    require_bureau(actor, fund)
    reason = inputs.text(reason, "reason", "叫停原因", max_length=300)
    with transaction.atomic():
        fund = lock_fund()
        if fund.status == FundStatus.SUSPENDED:
            raise DomainError("already_suspended", "续贷过桥资金业务已处于暂停状态")
        exp = exposure(fund)
        fund.status = FundStatus.SUSPENDED
        fund.status_reason = f"市财政局叫停：{reason}"
        fund.status_changed_at = timezone.now()
        fund.save(update_fields=["status", "status_reason", "status_changed_at"])
        change = FundStatusChange.objects.create(
            from_status=FundStatus.OPEN, to_status=FundStatus.SUSPENDED, reason=fund.status_reason,
            at_risk_fen=exp.at_risk_fen, principal_fen=exp.principal_fen, decided_by=actor)
        audit.record(actor, "bridge.fund.bureau_suspend", fund, summary={"before": {"status": "open"}, "after": {"status": "suspended"}, "reason": reason})
        notify_manager(fund, "市财政局叫停续贷过桥资金业务", f"叫停原因：{reason}。暂停期间不得审批和放款。", obj=change, kind="bridge.risk")
        return fund


def request_resume(actor, note: str) -> ResumeRequest:
    """The manager reports exposure below 30 % and asks the bureau to resume (第二十二条)."""
    fund = require_fund()
    require_manager_org(actor, fund, head=True)
    note = inputs.text(note, "note", "报告说明", max_length=500)
    with transaction.atomic():
        fund = lock_fund()
        if fund.status != FundStatus.SUSPENDED:
            raise DomainError("not_suspended", "续贷过桥资金业务未暂停，无需申请恢复")
        exp = exposure(fund)
        if exp.breached:
            raise DomainError("exposure_too_high", f"风险敞口 {exp.percent} 仍不低于本金总额的 30%，不能申请恢复业务（第二十二条）")
        if ResumeRequest.objects.filter(status=RequestStatus.PENDING).exists():
            raise DomainError("request_pending", "已有待市财政局批准的恢复申请")
        req = ResumeRequest.objects.create(note=note, at_risk_fen=exp.at_risk_fen, principal_fen=exp.principal_fen, requested_by=actor)
        audit.record(actor, "bridge.fund.resume_request", req, summary={"at_risk_fen": exp.at_risk_fen, "principal_fen": exp.principal_fen, "note": note})
        notify_bureau(fund, "恢复续贷过桥资金业务申请待批准",
                      f"风险敞口已降至 {exp.percent}（风险本金 {format_yuan(exp.at_risk_fen)}）。说明：{note}", obj=req)
        return req


def decide_resume(actor, request_id: int, *, approve: bool, note: str = "") -> ResumeRequest:
    """经市财政局批准方可恢复业务: approval needs exposure below 30 % at decision time."""
    fund = require_fund()
    require_bureau(actor, fund)
    note = inputs.text(note, "note", "批复意见", max_length=500, required=not approve)
    with transaction.atomic():
        fund = lock_fund()
        req = ResumeRequest.objects.select_for_update().filter(pk=request_id).first()
        if req is None:
            raise NotFound("恢复申请不存在")
        if req.status != RequestStatus.PENDING:
            raise DomainError("already_decided", "该恢复申请已批复")
        exp = exposure(fund)
        req.decided_by, req.decided_at, req.decision_note = actor, timezone.now(), note
        if approve:
            if exp.breached:  # with the bureau's approval only the 30 % line decides (rules.next_suspended)
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
        notify_manager(fund, title, note or ("同意恢复业务。" if approve else ""), obj=req)
        return req


# ---------------------------------------------------------------------------------------------
# LPR table (maintained by the bureau) and the manager's fee settings (第七条、第十七条)
# ---------------------------------------------------------------------------------------------


def _lpr_value(value, field_name: str, label: str) -> Decimal:
    d = inputs.decimal(value, field_name, label, places=2)
    if d <= 0 or d >= 100:
        raise DomainError("invalid_lpr", f"{label}应大于 0 且小于 100（单位：%）", field_name)
    return d


def set_lpr(actor, *, effective_date: dt.date, lpr_1y, lpr_5y, note: str = "", on: dt.date | None = None) -> LprRate:
    """Add or correct one LPR row (percent). Warns the manager when the rate in force exceeds the cap."""
    today = inputs.today(on)
    fund = get_fund()
    require_role(actor, Role.BUREAU)
    if fund is not None and actor.organisation_id != fund.bureau_id:
        raise PermissionDenied("您所在机构不是本续贷过桥资金的出资财政部门", code="not_fund_bureau")
    inputs.date(effective_date, "effective_date", "生效日")
    if effective_date < LPR_REFORM_DATE:
        raise DomainError("before_reform", "贷款市场报价利率新机制自 2019-08-20 起报价，生效日不能早于该日", "effective_date")
    if effective_date > today:
        raise DomainError("future_date", "生效日不能晚于今天（LPR 于公布当日起执行）", "effective_date")
    one = _lpr_value(lpr_1y, "lpr_1y", "一年期 LPR")
    five = _lpr_value(lpr_5y, "lpr_5y", "五年期以上 LPR")
    note = inputs.text(note, "note", "说明", max_length=200, required=False)
    with transaction.atomic():
        if fund is not None:
            fund = lock_fund()
        row = LprRate.objects.select_for_update().filter(effective_date=effective_date).first()
        before = None if row is None else {"lpr_1y": str(row.lpr_1y), "lpr_5y": str(row.lpr_5y)}
        if row is None:
            row = LprRate(effective_date=effective_date)
        row.lpr_1y, row.lpr_5y, row.note, row.updated_by, row.updated_at = one, five, note, actor, timezone.now()
        row.save()
        audit.record(actor, "bridge.lpr.set", row, summary={"effective_date": effective_date, "before": before,
                                                            "after": {"lpr_1y": str(one), "lpr_5y": str(five)}})
        if fund is not None:
            notify_manager(fund, "LPR 数据更新", f"{effective_date.isoformat()} 起一年期 LPR {one}%，五年期以上 LPR {five}%。", obj=row)
            check_rates_against_cap(fund, actor, today)
        return row


def check_rates_against_cap(fund: Fund, actor, today: dt.date) -> bool:
    """Alert the manager (once per LPR row and setting) when its rates exceed the caps in force.

    New loans are priced by ``rates.quote.quote``, which applies the statutory cap (以法定利率上限优先执行);
    the penalty rate is refused at disbursement until the manager lowers it. ``fund`` is locked.
    """
    table = lpr_table()
    try:
        cap = cap_daily_rate(today, fund.day_basis, table)
    except LprUnavailable:
        return False
    problems = []
    if fund.self_daily_rate is not None and exact_daily_rate(fund.self_daily_rate, None, fund.day_basis) > cap.exact_daily_rate:
        problems.append(f"自营日利率 {per_10k_str(fund.self_daily_rate)} 超过当前上限 {per_10k_str(cap.daily_rate)}"
                        f"（{cap.describe()}），新发放业务将按上限执行")
    contract_lprs = [cap.lpr.lpr_1y]
    try:
        contract_lprs.append(jan1_lpr(today.year, table).lpr_1y)
    except LprUnavailable:
        pass
    refusal = check_penalty_rate(fund.penalty_annual_rate, min(contract_lprs))
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
    notify_manager(fund, "利率超过法定上限提醒", "；".join(problems) + "。请负责人在“利率与LPR”页面调整设定（第七条、第十七条）。",
                   obj=fund, kind="bridge.rates")
    return True


def set_rates(actor, *, day_basis: int, self_daily_rate, entrusted_multiplier, penalty_annual_rate,
              note: str = "", on: dt.date | None = None) -> RateSetting:
    """管理机构自行确定占用费率 (第七条), validated against both caps; penalty ≤ 4 × LPR (第十七条)."""
    today = inputs.today(on)
    fund = require_fund()
    require_manager_org(actor, fund, head=True)
    if day_basis not in DayBasis.values:
        raise DomainError("invalid_basis", f"计息基准“{day_basis}”无效，只能是 360 或 365 天", "day_basis")
    table = lpr_table()
    cap = cap_daily_rate(today, day_basis, table)
    rate = None
    if self_daily_rate not in (None, ""):
        rate = inputs.decimal(self_daily_rate, "self_daily_rate", "自营日利率", places=8)
        try:
            check_daily_rate(rate)
        except BridgeError as exc:
            raise DomainError(exc.code, exc.message, "self_daily_rate") from exc
        if exact_daily_rate(rate, None, day_basis) > cap.exact_daily_rate:
            raise DomainError("rate_over_cap",
                              f"自营日利率 {per_10k_str(rate)} 超过 {today.isoformat()} 的法定上限 "
                              f"{per_10k_str(cap.daily_rate)}（{cap.describe()}，第七条）", "self_daily_rate")
    mult = inputs.decimal(entrusted_multiplier, "entrusted_multiplier", "委托业务 LPR 倍数", places=4)
    try:
        check_multiplier(mult)
    except BridgeError as exc:
        raise DomainError(exc.code, exc.message, "entrusted_multiplier") from exc
    try:
        ent_annual = entrusted_annual_rate(today.year, mult, table)
    except LprUnavailable:
        ent_annual = None
    if ent_annual is not None and exact_daily_rate(Decimal(0), ent_annual, day_basis) > cap.exact_daily_rate:
        raise DomainError("multiplier_over_cap", f"按 LPR 倍数 {mult} 折算的委托业务日利率超过法定上限 {per_10k_str(cap.daily_rate)}",
                          "entrusted_multiplier")
    penalty = inputs.decimal(penalty_annual_rate, "penalty_annual_rate", "违约金年利率", places=6)
    if penalty < 0:
        raise DomainError("invalid_penalty", "违约金年利率不能为负", "penalty_annual_rate")
    contract_lprs = [cap.lpr.lpr_1y]
    try:
        contract_lprs.append(jan1_lpr(today.year, table).lpr_1y)
    except LprUnavailable:
        pass
    for lpr in sorted(contract_lprs):
        refusal = check_penalty_rate(penalty, lpr)
        if refusal:
            raise DomainError("penalty_over_cap", refusal, "penalty_annual_rate")
    note = inputs.text(note, "note", "说明", max_length=300, required=False)
    with transaction.atomic():
        fund = lock_fund()
        before = {"day_basis": fund.day_basis, "self_daily_rate": str(fund.self_daily_rate),
                  "entrusted_multiplier": str(fund.entrusted_multiplier), "penalty_annual_rate": str(fund.penalty_annual_rate)}
        fund.day_basis, fund.self_daily_rate, fund.entrusted_multiplier, fund.penalty_annual_rate = day_basis, rate, mult, penalty
        fund.cap_alert_key = ""
        fund.save(update_fields=["day_basis", "self_daily_rate", "entrusted_multiplier", "penalty_annual_rate", "cap_alert_key"])
        setting = RateSetting.objects.create(
            day_basis=day_basis, self_daily_rate=rate, entrusted_multiplier=mult, penalty_annual_rate=penalty,
            cap_daily_rate_then=f"{per_10k_str(cap.daily_rate)}（{cap.describe()}）", note=note, set_by=actor)
        audit.record(actor, "bridge.rates.set", setting, summary={"before": before, "after": {
            "day_basis": day_basis, "self_daily_rate": str(rate), "entrusted_multiplier": str(mult), "penalty_annual_rate": str(penalty)}})
        notify_bureau(fund, "续贷过桥资金费率设定变更",
                      f"计息基准 {day_basis} 天；自营日利率 {per_10k_str(rate) if rate is not None else '按法定上限'}"
                      f"（当前上限 {per_10k_str(cap.daily_rate)}）；委托业务 LPR 倍数 {mult}；违约金年利率 {penalty}。", obj=setting)
        return setting
