"""Service fees (系统服务费): the operator's schedule per operation type, and the charges recorded."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from liuzhuan.members.models import Organisation, User

from ..ledger.models import Certificate, FeePayer, Transfer

__all__ = ["FeeCharge", "FeePayer", "FeeRule", "OperationType"]


class OperationType(models.TextChoices):
    ISSUANCE = "issuance", "开具"
    TRANSFER = "transfer", "转让"
    PLEDGE = "pledge", "质押"
    PURCHASE = "purchase", "收购"
    OFFSET = "offset", "抵付"


class FeeRule(models.Model):
    """The operator's fee schedule: one row per operation type and effective date."""

    op_type = models.CharField("业务类型", max_length=20, choices=OperationType.choices)
    rate_per_10k = models.DecimalField("费率（‱）", max_digits=8, decimal_places=4)
    min_fen = models.BigIntegerField("最低收费（分）", default=0)
    max_fen = models.BigIntegerField("最高收费（分）", null=True, blank=True)
    payer = models.CharField("付费方", max_length=20, choices=FeePayer.choices)
    effective_date = models.DateField("生效日期")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["op_type", "-effective_date"]
        verbose_name = "收费标准"
        constraints = [
            models.UniqueConstraint(fields=["op_type", "effective_date"], name="feerule_one_per_day"),
            models.CheckConstraint(condition=Q(rate_per_10k__gte=0), name="feerule_rate_non_negative"),
            models.CheckConstraint(condition=Q(min_fen__gte=0), name="feerule_min_non_negative"),
            models.CheckConstraint(condition=Q(max_fen__isnull=True) | Q(max_fen__gte=models.F("min_fen")), name="feerule_max_ge_min"),
        ]

    def __str__(self) -> str:
        return f"{self.op_type} {self.rate_per_10k}‱ from {self.effective_date}"


class FeeCharge(models.Model):
    """A service fee owed by one member for one operation (系统服务费)."""

    # Indexed for what is asked of fees: a member's statement over dates (org, charged_on), whether a
    # rule has been charged under, and a certificate's charges (voiding reverses its issuance fee).
    # The transfer is shown, never searched on; every transfer writes two fee rows.
    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="fee_charges", db_index=False)
    op_type = models.CharField(max_length=20, choices=OperationType.choices)
    rule = models.ForeignKey(FeeRule, on_delete=models.PROTECT, related_name="charges")
    base_fen = models.BigIntegerField("计费金额（分）")
    amount_fen = models.BigIntegerField("费用（分）")
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="fees")
    transfer = models.ForeignKey(Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="fees", db_index=False)
    reference = models.CharField(max_length=30)
    charged_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    # 红字冲销: a charge is never changed; it is reversed by a second row of the opposite sign that
    # points at it (a certificate voided as issued in error gets its issuance fee back this way).
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal",
                                    verbose_name="冲销的收费")
    # settlement (缴费登记): the operator's finance staff record the payment received; until then the
    # charge is unpaid, and past its due date (rules.due_date) in arrears. A reversal row is a credit,
    # never paid itself.
    paid_on = models.DateField("缴费日期", null=True, blank=True)
    payment_ref = models.CharField("缴费凭据号", max_length=60, blank=True, default="", db_default="")
    settled_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False,
                                   verbose_name="登记人")
    settled_at = models.DateTimeField("登记时间", null=True, blank=True)

    class Meta:
        ordering = ["-charged_on", "-id"]
        verbose_name = "服务费"
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gte=0, reverses__isnull=True) | Q(amount_fen__lte=0, reverses__isnull=False),
                                   name="feecharge_sign_by_kind"),
            models.CheckConstraint(condition=Q(paid_on__isnull=True, settled_by__isnull=True, settled_at__isnull=True, payment_ref="")
                                   | Q(paid_on__isnull=False, settled_by__isnull=False, settled_at__isnull=False, reverses__isnull=True)
                                   & ~Q(payment_ref=""), name="feecharge_paid_recorded_whole"),
        ]
        indexes = [models.Index(fields=["org", "charged_on"], name="fee_org_day_idx"), models.Index(fields=["charged_on"], name="fee_day_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount_fen}"

    @property
    def kind_label(self) -> str:
        """业务 as statements show it: a reversal is marked (冲销)."""
        return f"{self.get_op_type_display()}（冲销）" if self.reverses_id else self.get_op_type_display()
