"""Purchase with lock-up (附带锁定期的收购): approved providers, their commitments on a certificate,
and holders' sales to the provider after the lock-up."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from liuzhuan.members.models import Organisation, User

from ..ledger.models import Certificate, Piece, Transfer


class PurchaseProvider(models.Model):
    """A purchase-service provider the operator approved (maker-checker), with its capacity."""

    org = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="purchase_provider", verbose_name="服务提供方")
    capacity_fen = models.BigIntegerField("认可的收购承诺额度（分）", default=0)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    proposed_capacity_fen = models.BigIntegerField("拟调整额度（分）", null=True, blank=True)
    proposed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "收购服务提供方"
        constraints = [
            models.CheckConstraint(condition=Q(capacity_fen__gte=0), name="provider_capacity_non_negative"),
            models.CheckConstraint(condition=Q(proposed_capacity_fen__isnull=True) | Q(proposed_capacity_fen__gte=0),
                                   name="provider_proposed_non_negative"),
        ]

    def __str__(self) -> str:
        return f"provider:{self.org_id}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None and self.capacity_fen > 0


class CommitmentStatus(models.TextChoices):
    REQUESTED = "requested", "待服务方接受"
    ACTIVE = "active", "有效"
    DECLINED = "declined", "服务方拒绝"
    WITHDRAWN = "withdrawn", "已撤回"
    EXPIRED = "expired", "已到期"
    VOIDED = "voided", "随凭证作废"


class PriceKind(models.TextChoices):
    PERCENT = "percent", "按债权金额比例"
    FIXED = "fixed", "固定价格（按金额比例分摊到分段）"


class PurchaseCommitment(models.Model):
    """附带锁定期的收购承诺 on a certificate: after lock-up, holders of its pieces may sell to the provider."""

    number = models.CharField("收购承诺编号", max_length=20, unique=True)
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="commitments")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="commitments_provided", verbose_name="服务提供方")
    entrusted_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="commitments_entrusted", verbose_name="委托方")
    price_kind = models.CharField("价格方式", max_length=10, choices=PriceKind.choices)
    price_bp = models.PositiveIntegerField("收购价格（债权金额的万分比）", null=True, blank=True)
    fixed_price_fen = models.BigIntegerField("固定收购价（全额，分）", null=True, blank=True)
    limit_fen = models.BigIntegerField("承诺收购总价（分）")
    used_fen = models.BigIntegerField("已支付收购价款（分）", default=0)
    lockup_end = models.DateField("锁定期截止日（含）")
    expiry = models.DateField("承诺有效期至（含）")
    conditions = models.TextField("收购条件和方式", blank=True)
    agreement_ref = models.CharField("委托协议编号", max_length=100)
    status = models.CharField(max_length=20, choices=CommitmentStatus.choices, default=CommitmentStatus.REQUESTED)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "收购承诺"
        constraints = [
            models.CheckConstraint(condition=Q(limit_fen__gt=0), name="commitment_limit_positive"),
            models.CheckConstraint(condition=Q(used_fen__gte=0) & Q(used_fen__lte=models.F("limit_fen")), name="commitment_used_within_limit"),
            models.CheckConstraint(condition=Q(expiry__gt=models.F("lockup_end")), name="commitment_expiry_after_lockup"),
            models.CheckConstraint(
                condition=(Q(price_kind="percent", price_bp__gte=1, price_bp__lte=10000, fixed_price_fen__isnull=True)
                           | Q(price_kind="fixed", fixed_price_fen__gt=0, price_bp__isnull=True)),
                name="commitment_price_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def price_label(self) -> str:
        from liuzhuan.core.money import format_yuan

        if self.price_kind == PriceKind.PERCENT:
            return f"债权金额的 {self.price_bp / 100:.2f}%"
        return f"固定价格 {format_yuan(self.fixed_price_fen)}（按分段金额占面额比例分摊）"

    @property
    def outstanding_fen(self) -> int:
        return self.limit_fen - self.used_fen


class SaleStatus(models.TextChoices):
    APPLIED = "applied", "待服务方确认"
    COMPLETED = "completed", "已收购"
    REFUSED = "refused", "服务方拒绝"
    WITHDRAWN = "withdrawn", "已撤回"


class PurchaseSale(models.Model):
    """A holder's application, after lock-up, to sell a covered piece to the commitment's provider."""

    number = models.CharField("收购申请编号", max_length=20, unique=True)
    commitment = models.ForeignKey(PurchaseCommitment, on_delete=models.PROTECT, related_name="sales")
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="sales")
    piece = models.ForeignKey(Piece, on_delete=models.PROTECT, related_name="sales", verbose_name="申请收购分段")
    holder = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="sales_made", verbose_name="持有人")
    amount_fen = models.BigIntegerField("债权金额（分）")
    price_fen = models.BigIntegerField("收购价款（分）")
    status = models.CharField(max_length=20, choices=SaleStatus.choices, default=SaleStatus.APPLIED)
    applied_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    payment_fen = models.BigIntegerField("实付价款（分）", null=True, blank=True)
    payment_date = models.DateField("付款日期", null=True, blank=True)
    payment_ref = models.CharField("银行流水号", max_length=60, blank=True)
    payment_account = models.ForeignKey("certificates.SupervisedAccount", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="sale_proceeds", verbose_name="收款监管账户")
    transfer = models.OneToOneField(Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="purchase_sale")

    class Meta:
        ordering = ["-id"]
        verbose_name = "收购申请"
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="sale_amount_positive"),
            models.CheckConstraint(condition=Q(price_fen__gt=0), name="sale_price_positive"),
            models.CheckConstraint(
                condition=~Q(status="completed") | (Q(payment_fen__gt=0) & Q(payment_date__isnull=False) & ~Q(payment_ref="")),
                name="sale_completed_has_payment",
            ),
            models.UniqueConstraint(fields=["piece"], condition=Q(status="applied"), name="sale_one_open_per_piece"),
        ]

    def __str__(self) -> str:
        return self.number
