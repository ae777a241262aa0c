"""资金监管协议: the operator records an agreement with a cooperating bank, the bank confirms (or
declines) it, the operator ends it. Each action runs in one transaction; a ``DomainError`` means
nothing changed."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import Conflict, DomainError, NotFound
from liuzhuan.core.numbers import next_number
from liuzhuan.core.permissions import require_role
from liuzhuan.core.roles import Role
from liuzhuan.members.actions import notify
from liuzhuan.members.models import Organisation, OrgStatus, User

from ..ledger.checks import MAX_TEXT, required_text
from .models import AgreementStatus, EscrowScope, SupervisedAccount


def record_agreement(actor: User, *, bank_id: int, account_name: str, account_no: str, scopes: list[str],
                     start_date: dt.date, end_date: dt.date | None = None) -> SupervisedAccount:
    """The operator records a supervised-account agreement with an active cooperating bank."""
    require_role(actor, Role.OPERATOR)
    account_name = required_text(account_name, "account_name_required", "请填写监管账户名称", "account_name", 200)
    account_no = required_text(account_no, "account_no_required", "请填写监管账号", "account_no", 40)
    if not account_no.replace("-", "").replace(" ", "").isdigit():
        raise DomainError("account_no_invalid", "监管账号只能由数字组成", field="account_no")
    scopes = sorted(set(scopes or ()))
    if not scopes:
        raise DomainError("escrow_scope_required", "请选择监管范围（抵付补足款或收购价款）", field="scopes")
    if any(s not in EscrowScope.values for s in scopes):
        raise DomainError("escrow_scope_invalid", "监管范围不正确", field="scopes")
    if start_date is None:
        raise DomainError("start_date_required", "请填写起始日", field="start_date")
    if end_date is not None and end_date < start_date:
        raise DomainError("end_before_start", "终止日不能早于起始日", field="end_date")
    if end_date is not None and end_date < today_china():
        raise DomainError("end_in_past", "终止日不能早于今天", field="end_date")
    with transaction.atomic():
        bank = Organisation.objects.select_for_update().filter(pk=bank_id).first()
        if bank is None or not bank.has_role(Role.BANK):
            raise DomainError("bank_required", "请选择合作银行", field="bank_id")
        if bank.status != OrgStatus.ACTIVE:
            raise DomainError("bank_inactive", f"合作银行“{bank.name}”当前状态为{bank.get_status_display()}", field="bank_id")
        if SupervisedAccount.objects.filter(bank=bank, account_no=account_no,
                                            status__in=[AgreementStatus.PROPOSED, AgreementStatus.ACTIVE]).exists():
            raise Conflict("account_taken", f"监管账号 {account_no} 已有待确认或生效的协议")
        a = SupervisedAccount.objects.create(
            number=next_number("JG", today_china().year), operator=actor.organisation, bank=bank, account_name=account_name,
            account_no=account_no, covers_top_ups=EscrowScope.OFFSET_TOP_UP in scopes,
            covers_sale_proceeds=EscrowScope.SALE_PROCEEDS in scopes, start_date=start_date, end_date=end_date, recorded_by=actor)
        audit.record(actor, "escrow.record", a, summary={"number": a.number, "bank": bank.pk, "account_no": account_no, "scopes": scopes,
                                                         "start": start_date.isoformat(), "end": end_date.isoformat() if end_date else None})
        notify(bank, f"资金监管协议待确认：{a.number}", f"{actor.organisation.name} 登记了监管账户 {account_no}（{a.scope_label}），请核对后确认。", obj=a)
        return a


def _lock(agreement_id: int) -> SupervisedAccount:
    a = SupervisedAccount.objects.select_for_update(of=("self",)).select_related("bank", "operator").filter(pk=agreement_id).first()
    if a is None:
        raise NotFound("资金监管协议不存在")
    return a


def decide_agreement(actor: User, agreement_id: int, confirm: bool, reason: str = "") -> SupervisedAccount:
    """The bank named in the agreement confirms it (it becomes active) or declines it (reason required)."""
    require_role(actor, Role.BANK)
    reason = (reason or "").strip()[:MAX_TEXT]
    if not confirm and not reason:
        raise DomainError("reason_required", "不予确认时必须说明理由", field="reason")
    with transaction.atomic():
        a = _lock(agreement_id)
        if a.bank_id != actor.organisation_id:
            raise NotFound("资金监管协议不存在")
        if a.status != AgreementStatus.PROPOSED:
            raise Conflict("escrow_state", f"协议 {a.number} 当前状态为“{a.get_status_display()}”，不能确认")
        a.status = AgreementStatus.ACTIVE if confirm else AgreementStatus.DECLINED
        a.decided_by = actor
        a.decided_at = timezone.now()
        a.reason = reason
        a.save()
        audit.record(actor, f"escrow.{'confirm' if confirm else 'decline'}", a, summary={"number": a.number, "reason": reason})
        notify(a.operator, f"资金监管协议{a.get_status_display()}：{a.number}", reason, obj=a)
        return a


def end_agreement(actor: User, agreement_id: int, reason: str) -> SupervisedAccount:
    """The operator ends an agreement (today becomes its last day); reason required."""
    require_role(actor, Role.OPERATOR)
    reason = required_text(reason, "reason_required", "请说明终止理由", "reason", MAX_TEXT)
    today = today_china()
    with transaction.atomic():
        a = _lock(agreement_id)
        if a.status not in (AgreementStatus.PROPOSED, AgreementStatus.ACTIVE):
            raise Conflict("escrow_state", f"协议 {a.number} 当前状态为“{a.get_status_display()}”，不能终止")
        a.status = AgreementStatus.ENDED
        a.end_date = max(a.start_date, min(a.end_date or today, today))
        a.reason = reason
        a.save()
        audit.record(actor, "escrow.end", a, summary={"number": a.number, "end": a.end_date.isoformat(), "reason": reason})
        notify(a.bank, f"资金监管协议已终止：{a.number}", reason, obj=a)
        return a
