"""The property pool (房源) and its transactions (房产移交 / 房产换回 / 凭证抵付 / 房产现金销售) with
their registration checklist. A unit offered for certificate offset *is* a certificates
``OffsetAsset`` (one-to-one, kept in step by housing actions), so the certificate offset flow and
the pool see the same thing."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from liuzhuan.certificates.escrow.models import SupervisedAccount
from liuzhuan.certificates.issuance.models import Application
from liuzhuan.certificates.offset.models import OffsetApplication, OffsetAsset
from liuzhuan.members.models import Organisation, User

from . import rules


class UnitKind(models.TextChoices):
    NEW = "new", "一手房"
    RESALE = "resale", "二手房"
    STALLED = "stalled", "烂尾楼"
    FORECLOSED = "foreclosed", "抵债房"


class UnitUse(models.TextChoices):
    HOME = "home", "住宅"
    SHOP = "shop", "商业"
    PARKING = "parking", "车位"
    OTHER = "other", "其他"


#: the certificates asset kind a unit is offered as (its offset scope is checked against it)
ASSET_KIND_OF_USE = {"home": "house", "shop": "shop", "parking": "parking", "other": "other"}


class UnitStatus(models.TextChoices):
    HANDING_IN = "handing_in", "移交中"
    IN_POOL = "in_pool", "在池可售"
    RESERVED = "reserved", "办理中"
    SOLD = "sold", "已售出"
    EXCHANGED = "exchanged", "已换回"
    WITHDRAWN = "withdrawn", "已退出"


class Unit(models.Model):
    number = models.CharField("房源编号", max_length=20, unique=True)
    kind = models.CharField("房源类型", max_length=12, choices=UnitKind.choices)
    project = models.CharField("项目名称", max_length=100)
    building = models.CharField("楼栋", max_length=30)
    unit_no = models.CharField("房号", max_length=30)
    area_m2 = models.DecimalField("建筑面积（㎡）", max_digits=9, decimal_places=2)
    use = models.CharField("用途", max_length=10, choices=UnitUse.choices, default=UnitUse.HOME)
    valuation_fen = models.BigIntegerField("评估价值（分）")
    valuation_basis = models.CharField("评估依据", max_length=200)
    valuation_date = models.DateField("评估日期")
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="原权利人")
    manager = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="housing_units", verbose_name="盘活主体")
    title_no = models.CharField("权属证书/备案编号", max_length=100, blank=True)
    mortgaged = models.BooleanField("存在抵押", default=False)
    encumbrances = models.CharField("权利负担（抵押、查封等）", max_length=300, blank=True)
    status = models.CharField("状态", max_length=12, choices=UnitStatus.choices, default=UnitStatus.IN_POOL)
    asset = models.OneToOneField(OffsetAsset, null=True, blank=True, on_delete=models.PROTECT, related_name="housing_unit",
                                 verbose_name="抵付资产")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = "房源"
        constraints = [
            models.CheckConstraint(condition=Q(valuation_fen__gt=0), name="housing_unit_valuation_positive"),
            models.CheckConstraint(condition=Q(area_m2__gt=0), name="housing_unit_area_positive"),
            models.CheckConstraint(condition=Q(status__in=UnitStatus.values), name="housing_unit_status_valid"),
            # a unit in the pool or taken by an offset is offered through its certificates asset
            models.CheckConstraint(condition=~Q(status__in=["in_pool", "reserved", "sold"]) | Q(asset__isnull=False),
                                   name="housing_unit_pooled_has_asset"),
            models.UniqueConstraint(fields=["project", "building", "unit_no"], name="housing_unit_unique_address"),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.building}-{self.unit_no}"

    @property
    def address(self) -> str:
        return f"{self.project} {self.building} {self.unit_no}"


class TxKind(models.TextChoices):
    HANDOVER = rules.HANDOVER, "房产移交"
    EXCHANGE_BACK = rules.EXCHANGE_BACK, "房产换回"
    CERTIFICATE_OFFSET = rules.CERTIFICATE_OFFSET, "凭证抵付"
    CASH_SALE = rules.CASH_SALE, "房产现金销售"


class TxStatus(models.TextChoices):
    OPEN = "open", "办理中"
    AGREED = "agreed", "已商定待交付"
    DELIVERED = "delivered", "已交付待注销"
    COMPLETED = "completed", "已完成"
    CANCELLED = "cancelled", "已撤销"


OPEN_TX_STATUSES = (TxStatus.OPEN, TxStatus.AGREED, TxStatus.DELIVERED)


class HousingTransaction(models.Model):
    number = models.CharField("业务编号", max_length=20, unique=True)
    kind = models.CharField("业务类型", max_length=20, choices=TxKind.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="transactions", verbose_name="房源")
    manager = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="盘活主体")
    counterparty = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="housing_transactions",
                                     verbose_name="对方（移交方/换回方/买受人）")
    co_holders = models.ManyToManyField(Organisation, blank=True, related_name="+", verbose_name="共同抵付持有人")
    price_fen = models.BigIntegerField("约定价款（分）")
    agreement_ref = models.CharField("协议编号", max_length=100, blank=True)
    status = models.CharField("状态", max_length=12, choices=TxStatus.choices, default=TxStatus.OPEN)
    # 房产移交: the joint certificate application (债务人 = 盘活主体, 债权人 = 移交方) made through issuance
    application = models.OneToOneField(Application, null=True, blank=True, on_delete=models.PROTECT, related_name="housing_handover")
    # cash received: the price (换回 / 现金销售) or the holders' top-up beside their certificate credit (凭证抵付)
    payment_fen = models.BigIntegerField("收款金额（分）", default=0)
    payer = models.CharField("付款人", max_length=100, blank=True)
    payment_ref = models.CharField("银行流水号", max_length=60, blank=True)
    payment_date = models.DateField("到账日期", null=True, blank=True)
    payment_account = models.ForeignKey(SupervisedAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                        verbose_name="监管账户")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField(default=timezone.now)
    completed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField("撤销理由", max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "盘活业务"
        constraints = [
            models.CheckConstraint(condition=Q(price_fen__gt=0), name="housing_tx_price_positive"),
            models.CheckConstraint(condition=Q(payment_fen__gte=0) & Q(payment_fen__lte=models.F("price_fen")),
                                   name="housing_tx_payment_within_price"),
            models.CheckConstraint(condition=~Q(kind="handover") | Q(application__isnull=False), name="housing_handover_has_application"),
            models.CheckConstraint(condition=~Q(status="completed") | Q(completed_at__isnull=False), name="housing_tx_completed_recorded"),
            models.CheckConstraint(condition=~Q(status="completed", kind__in=["exchange_back", "cash_sale"])
                                   | (Q(payment_fen=models.F("price_fen")) & ~Q(payment_ref="")), name="housing_tx_paid_in_full"),
            models.UniqueConstraint(fields=["unit"], condition=Q(status__in=["open", "agreed", "delivered"]),
                                    name="housing_one_open_tx_per_unit"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TX_STATUSES


class OffsetShare(models.Model):
    """One holder's piece put toward a certificate-offset transaction: a certificates offset application."""

    transaction = models.ForeignKey(HousingTransaction, on_delete=models.PROTECT, related_name="shares")
    offset = models.OneToOneField(OffsetApplication, on_delete=models.PROTECT, related_name="housing_share")
    holder = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField("抵付债权金额（分）")
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", db_index=False)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = "凭证抵付份额"
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="housing_share_amount_positive")]

    def __str__(self) -> str:
        return f"{self.transaction_id}/{self.offset_id}"


