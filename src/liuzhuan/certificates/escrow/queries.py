"""Who sees which supervised-account agreement; the accounts active for a kind of money on a day."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from liuzhuan.core.errors import DomainError, NotFound
from liuzhuan.members.models import User
from liuzhuan.members.queries import sees_all

from .models import AgreementStatus, EscrowScope, SupervisedAccount


def visible_agreements(user: User) -> QuerySet[SupervisedAccount]:
    """Operator, regulator and bureau see all; a bank sees its own agreements only; others none."""
    qs = SupervisedAccount.objects.select_related("operator", "bank")
    if sees_all(user):
        return qs
    return qs.filter(bank_id=user.organisation_id)


def get_agreement(user: User, agreement_id: int) -> SupervisedAccount:
    a = visible_agreements(user).filter(pk=agreement_id).first()
    if a is None:
        raise NotFound("资金监管协议不存在")
    return a


def active_accounts(scope: str, on: dt.date) -> QuerySet[SupervisedAccount]:
    flag = "covers_top_ups" if scope == EscrowScope.OFFSET_TOP_UP else "covers_sale_proceeds"
    return SupervisedAccount.objects.filter(**{flag: True}, status=AgreementStatus.ACTIVE, start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)).select_related("bank")


def receiving_account(scope: str, account_no: str, on: dt.date, field: str) -> SupervisedAccount | None:
    """The supervised account a payment of ``scope`` went to on ``on``. While an agreement covering
    that money is active the payment must name its account; a named account must be one of them."""
    account_no = (account_no or "").strip()
    active = list(active_accounts(scope, on))
    label = EscrowScope(scope).label
    if not active:
        if account_no:
            raise DomainError("escrow_account_unknown", f"{on:%Y-%m-%d} 没有生效的{label}资金监管账户 {account_no}", field=field)
        return None
    match = [a for a in active if a.account_no == account_no]
    if not match:
        names = "、".join(f"{a.bank.name} {a.account_no}" for a in active)
        raise DomainError("escrow_account_required", f"{label}须进入资金监管账户（{names}），请填写收款的监管账号", field=field)
    return match[0]
