"""Money received against a loan (第十条（二）、第十七条): principal, fee and penalty."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .application import Application

USER = settings.AUTH_USER_MODEL


class PayerKind(models.TextChoices):
    BORROWER = "borrower", "借款企业"
    BANK = "bank", "合作银行（连带责任代偿）"
    RECOVERY = "recovery", "追偿所得"


class Repayment(models.Model):
    """Money received against a loan, split into principal, fee (占用费) and penalty (违约金)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="repayments")
    paid_on = models.DateField("收款日期")
    payer = models.CharField("付款方", max_length=20, choices=PayerKind.choices)
    principal_fen = models.BigIntegerField("本金（分）", default=0)
    fee_fen = models.BigIntegerField("占用费（分）", default=0)
    penalty_fen = models.BigIntegerField("违约金（分）", default=0)
    reference = models.CharField("收款凭证号", max_length=80)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = "还款记录"
        constraints = [
            models.CheckConstraint(
                condition=Q(principal_fen__gte=0) & Q(fee_fen__gte=0) & Q(penalty_fen__gte=0), name="bridge_repay_nonneg"
            ),
            models.CheckConstraint(
                condition=Q(principal_fen__gt=0) | Q(fee_fen__gt=0) | Q(penalty_fen__gt=0), name="bridge_repay_some"
            ),
            models.CheckConstraint(condition=Q(payer__in=PayerKind.values), name="bridge_repay_payer_valid"),
        ]

    def __str__(self) -> str:
        return f"还款 #{self.pk}（业务 {self.application_id}）"

    @property
    def total_fen(self) -> int:
        return self.principal_fen + self.fee_fen + self.penalty_fen
