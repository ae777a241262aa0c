"""Receivable credit certificates (应收账款债权凭证): applications, certificates, pieces, transfers, fees.

A certificate is issued once for the face amount; its value lives in *pieces*. A piece has
exactly one holder for its whole life: a transfer never changes a piece's holder, it ends the
piece and creates a new one for the transferee, so the parent links are the chain of title.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from liuzhuan.members.models import Organisation, User


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "待双方确认"
    SUBMITTED = "submitted", "待初审"
    PREPARED = "prepared", "待复核"
    RETURNED = "returned", "退回补充材料"
    REJECTED = "rejected", "不予开具"
    ISSUED = "issued", "已开具"
    WITHDRAWN = "withdrawn", "已撤回"


class ReviewAction(models.TextChoices):
    APPROVE = "approve", "同意开具"
    REJECT = "reject", "不予开具"
    RETURN = "return", "退回补充材料"


class Application(models.Model):
    """Joint application by creditor and debtor with their underlying contract (基础合同)."""

    number = models.CharField("申请编号", max_length=20, unique=True)
    creditor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="applications_as_creditor", verbose_name="债权人")
    debtor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="applications_as_debtor", verbose_name="债务人")
    contract_no = models.CharField("合同编号", max_length=60)
    contract_title = models.CharField("合同名称", max_length=200)
    contract_date = models.DateField("签订日期")
    amount_fen = models.BigIntegerField("债权金额（分）")
    maturity_date = models.DateField("清偿期限")
    settle_by_asset = models.BooleanField("资产抵付", default=False)
    settle_by_consumption = models.BooleanField("消费抵付", default=False)
    accepted_categories = models.CharField("可抵付范围", max_length=300, blank=True)
    non_cash_declared = models.BooleanField("双方约定以非货币方式清偿", default=False)
    extension_days = models.PositiveIntegerField("展期期限（天）", null=True, blank=True)
    extension_max = models.PositiveIntegerField("最多展期次数", null=True, blank=True)
    guarantee_text = models.TextField("资产保障措施", blank=True)
    purchase_commitment_ref = models.CharField("第三方收购承诺", max_length=200, blank=True)
    status = models.CharField("状态", max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    creditor_confirmed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    creditor_confirmed_at = models.DateTimeField(null=True, blank=True)
    debtor_confirmed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    debtor_confirmed_at = models.DateTimeField(null=True, blank=True)
    prepared_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    prepared_action = models.CharField(max_length=10, choices=ReviewAction.choices, blank=True)
    prepared_reason = models.CharField(max_length=500, blank=True)
    prepared_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "凭证申请"
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="application_amount_positive"),
            models.CheckConstraint(condition=~Q(creditor=models.F("debtor")), name="application_distinct_parties"),
            models.CheckConstraint(condition=Q(settle_by_asset=True) | Q(settle_by_consumption=True), name="application_non_cash_manner"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def settlement_label(self) -> str:
        parts = []
        if self.settle_by_asset:
            parts.append("资产抵付")
        if self.settle_by_consumption:
            parts.append("消费抵付")
        return "、".join(parts)

    @property
    def extension_label(self) -> str:
        if self.extension_days:
            return f"到期未获全部清偿的，自动展期 {self.extension_days} 天，最多 {self.extension_max or 1} 次"
        return "无展期条款"


class Attachment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = "合同附件"

    def __str__(self) -> str:
        return self.original_name


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    SETTLED = "settled", "已结清"
    VOIDED = "voided", "已作废"


class Certificate(models.Model):
    number = models.CharField("凭证编号", max_length=20, unique=True)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="certificate")
    creditor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="certificates_as_creditor", verbose_name="债权人")
    debtor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="certificates_as_debtor", verbose_name="债务人")
    operator = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="certificates_issued", verbose_name="开具机构")
    face_fen = models.BigIntegerField("凭证金额（分）")
    maturity_date = models.DateField("清偿期限")
    issue_date = models.DateField("开具日期")
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=CertificateStatus.choices, default=CertificateStatus.ACTIVE)
    piece_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-id"]
        verbose_name = "债权凭证"
        constraints = [models.CheckConstraint(condition=Q(face_fen__gt=0), name="certificate_face_positive")]

    def __str__(self) -> str:
        return self.number


class PieceStatus(models.TextChoices):
    LIVE = "live", "持有中"
    OFFERED = "offered", "转让待接收"
    SPLIT = "split", "已拆分"
    TRANSFERRED = "transferred", "已转让"


#: statuses whose amount still belongs to the certificate's outstanding value (leaves of the tree)
HOLDING_STATUSES = frozenset({PieceStatus.LIVE, PieceStatus.OFFERED})
#: statuses that end a piece by handing its whole amount to child pieces
PASSED_ON_STATUSES = frozenset({PieceStatus.SPLIT, PieceStatus.TRANSFERRED})


class Piece(models.Model):
    number = models.CharField("分段编号", max_length=30, unique=True)
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="pieces")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    holder = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="pieces", verbose_name="持有人")
    amount_fen = models.BigIntegerField("金额（分）")
    status = models.CharField("状态", max_length=20, choices=PieceStatus.choices, default=PieceStatus.LIVE)
    origin = models.CharField("来源", max_length=20, default="issue")  # issue / split / transfer
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    prints = models.PositiveIntegerField("纸质凭证打印次数", default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = "凭证分段"
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="piece_amount_positive")]
        indexes = [models.Index(fields=["holder", "status"], name="piece_holder_status_idx")]

    def __str__(self) -> str:
        return self.number


class OfferStatus(models.TextChoices):
    OFFERED = "offered", "待接收"
    ACCEPTED = "accepted", "已接收"
    DECLINED = "declined", "已拒收"
    LAPSED = "lapsed", "已逾期失效"
    CANCELLED = "cancelled", "已撤回"


class Transfer(models.Model):
    """A transfer offer of a reserved piece; on acceptance it becomes a 流转变更登记."""

    piece = models.ForeignKey(Piece, on_delete=models.PROTECT, related_name="offers", verbose_name="转让分段")
    from_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="transfers_out")
    to_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="transfers_in")
    amount_fen = models.BigIntegerField()
    agreement_ref = models.CharField("转让协议编号", max_length=100)
    status = models.CharField(max_length=20, choices=OfferStatus.choices, default=OfferStatus.OFFERED)
    offered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    offered_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateField("接收截止日")
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=300, blank=True)
    registration_no = models.CharField("流转变更登记编号", max_length=20, unique=True, null=True, blank=True)
    new_piece = models.OneToOneField(Piece, null=True, blank=True, on_delete=models.PROTECT, related_name="received_by")
    fee_fen = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-id"]
        verbose_name = "转让"
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="transfer_amount_positive"),
            models.CheckConstraint(condition=~Q(from_org=models.F("to_org")), name="transfer_distinct_parties"),
            models.UniqueConstraint(fields=["piece"], condition=Q(status="offered"), name="transfer_one_open_offer_per_piece"),
        ]

    def __str__(self) -> str:
        return self.registration_no or f"offer#{self.pk}"


class OperationType(models.TextChoices):
    ISSUANCE = "issuance", "开具"
    TRANSFER = "transfer", "转让"
    PLEDGE = "pledge", "质押"
    PURCHASE = "purchase", "收购"
    OFFSET = "offset", "抵付"


class FeePayer(models.TextChoices):
    TRANSFEROR = "transferor", "转让方（开具时为债权人）"
    TRANSFEREE = "transferee", "受让方（开具时为债务人）"
    SPLIT = "split", "双方各半"


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

    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="fee_charges")
    op_type = models.CharField(max_length=20, choices=OperationType.choices)
    rule = models.ForeignKey(FeeRule, on_delete=models.PROTECT, related_name="charges")
    base_fen = models.BigIntegerField("计费金额（分）")
    amount_fen = models.BigIntegerField("费用（分）")
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="fees")
    transfer = models.ForeignKey(Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="fees")
    reference = models.CharField(max_length=30)
    charged_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-charged_on", "-id"]
        verbose_name = "服务费"
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gte=0), name="feecharge_non_negative")]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount_fen}"


class CertificateConfig(models.Model):
    """Operator-configurable parameters (single row)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    min_unit_fen = models.BigIntegerField("最小拆分单位（分）", default=100)
    offer_days = models.PositiveIntegerField("受让方接收期限（天）", default=5)
    max_attachment_bytes = models.PositiveIntegerField("附件大小上限（字节）", default=10 * 1024 * 1024)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "凭证业务参数"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="certconfig_singleton"),
            models.CheckConstraint(condition=Q(min_unit_fen__gte=1), name="certconfig_min_unit_positive"),
        ]

    def __str__(self) -> str:
        return "凭证业务参数"

    @classmethod
    def get(cls) -> CertificateConfig:
        obj = cls.objects.filter(id=1).first()
        return obj or cls(id=1)
