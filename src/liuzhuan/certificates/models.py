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
    # maturity and extension (lifecycle.process_maturities): maturity_date is the current one
    extension_count = models.PositiveIntegerField("已展期次数", default=0)
    overdue_since = models.DateField("逾期起始日", null=True, blank=True)
    reminded_for = models.DateField("已提醒的到期日", null=True, blank=True)

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
    # lifecycle (see lifecycle.py and docs/design/certificate-lifecycle.md)
    PLEDGED = "pledged", "已质押"
    OFFSETTING = "offsetting", "抵付办理中"
    SELLING = "selling", "收购办理中"
    OFFSET = "offset", "已抵付注销"
    VOIDED = "voided", "已作废"


#: statuses whose amount still belongs to the certificate's outstanding value (leaves of the tree)
HOLDING_STATUSES = frozenset({PieceStatus.LIVE, PieceStatus.OFFERED, PieceStatus.PLEDGED, PieceStatus.OFFSETTING,
                              PieceStatus.SELLING})
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
    # who offered and who decided are shown, never searched on: no index to maintain per transfer
    offered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", db_index=False)
    offered_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateField("接收截止日")
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
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

    class Meta:
        ordering = ["-charged_on", "-id"]
        verbose_name = "服务费"
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gte=0, reverses__isnull=True) | Q(amount_fen__lte=0, reverses__isnull=False),
                                              name="feecharge_sign_by_kind")]
        indexes = [models.Index(fields=["org", "charged_on"], name="fee_org_day_idx"), models.Index(fields=["charged_on"], name="fee_day_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount_fen}"

    @property
    def kind_label(self) -> str:
        """业务 as statements show it: a reversal is marked (冲销)."""
        return f"{self.get_op_type_display()}（冲销）" if self.reverses_id else self.get_op_type_display()


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


# --- lifecycle: pledge, purchase with lock-up, offset, void, maturity, market purchase ----------
# Actions in lifecycle.py; rules in lifecycle_rules.py; design in docs/design/certificate-lifecycle.md.


class PledgeStatus(models.TextChoices):
    PENDING_REGISTRATION = "pending_registration", "待登记生效"
    EFFECTIVE = "effective", "已生效"
    RELEASED = "released", "已解押"
    ENFORCED = "enforced", "已实现质权"
    CANCELLED = "cancelled", "已撤销"


OPEN_PLEDGE_STATUSES = (PledgeStatus.PENDING_REGISTRATION, PledgeStatus.EFFECTIVE)


class Pledge(models.Model):
    """质押: a whole piece (split first when only part is pledged) secures the pledgee's claim."""

    number = models.CharField("质押编号", max_length=20, unique=True)
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="pledges")
    piece = models.ForeignKey(Piece, on_delete=models.PROTECT, related_name="pledges", verbose_name="质押分段")
    pledgor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="pledges_given", verbose_name="出质人")
    pledgee = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="pledges_taken", verbose_name="质权人")
    amount_fen = models.BigIntegerField("质押金额（分）")
    contract_ref = models.CharField("质押合同编号", max_length=100)
    secured_fen = models.BigIntegerField("担保主债权金额（分）")
    start_date = models.DateField("质押期限起")
    end_date = models.DateField("质押期限止")
    registration_required = models.BooleanField("属统一登记范围", default=True)
    registration_no = models.CharField("中征动产融资统一登记编号", max_length=40, blank=True)
    registration_date = models.DateField("登记日期", null=True, blank=True)
    status = models.CharField("状态", max_length=30, choices=PledgeStatus.choices, default=PledgeStatus.PENDING_REGISTRATION)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    effective_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    effective_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField("解除/实现说明", max_length=300, blank=True)
    default_date = models.DateField("违约日", null=True, blank=True)
    enforcement = models.OneToOneField(Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="enforced_pledge")
    fee_fen = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-id"]
        verbose_name = "质押"
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="pledge_amount_positive"),
            models.CheckConstraint(condition=Q(secured_fen__gt=0), name="pledge_secured_positive"),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="pledge_term_ordered"),
            models.CheckConstraint(condition=~Q(pledgor=models.F("pledgee")), name="pledge_distinct_parties"),
            models.CheckConstraint(condition=Q(fee_fen__gte=0), name="pledge_fee_non_negative"),
            models.CheckConstraint(
                condition=~(Q(registration_required=True, status__in=["effective", "released", "enforced"])
                            & (Q(registration_no="") | Q(registration_date__isnull=True))),
                name="pledge_effective_needs_registration",
            ),
            models.UniqueConstraint(fields=["piece"], condition=Q(status__in=["pending_registration", "effective"]),
                                    name="pledge_one_open_per_piece"),
        ]

    def __str__(self) -> str:
        return self.number


