"""The finance bureau's oversight records: an inspection (第十四条、第二十六条) and a sanction on the
fund manager or one of its officers (第十八条), with the referral to the financial regulator
(提请桐城金融监管支局处理) sent to every regulator organisation's inbox.

Only the fund's bureau records them (the manager cannot sanction itself). Every action checks who
is asking, validates (Chinese message naming the field), writes, appends an audit event and
notifies — all in one ``transaction.atomic()``; a ``DomainError`` means nothing was changed.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from liuzhuan.core import audit
from liuzhuan.core.errors import DomainError
from liuzhuan.core.roles import Role
from liuzhuan.members.actions import notify, notify_role
from liuzhuan.members.models import Organisation, User

from .. import inputs
from ..fund.actions import lock_fund, notify_manager, require_bureau
from ..fund.queries import require_fund
from ..models.banks import BankAgreement
from ..models.oversight import Inspection, InspectionKind, MisconductItem, Sanction


def record_inspection(actor, *, inspected_on: dt.date, kind: str, inspector: str, findings: str, follow_up: str = "",
                      bank_id: int | None = None, on: dt.date | None = None) -> Inspection:
    """定期、不定期检查 or an audit by an intermediary: date, inspector, findings, follow-up."""
    today = inputs.today(on)
    fund = require_fund()
    require_bureau(actor, fund)
    inputs.date(inspected_on, "inspected_on", "检查日期")
    if inspected_on > today:
        raise DomainError("future_date", "检查日期不能晚于今天", "inspected_on")
    if inspected_on < fund.established_on:
        raise DomainError("before_fund", f"检查日期不能早于资金设立日期 {fund.established_on.isoformat()}", "inspected_on")
    if kind not in InspectionKind.values:
        raise DomainError("invalid_kind", "请选择检查方式（定期、不定期或委托中介机构审计评估）", "kind")
    inspector = inputs.text(inspector, "inspector", "检查人员/受托中介机构", max_length=200)
    findings = inputs.text(findings, "findings", "检查发现", max_length=5000)
    follow_up = inputs.text(follow_up, "follow_up", "整改要求/后续处理", max_length=5000, required=False)
    bank = None
    if bank_id is not None:
        bank = Organisation.objects.filter(pk=bank_id).first()
        if bank is None or not BankAgreement.objects.filter(bank=bank).exists():
            raise DomainError("not_a_partner_bank", "被检查银行须为签订过合作监管协议的合作银行", "bank_id")
    with transaction.atomic():
        fund = lock_fund()
        ins = Inspection.objects.create(inspected_on=inspected_on, kind=kind, inspector=inspector, bank=bank, findings=findings,
                                        follow_up=follow_up, recorded_by=actor)
        audit.record(actor, "bridge.oversight.inspection", ins, summary={"after": {
            "inspected_on": inspected_on, "kind": kind, "inspector": inspector, "bank": bank.name if bank else None,
            "findings": findings[:500], "follow_up": follow_up[:500]}})
        what = f"对{bank.name}续贷过桥资金使用情况" if bank else "续贷过桥资金运行情况"
        body = f"{inspected_on.isoformat()} {InspectionKind(kind).label}（{inspector}）：{what}。检查发现：{findings[:300]}"
        if follow_up:
            body += f"。整改要求：{follow_up[:300]}"
        notify_manager(fund, "市财政局监督检查结果", body, obj=ins, kind="bridge.oversight")
        if bank:
            notify(bank, "市财政局监督检查结果", body, obj=ins, kind="bridge.oversight")
        return ins


def record_sanction(actor, *, item: str, findings: str, officer_id: int | None = None, cancel_qualification: bool = False,
                    legal_liability: bool = False, regulator_referral: bool = False, referral_note: str = "",
                    on: dt.date | None = None) -> Sanction:
    """第十八条: the bureau records misconduct of the fund manager (or one of its officers) and the
    measures taken; a referral goes to the financial regulator's inbox."""
    today = inputs.today(on)
    fund = require_fund()
    require_bureau(actor, fund)
    if item not in MisconductItem.values:
        raise DomainError("invalid_item", "请选择违规情形（第十八条第一至三项）", "item")
    findings = inputs.text(findings, "findings", "认定事实", max_length=5000)
    flags = {"cancel_qualification": cancel_qualification, "legal_liability": legal_liability, "regulator_referral": regulator_referral}
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise DomainError("invalid_flag", "处理措施只能选择是或否", name)
    if not any(flags.values()):
        raise DomainError("measure_required", "请至少选择一项处理措施：取消资格、追究法律责任或提请金融监管支局处理（第十八条）",
                          "regulator_referral")
    referral_note = inputs.text(referral_note, "referral_note", "提请处理事项", max_length=5000, required=regulator_referral)
    officer = None
    if officer_id is not None:
        officer = User.objects.filter(pk=officer_id, organisation_id=fund.manager_id).first()
        if officer is None:
            raise DomainError("not_an_officer", "经办人员须为管理机构的工作人员", "officer_id")
    with transaction.atomic():
        fund = lock_fund()
        s = Sanction.objects.create(organisation_id=fund.manager_id, officer=officer, item=item, findings=findings, decided_on=today,
                                    referral_note=referral_note, decided_by=actor, **flags)
        audit.record(actor, "bridge.oversight.sanction", s, summary={"after": {
            "organisation": fund.manager.name, "officer": officer.username if officer else None, "item": item, **flags,
            "findings": findings[:500], "referral_note": referral_note[:500]}})
        who = f"{fund.manager.name}{('经办人员 ' + str(officer)) if officer else ''}"
        measures = "、".join(s.measures)
        body = f"{who}：{MisconductItem(item).label}。认定事实：{findings[:300]}。处理措施：{measures}（第十八条）。"
        notify_manager(fund, "市财政局违规处理决定", body, obj=s, kind="bridge.oversight")
        if regulator_referral:
            notify_role(Role.REGULATOR, f"提请处理：{who}续贷过桥资金违规", f"{body}提请事项：{referral_note[:500]}",
                        obj=s, kind="bridge.referral")
        return s
