"""Read-only questions about partner banks: the live agreement of a bank, the banks in cooperation
on a day, and whether a bank may take bridge business."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from liuzhuan.core.errors import DomainError
from liuzhuan.core.roles import Role
from liuzhuan.members.models import Organisation

from ..fund.queries import get_fund
from ..fund.rules import in_region
from ..models.banks import AgreementStatus, BankAgreement


def live_agreement(bank_id: int) -> BankAgreement | None:
    return (
        BankAgreement.objects.filter(bank_id=bank_id, status__in=[AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED])
        .order_by("-id")
        .first()
    )


def banks_in_cooperation(on: dt.date) -> QuerySet[BankAgreement]:
    return BankAgreement.objects.select_related("bank").filter(
        status=AgreementStatus.ACTIVE, valid_from__lte=on, valid_until__gte=on
    )


def partner_bank(bank_id, on: dt.date, field_name: str | None = "bank_id") -> tuple[Organisation, BankAgreement]:
    """The bank and its agreement when it may take bridge business on ``on``; otherwise a
    ``DomainError`` saying why (第六条、第十九条、第二十条). Checked at application, preparation
    and disbursement."""
    bank = Organisation.objects.filter(pk=bank_id).first() if isinstance(bank_id, int) and not isinstance(bank_id, bool) else None
    if bank is None or not bank.has_role(Role.BANK):
        raise DomainError("not_partner_bank", "所选贷款银行不是续贷过桥资金合作银行", field_name)
    ag = live_agreement(bank.pk)
    if ag is None:
        raise DomainError("not_partner_bank", f"{bank.name}未与管理机构签订续贷过桥资金合作监管协议（第六条、第十九条）", field_name)
    if ag.status == AgreementStatus.SUSPENDED:
        raise DomainError("bank_suspended", f"{bank.name}的续贷过桥资金业务合作已暂停：{ag.status_reason}", field_name)
    fund = get_fund()
    if fund is not None and ag.branch_region and not in_region(ag.branch_region, fund.region_code):
        raise DomainError("bank_not_local", f"{bank.name}经办行所在地（{ag.branch_region}）不在本市行政区域"
                          f"（区划代码 {fund.region_code}，第六条）", field_name)
    if not ag.in_force_on(on):
        raise DomainError("agreement_not_in_force", f"{bank.name}的合作协议在 {on.isoformat()} 不在有效期内"
                          f"（{ag.valid_from.isoformat()} 至 {ag.valid_until.isoformat()}）", field_name)
    return bank, ag
