"""Market purchase (市场化收购, 化解债务风险): the purchaser's record of an SME receivable it bought."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from liuzhuan.members.models import Organisation, User

from ..issuance.models import Application


class ReceivablePurchaseStatus(models.TextChoices):
    RECORDED = "recorded", "已登记收购"
    APPLIED = "applied", "已申请开具凭证"
    CANCELLED = "cancelled", "已撤销"


class ReceivablePurchase(models.Model):
    """化解债务风险: the market purchaser buys an SME's hard-to-collect receivable; the SME then gets a
    certificate with the purchaser as debtor through the normal joint-application path."""

    number = models.CharField("收购登记编号", max_length=20, unique=True)
    purchaser = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="receivables_bought", verbose_name="市场化收购主体")
    seller = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="receivables_sold", verbose_name="出让债权的企业")
    original_debtor_name = models.CharField("原债务人", max_length=200)
    original_debtor = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.CharField("原债权说明", max_length=300, blank=True)
    receivable_fen = models.BigIntegerField("应收账款金额（分）")
    price_fen = models.BigIntegerField("收购价款（分）")
    agreement_ref = models.CharField("收购协议编号", max_length=100)
    agreement_date = models.DateField("协议日期")
    status = models.CharField(max_length=20, choices=ReceivablePurchaseStatus.choices, default=ReceivablePurchaseStatus.RECORDED)
    application = models.OneToOneField(Application, null=True, blank=True, on_delete=models.PROTECT, related_name="receivable_purchase")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    cancel_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "市场化收购"
        constraints = [
            models.CheckConstraint(condition=Q(receivable_fen__gt=0), name="receivablepurchase_amount_positive"),
            models.CheckConstraint(condition=Q(price_fen__gt=0) & Q(price_fen__lte=models.F("receivable_fen")),
                                   name="receivablepurchase_price_within_amount"),
            models.CheckConstraint(condition=~Q(purchaser=models.F("seller")), name="receivablepurchase_distinct_parties"),
        ]

    def __str__(self) -> str:
        return self.number
