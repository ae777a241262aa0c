"""Partner bank operations (第六条、第十八条、第二十条): registering the supervision agreement (it
must stipulate the bank's joint liability for principal and fee), suspending, reactivating and
terminating the cooperation. One transaction each, with audit event and notices."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.errors import DomainError, NotFound
from liuzhuan.core.roles import Role
from liuzhuan.members.actions import notify
from liuzhuan.members.models import Organisation, OrgStatus

from .. import inputs
from ..fund.actions import notify_bureau, notify_manager, require_bureau, require_manager_org
from ..fund.queries import require_fund
from ..fund.rules import in_region, uscc_region
from ..models.banks import AgreementChangeArticle, AgreementStatus, AgreementStatusChange, BankAgreement
from .queries import live_agreement


def create_agreement(actor, *, bank_id: int, number: str, signed_on: dt.date, valid_from: dt.date, valid_until: dt.date,
                     joint_liability_principal: bool, joint_liability_fee: bool, entrusted_allowed: bool = False,
                     branch_region: str | None = None) -> BankAgreement:
    """登记合作监管协议. ``branch_region``: where the bank's branch is (by default the region of its
    统一社会信用代码); it must be in the city (第六条「桐城市域内银行机构」)."""
    fund = require_fund()
    require_manager_org(actor, fund, head=True)
    number = inputs.text(number, "number", "协议编号", max_length=60)
    for value, name, label in ((signed_on, "signed_on", "签订日期"), (valid_from, "valid_from", "生效日期"), (valid_until, "valid_until", "到期日期")):
        inputs.date(value, name, label)
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
    region = inputs.text(branch_region if branch_region not in (None, "") else uscc_region(bank.legal_id), "branch_region",
                         "经办行所在地行政区划代码", max_length=6)
    if not (region.isdigit() and len(region) == 6):
        raise DomainError("invalid_branch_region", f"经办行所在地行政区划代码“{region}”应为 6 位数字", "branch_region")
    if not in_region(region, fund.region_code):
        raise DomainError("bank_not_local", f"{bank.name}经办行所在地（{region}）不在本市行政区域（区划代码 {fund.region_code}）："
                          "只能委托本市域内银行机构办理本行续贷过桥资金业务（第六条）", "branch_region")
    try:
        with transaction.atomic():
            if live_agreement(bank.pk):
                raise DomainError("agreement_exists", f"{bank.name}已有未终止的合作协议", "bank_id")
            if BankAgreement.objects.filter(number=number).exists():
                raise DomainError("number_taken", f"协议编号“{number}”已存在", "number")
            ag = BankAgreement.objects.create(
                bank=bank, number=number, signed_on=signed_on, valid_from=valid_from, valid_until=valid_until,
                joint_liability_principal=True, joint_liability_fee=True, entrusted_allowed=bool(entrusted_allowed),
                branch_region=region, created_by=actor)
            audit.record(actor, "bridge.agreement.create", ag, summary={"after": {
                "bank": bank.name, "number": number, "valid_from": valid_from, "valid_until": valid_until,
                "entrusted_allowed": bool(entrusted_allowed), "branch_region": region}})
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
    fund = require_fund()
    if action not in AGREEMENT_ACTIONS:
        raise DomainError("invalid_action", "操作只能是暂停合作、恢复合作或取消合作资格", "action")
    if article not in AgreementChangeArticle.values:
        raise DomainError("invalid_article", "依据条款不正确", "article")
    # the manager's 负责人 decides; the bureau (supervisor, 第十四条) may also cancel a bank's qualification
    if action == "terminate" and actor.organisation_id == fund.bureau_id:
        require_bureau(actor, fund)
    else:
        require_manager_org(actor, fund, head=True)
    reason = inputs.text(reason, "reason", "原因", max_length=500)
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
            notify_manager(fund, f"市财政局取消{ag.bank.name}合作资格", reason, obj=change)
        elif action != "reactivate":
            notify_bureau(fund, f"合作银行{label}：{ag.bank.name}", f"依据：{art}。原因：{reason}", obj=change)
        return ag
