"""Offset (资产抵付 / 消费抵付): assets offered for asset offset, and the holder's offset applications."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from liuzhuan.members.models import Organisation, User

from ..ledger.models import Certificate, Piece


class AssetKind(models.TextChoices):
    HOUSE = "house", "商品房"
    PARKING = "parking", "车位"
    SHOP = "shop", "商铺"
    GOODS = "goods", "商品/货物"
    OTHER = "other", "其他资产"


class AssetStatus(models.TextChoices):
    AVAILABLE = "available", "可抵付"
    RESERVED = "reserved", "抵付办理中"
    DELIVERED = "delivered", "已交付"
    WITHDRAWN = "withdrawn", "已下架"


class OffsetAsset(models.Model):
    """An asset the debtor (or a housing-revitalisation entity, 存量房盘活主体) offers for asset offset."""

    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="offset_assets", verbose_name="权利人")
    kind = models.CharField("类别", max_length=10, choices=AssetKind.choices)
    name = models.CharField("名称", max_length=200)
    location = models.CharField("坐落/存放地", max_length=300, blank=True)
    title_no = models.CharField("权属证书编号", max_length=100, blank=True)
    list_price_fen = models.BigIntegerField("挂牌价（分）")
    status = models.CharField(max_length=20, choices=AssetStatus.choices, default=AssetStatus.AVAILABLE)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = "抵付资产（含存量房源）"
        constraints = [models.CheckConstraint(condition=Q(list_price_fen__gt=0), name="asset_price_positive")]

    def __str__(self) -> str:
        return self.name


class OffsetKind(models.TextChoices):
    ASSET = "asset", "资产抵付"
    CONSUMPTION = "consumption", "消费抵付"


class OffsetStatus(models.TextChoices):
    APPLIED = "applied", "待债务人核查"
    OPTIONS_OFFERED = "options", "待商定价款"
    PRICE_PROPOSED = "proposed", "价款待对方确认"
    AGREED = "agreed", "待交付登记"
    COMPLETED = "completed", "已抵付注销"
    REFUSED = "refused", "债务人不予办理"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_OFFSET_STATUSES = (OffsetStatus.APPLIED, OffsetStatus.OPTIONS_OFFERED, OffsetStatus.PRICE_PROPOSED, OffsetStatus.AGREED)


class OffsetApplication(models.Model):
    """资产抵付 / 消费抵付: the reserved piece is cancelled by the agreed price once delivery is recorded."""

    number = models.CharField("抵付编号", max_length=20, unique=True)
    kind = models.CharField("抵付方式", max_length=20, choices=OffsetKind.choices)
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="offsets")
    piece = models.ForeignKey(Piece, on_delete=models.PROTECT, related_name="offsets", verbose_name="申请抵付分段")
    holder = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="offsets_applied", verbose_name="持有人")
    debtor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="offsets_received", verbose_name="债务人")
    amount_fen = models.BigIntegerField("申请抵付债权金额（分）")
    note = models.CharField("申请说明", max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=OffsetStatus.choices, default=OffsetStatus.APPLIED)
    offered_assets = models.ManyToManyField(OffsetAsset, blank=True, related_name="offered_in")
    consumption_scope = models.CharField("可消费范围", max_length=300, blank=True)
    asset = models.ForeignKey(OffsetAsset, null=True, blank=True, on_delete=models.PROTECT, related_name="offsets", verbose_name="选定资产")
    price_fen = models.BigIntegerField("抵付价款（分）", null=True, blank=True)
    proposed_by_org = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    applied_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField(default=timezone.now)
    checked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agreed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    delivery_ref = models.CharField("交付确认编号", max_length=100, blank=True)
    title_registration_ref = models.CharField("权属转移登记编号", max_length=100, blank=True)
    settlement_ref = models.CharField("消费结算单号", max_length=100, blank=True)
    offset_fen = models.BigIntegerField("注销债权金额（分）", null=True, blank=True)
    offset_piece = models.ForeignKey(Piece, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    remainder_piece = models.ForeignKey(Piece, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cash_top_up_fen = models.BigIntegerField("持有人现金补足（分）", default=0)
    cash_top_up_ref = models.CharField("补足款银行流水号", max_length=60, blank=True)
    cash_top_up_date = models.DateField("补足款日期", null=True, blank=True)
    closed_reason = models.CharField(max_length=300, blank=True)
    fee_fen = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-id"]
        verbose_name = "抵付申请"
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="offset_amount_positive"),
            models.CheckConstraint(condition=Q(price_fen__isnull=True) | Q(price_fen__gt=0), name="offset_price_positive"),
            models.CheckConstraint(condition=Q(cash_top_up_fen__gte=0), name="offset_top_up_non_negative"),
            models.CheckConstraint(
                condition=~Q(status="completed") | (Q(offset_fen__gt=0) & Q(offset_fen__lte=models.F("amount_fen"))
                                                   & Q(price_fen__isnull=False) & ~Q(delivery_ref="")),
                name="offset_completed_consistent",
            ),
            models.UniqueConstraint(fields=["piece"], condition=Q(status__in=["applied", "options", "proposed", "agreed"]),
                                    name="offset_one_open_per_piece"),
        ]

    def __str__(self) -> str:
        return self.number
