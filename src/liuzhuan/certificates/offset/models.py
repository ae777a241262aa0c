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
    DEBT = "debt", "抵偿债务"  # 上下游主体间抵偿债务: the holder's payable to the certificate's debtor


class OffsetStatus(models.TextChoices):
    APPLIED = "applied", "待债务人核查"
    OPTIONS_OFFERED = "options", "待商定价款"
    PRICE_PROPOSED = "proposed", "价款待对方确认"
    AGREED = "agreed", "待交付登记"
    DELIVERED = "delivered", "待持有人确认"
    RECEIVED = "received", "待注销登记"
    COMPLETED = "completed", "已抵付注销"
    REFUSED = "refused", "债务人不予办理"
    WITHDRAWN = "withdrawn", "已撤回"


#: the piece stays frozen (``offsetting``) in all of these
OPEN_OFFSET_STATUSES = (OffsetStatus.APPLIED, OffsetStatus.OPTIONS_OFFERED, OffsetStatus.PRICE_PROPOSED, OffsetStatus.AGREED,
                        OffsetStatus.DELIVERED, OffsetStatus.RECEIVED)
#: before the debtor records delivery: the debtor may still refuse, the holder withdraw
CLOSABLE_OFFSET_STATUSES = OPEN_OFFSET_STATUSES[:4]


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
    # delivery recorded by the debtor, receipt confirmed by the holder, cancellation registered by the operator (注销登记)
    delivered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    delivered_at = models.DateTimeField("交付登记时间", null=True, blank=True)
    received_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    received_at = models.DateTimeField("持有人确认时间", null=True, blank=True)
    returned_reason = models.CharField("退回补正理由", max_length=300, blank=True)
    cancellation_no = models.CharField("注销登记编号", max_length=20, unique=True, null=True, blank=True)
    completed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")  # the operator
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
    # 资金监管 (escrow/): the supervised account that received the holder's cash top-up
    cash_top_up_account = models.ForeignKey("certificates.SupervisedAccount", null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="offset_top_ups", verbose_name="补足款监管账户")
    # 抵偿债务 (kind debt): the holder's payable to the debtor, set off against the claim
    payable_contract_ref = models.CharField("持有人应付债务合同编号", max_length=100, blank=True, default="", db_default="")
    payable_fen = models.BigIntegerField("持有人应付债务金额（分）", null=True, blank=True)
    payable_due_date = models.DateField("应付债务到期日", null=True, blank=True)
    closed_reason = models.CharField(max_length=300, blank=True)
    fee_fen = models.BigIntegerField(default=0)
    # the business an offset belongs to when another package drives it (a housing-pool transaction,
    # a merchant's order): it is withdrawn or refused there as a whole, never alone from here
    managed_by = models.CharField("所属业务", max_length=60, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-id"]
        verbose_name = "抵付申请"
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="offset_amount_positive"),
            models.CheckConstraint(condition=Q(price_fen__isnull=True) | Q(price_fen__gt=0), name="offset_price_positive"),
            models.CheckConstraint(condition=Q(cash_top_up_fen__gte=0), name="offset_top_up_non_negative"),
            models.CheckConstraint(
                condition=~Q(status="completed") | (Q(offset_fen__gt=0) & Q(offset_fen__lte=models.F("amount_fen"))
                                                   & Q(price_fen__isnull=False) & ~Q(delivery_ref="")
                                                   & Q(cancellation_no__isnull=False)),
                name="offset_completed_consistent",
            ),
            models.CheckConstraint(condition=~Q(status__in=["delivered", "received"]) | (Q(delivered_at__isnull=False) & ~Q(delivery_ref="")),
                                   name="offset_delivery_recorded"),
            models.CheckConstraint(condition=~Q(status="received") | Q(received_at__isnull=False), name="offset_receipt_confirmed"),
            models.CheckConstraint(condition=~Q(kind="debt") | (Q(payable_fen__gt=0) & ~Q(payable_contract_ref="")
                                                                & Q(payable_due_date__isnull=False) & Q(price_fen__isnull=False)
                                                                & Q(price_fen__lte=models.F("payable_fen"))
                                                                & Q(price_fen__lte=models.F("amount_fen"))),
                                   name="offset_debt_payable_named"),
            models.UniqueConstraint(fields=["piece"], condition=Q(status__in=["applied", "options", "proposed", "agreed", "delivered", "received"]),
                                    name="offset_one_open_per_piece"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_counter(self) -> bool:
        """A merchant's counter consumption offset (``counter.py``): consumption at the published
        price, reserved exactly, driven by the merchant's order."""
        return self.kind == OffsetKind.CONSUMPTION and self.price_fen == self.amount_fen and self.managed_by.startswith("特约商户")

    @property
    def is_legacy_completion(self) -> bool:
        """Completed before the three-step flow (migration 0011): the debtor alone completed it;
        ``completed_by`` is that debtor user, not an operator registering a cancellation."""
        return self.status == OffsetStatus.COMPLETED and (self.cancellation_no or "").startswith(LEGACY_PREFIX)


#: registration numbers given to offsets completed before the three steps (migration 0011)
LEGACY_PREFIX = "LEGACY-"


class EvidenceKind(models.TextChoices):
    DELIVERY = "delivery", "资产交付确认"
    TITLE = "title", "权属转移登记"
    SETTLEMENT = "settlement", "消费结算单"
    TOP_UP = "top_up", "补足款凭证"
    PAYABLE = "payable", "应付债务合同/对账确认"
    OTHER = "other", "其他"


#: the evidence the debtor's delivery record needs, per offset kind (seed 三(五)「完成资产交付及资产权属转移登记…或消费结算」)
REQUIRED_EVIDENCE = {
    OffsetKind.ASSET: (EvidenceKind.DELIVERY, EvidenceKind.TITLE),
    OffsetKind.CONSUMPTION: (EvidenceKind.SETTLEMENT,),
    OffsetKind.DEBT: (EvidenceKind.PAYABLE,),  # 抵偿债务: the contract of the holder's payable to the debtor
}


def missing_evidence(kind: str, have, top_up_fen: int = 0) -> list[str]:
    """The documents an offset still lacks: those of its kind, and — where the holder paid a
    shortfall in cash (seed 三(五)「不足部分由持有人以货币资金形式补足」) — the proof of that payment."""
    need = [*REQUIRED_EVIDENCE[OffsetKind(kind)], *((EvidenceKind.TOP_UP,) if top_up_fen else ())]
    return [k for k in need if k not in have]


class OffsetEvidence(models.Model):
    """A document proving delivery, title transfer or consumption settlement: PDF/PNG/JPEG, SHA-256 kept."""

    offset = models.ForeignKey(OffsetApplication, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField("材料类别", max_length=20, choices=EvidenceKind.choices)
    file = models.FileField(upload_to="offsets/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", db_index=False)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = "抵付证明材料"
        constraints = [
            models.UniqueConstraint(fields=["offset", "sha256"], name="offset_evidence_unique_content"),
            models.CheckConstraint(condition=Q(size__gt=0), name="offset_evidence_not_empty"),
        ]

    def __str__(self) -> str:
        return self.original_name
