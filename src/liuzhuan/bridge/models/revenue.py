"""Non-tax revenue (第十五条): deposit interest received and remittances to the finance bureau."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

USER = settings.AUTH_USER_MODEL


class DepositInterest(models.Model):
    period_start = models.DateField("计息起日")
    period_end = models.DateField("计息止日")
    received_on = models.DateField("入账日期")
    amount_fen = models.BigIntegerField("利息（分）")
    reference = models.CharField("银行回单号", max_length=80)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = "存款利息"
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="bridge_interest_pos"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="bridge_interest_period"),
        ]

    def __str__(self) -> str:
        return f"存款利息 {self.received_on}"


class Remittance(models.Model):
    """上缴市财政的非税收入: occupation fees, deposit interest and overdue penalties."""

    remitted_on = models.DateField("上缴日期")
    fee_fen = models.BigIntegerField("占用费（分）", default=0)
    interest_fen = models.BigIntegerField("存款利息（分）", default=0)
    penalty_fen = models.BigIntegerField("违约金（分）", default=0)
    voucher_no = models.CharField("非税收入缴款书号", max_length=80, unique=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["remitted_on", "id"]
        verbose_name = "非税收入上缴"
        constraints = [
            models.CheckConstraint(
                condition=Q(fee_fen__gte=0) & Q(interest_fen__gte=0) & Q(penalty_fen__gte=0), name="bridge_remit_nonneg"
            ),
            models.CheckConstraint(
                condition=Q(fee_fen__gt=0) | Q(interest_fen__gt=0) | Q(penalty_fen__gt=0), name="bridge_remit_some"
            ),
        ]

    def __str__(self) -> str:
        return f"上缴 {self.voucher_no}"

    @property
    def total_fen(self) -> int:
        return self.fee_fen + self.interest_fen + self.penalty_fen