class StepKind(models.TextChoices):
    NET_SIGN = rules.NET_SIGN, rules.STEP_LABELS[rules.NET_SIGN]
    NET_SIGN_CANCEL = rules.NET_SIGN_CANCEL, rules.STEP_LABELS[rules.NET_SIGN_CANCEL]
    PRE_REGISTRATION = rules.PRE_REGISTRATION, rules.STEP_LABELS[rules.PRE_REGISTRATION]
    MORTGAGE = rules.MORTGAGE, rules.STEP_LABELS[rules.MORTGAGE]
    MORTGAGE_RELEASE = rules.MORTGAGE_RELEASE, rules.STEP_LABELS[rules.MORTGAGE_RELEASE]
    TRANSFER = rules.TRANSFER, rules.STEP_LABELS[rules.TRANSFER]


class RegistrationStep(models.Model):
    transaction = models.ForeignKey(HousingTransaction, on_delete=models.PROTECT, related_name="steps")
    step = models.CharField("登记事项", max_length=20, choices=StepKind.choices)
    ref_no = models.CharField("登记/备案编号", max_length=60)
    done_on = models.DateField("办理日期")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", db_index=False)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = "登记事项"
        constraints = [
            models.UniqueConstraint(fields=["transaction", "step"], name="housing_step_once"),
            models.CheckConstraint(condition=~Q(ref_no=""), name="housing_step_ref_required"),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} {self.ref_no}"
