"""Supervised-account agreements (资金监管协议) between the operator and a cooperating bank."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from liuzhuan.members.models import Organisation, User


class EscrowScope(models.TextChoices):
    OFFSET_TOP_UP = "offset_top_up", "抵付补足款"
    SALE_PROCEEDS = "sale_proceeds", "收购价款"


class AgreementStatus(models.TextChoices):
    PROPOSED = "proposed", "待银行确认"
    ACTIVE = "active", "生效"
    DECLINED = "declined", "银行不予确认"
    ENDED = "ended", "已终止"


class SupervisedAccount(models.Model):
    """One supervised account (监管账户) the bank runs for the operator, for the money in its scope."""

    number = models.CharField("监管协议编号", max_length=20, unique=True)
    operator = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="escrow_agreements", verbose_name="债权管理服务机构")
    bank = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="escrow_accounts", verbose_name="合作银行")
    account_name = models.CharField("账户名称", max_length=200)
    account_no = models.CharField("监管账号", max_length=40)
    covers_top_ups = models.BooleanField("监管抵付补足款", default=False)
    covers_sale_proceeds = models.BooleanField("监管收购价款", default=False)
    start_date = models.DateField("起始日")
    end_date = models.DateField("终止日", null=True, blank=True)
    status = models.CharField("状态", max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.PROPOSED)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", db_index=False)
    recorded_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "资金监管协议"
        constraints = [
            models.CheckConstraint(condition=Q(covers_top_ups=True) | Q(covers_sale_proceeds=True), name="escrow_scope_required"),
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")), name="escrow_dates_ordered"),
            models.CheckConstraint(condition=Q(status__in=["proposed", "ended"]) | Q(decided_at__isnull=False), name="escrow_decision_recorded"),
            models.UniqueConstraint(fields=["bank", "account_no"], condition=Q(status__in=["proposed", "active"]),
                                    name="escrow_one_open_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.bank.name} {self.account_no}"

    @property
    def scope_label(self) -> str:
        return "、".join(label for flag, label in ((self.covers_top_ups, EscrowScope.OFFSET_TOP_UP.label),
                                                   (self.covers_sale_proceeds, EscrowScope.SALE_PROCEEDS.label)) if flag)