class PledgedTransferStatus(models.TextChoices):
    REQUESTED = "requested", "待质权人同意"
    CONSENTED = "consented", "待受让方接收"
    REFUSED = "refused", "质权人不同意"
    DECLINED = "declined", "受让方拒收"
    COMPLETED = "completed", "已转让，质押解除"
    WITHDRAWN = "withdrawn", "已撤回"


class PledgedTransfer(models.Model):
    """Transfer of a pledged piece with the pledgee's consent; on completion the pledge is released."""

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="transfer_requests")
    to_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="pledged_transfers_in", verbose_name="受让方")
    agreement_ref = models.CharField("转让协议编号", max_length=100)
    status = models.CharField(max_length=20, choices=PledgedTransferStatus.choices, default=PledgedTransferStatus.REQUESTED)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    consented_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    consented_at = models.DateTimeField(null=True, blank=True)
    proceeds_arrangement = models.CharField("转让价款安排（提前清偿或提存）", max_length=300, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    transfer = models.OneToOneField(Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="pledged_transfer")

    class Meta:
        ordering = ["-id"]
        verbose_name = "质押分段转让"
        constraints = [
            models.UniqueConstraint(fields=["pledge"], condition=Q(status__in=["requested", "consented"]),
                                    name="pledgedtransfer_one_open_per_pledge"),
        ]

    def __str__(self) -> str:
        return f"pledged-transfer#{self.pk}"


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


class VoidStatus(models.TextChoices):
    PREPARED = "prepared", "待复核"
    VOIDED = "voided", "已作废"
    SENT_BACK = "sent_back", "复核不同意"


class CertificateVoid(models.Model):
    """Operator voids a certificate issued in error: maker prepares with a reason, a checker decides."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="voids")
    reason = models.CharField("作废理由", max_length=500)
    status = models.CharField(max_length=20, choices=VoidStatus.choices, default=VoidStatus.PREPARED)
    prepared_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "凭证作废"
        constraints = [
            models.UniqueConstraint(fields=["certificate"], condition=Q(status="prepared"), name="void_one_open_per_certificate"),
            models.UniqueConstraint(fields=["certificate"], condition=Q(status="voided"), name="void_once_per_certificate"),
        ]

    def __str__(self) -> str:
        return f"void#{self.pk}"


class CertificateExtension(models.Model):
    """One automatic extension (展期) under the certificate's extension clause."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="extensions")
    seq = models.PositiveIntegerField("第几次展期")
    from_date = models.DateField("原到期日")
    to_date = models.DateField("展期后到期日")
    run_date = models.DateField("办理日")
    outstanding_fen = models.BigIntegerField("展期时未清偿金额（分）")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["certificate_id", "seq"]
        verbose_name = "展期记录"
        constraints = [
            models.UniqueConstraint(fields=["certificate", "seq"], name="extension_seq_unique"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="extension_seq_positive"),
            models.CheckConstraint(condition=Q(to_date__gt=models.F("from_date")), name="extension_moves_forward"),
            models.CheckConstraint(condition=Q(outstanding_fen__gt=0), name="extension_outstanding_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id}#{self.seq}"


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
