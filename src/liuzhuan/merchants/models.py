"""特约商户 (seed 二(四), 四(三)): merchant profiles, their catalogue, orders paid with certificate
credit (by transfer or by consumption offset), and the settlement each paid order ends in."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from liuzhuan.certificates.ledger.models import Piece, Transfer
from liuzhuan.certificates.offset.models import OffsetApplication
from liuzhuan.members.models import Organisation, User


class ShopCategory(models.TextChoices):
    RETAIL = "retail", "商超百货"
    FOOD = "food", "餐饮食品"
    BUILDING = "building", "建材家居"
    AUTO = "auto", "汽车及配件"
    APPLIANCE = "appliance", "家电数码"
    EQUIPMENT = "equipment", "设备更新"
    SERVICE = "service", "生活服务"
    OTHER = "other", "其他"


class PayMode(models.TextChoices):
    TRANSFER = "transfer", "凭证债权转让"
    OFFSET = "offset", "消费抵付"


class MerchantProfile(models.Model):
    """The shop a member organisation with the 特约商户 role shows to members."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="merchant_profile", verbose_name="机构")
    shop_name = models.CharField("商户名称", max_length=100)
    category = models.CharField("经营类别", max_length=20, choices=ShopCategory.choices)
    address = models.CharField("经营地址", max_length=200)
    contact_name = models.CharField("联系人", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=30)
    service_area = models.CharField("服务范围", max_length=200, blank=True)
    accepts_transfer = models.BooleanField("接受凭证债权转让", default=True)
    accepts_offset = models.BooleanField("接受消费抵付（本机构为债务人的凭证）", default=True)
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["shop_name", "id"]
        verbose_name = "特约商户档案"
        constraints = [models.CheckConstraint(condition=Q(accepts_transfer=True) | Q(accepts_offset=True),
                                              name="merchant_accepts_a_mode")]

    def __str__(self) -> str:
        return self.shop_name

    @property
    def modes(self) -> list[str]:
        return [m for m, on in ((PayMode.TRANSFER, self.accepts_transfer), (PayMode.OFFSET, self.accepts_offset)) if on]

    @property
    def modes_label(self) -> str:
        return "、".join(PayMode(m).label for m in self.modes)


class ItemKind(models.TextChoices):
    GOODS = "goods", "商品"
    SERVICE = "service", "服务"


class CatalogueItem(models.Model):
    """A good or a service a merchant publishes; stock ``None`` means unlimited (services)."""

    merchant = models.ForeignKey(MerchantProfile, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField("类型", max_length=10, choices=ItemKind.choices, default=ItemKind.GOODS)
    name = models.CharField("名称", max_length=100)
    category = models.CharField("类别", max_length=20, choices=ShopCategory.choices)
    price_fen = models.BigIntegerField("单价（分）")
    stock = models.IntegerField("库存", null=True, blank=True)
    valid_from = models.DateField("有效期起", null=True, blank=True)
    valid_until = models.DateField("有效期止", null=True, blank=True)
    description = models.CharField("说明", max_length=500, blank=True)
    on_shelf = models.BooleanField("上架", default=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["merchant_id", "name", "id"]
        verbose_name = "商品及服务"
        constraints = [
            models.CheckConstraint(condition=Q(price_fen__gt=0), name="item_price_positive"),
            models.CheckConstraint(condition=Q(stock__isnull=True) | Q(stock__gte=0), name="item_stock_non_negative"),
            models.CheckConstraint(condition=Q(valid_from__isnull=True) | Q(valid_until__isnull=True)
                                   | Q(valid_until__gte=models.F("valid_from")), name="item_validity_ordered"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def stock_label(self) -> str:
        return "不限" if self.stock is None else str(self.stock)


class OrderStatus(models.TextChoices):
    PENDING = "pending", "待商户结算"
    SETTLED = "settled", "已结算"
    CANCELLED = "cancelled", "买方已撤销"
    REFUSED = "refused", "商户已拒绝"


class Order(models.Model):
    """One purchase from one merchant, paid with certificate credit from one piece."""

    number = models.CharField("订单编号", max_length=20, unique=True)
    buyer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="merchant_orders", verbose_name="买方")
    merchant = models.ForeignKey(MerchantProfile, on_delete=models.PROTECT, related_name="orders", verbose_name="商户")
    mode = models.CharField("支付方式", max_length=10, choices=PayMode.choices)
    piece = models.ForeignKey(Piece, on_delete=models.PROTECT, related_name="+", verbose_name="支付凭证分段")
    total_fen = models.BigIntegerField("金额（分）")
    status = models.CharField(max_length=10, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    # how the credit moves: a transfer offer to the merchant, or a consumption offset with it as debtor
    transfer = models.OneToOneField(Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="merchant_order")
    offset = models.OneToOneField(OffsetApplication, null=True, blank=True, on_delete=models.PROTECT, related_name="merchant_order")
    note = models.CharField("备注", max_length=300, blank=True)
    placed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "商户订单"
        constraints = [
            models.CheckConstraint(condition=Q(total_fen__gt=0), name="order_total_positive"),
            models.CheckConstraint(condition=(Q(mode="transfer") & Q(transfer__isnull=False) & Q(offset__isnull=True))
                                   | (Q(mode="offset") & Q(offset__isnull=False) & Q(transfer__isnull=True)),
                                   name="order_payment_matches_mode"),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="lines")
    name = models.CharField("名称", max_length=100)
    unit_price_fen = models.BigIntegerField("单价（分）")
    quantity = models.IntegerField("数量")
    amount_fen = models.BigIntegerField("金额（分）")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price_fen__gt=0), name="order_line_price_positive"),
            models.CheckConstraint(condition=Q(amount_fen=models.F("unit_price_fen") * models.F("quantity")),
                                   name="order_line_amount_is_price_times_quantity"),
        ]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"


class Settlement(models.Model):
    """结算单: the merchant settled the order; the credit has passed (transfer registration) or was
    cancelled by offset (cancellation registration). The receipt (page and PDF) is drawn from it."""

    number = models.CharField("结算单号", max_length=20, unique=True)
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="settlement")
    amount_fen = models.BigIntegerField("结算金额（分）")
    registration_no = models.CharField("凭证登记编号", max_length=20)  # 流转变更登记 or 注销登记
    settled_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    settled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = "结算单"
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="settlement_amount_positive")]

    def __str__(self) -> str:
        return self.number
