"""The ledger's records: certificates, their pieces, title registrations, the operator's parameters.

A certificate is issued once for the face amount; its value lives in *pieces*. A piece has
exactly one holder for its whole life: a transfer never changes a piece's holder, it ends the
piece and creates a new one for the transferee, so the parent links are the chain of title.
Every other sub-package's models point at these.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone

from liuzhuan.members.models import Organisation, User


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    SETTLED = "settled", "已结清"
    VOIDED = "voided", "已作废"


class Certificate(models.Model):
    number = models.CharField("凭证编号", max_length=20, unique=True)
    application = models.OneToOneField("certificates.Application", on_delete=models.PROTECT, related_name="certificate")
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
    # maturity and extension (maturity/actions.py): maturity_date is the current one
    extension_count = models.PositiveIntegerField("已展期次数", default=0)
    overdue_since = models.DateField("逾期起始日", null=True, blank=True)
    reminded_for = models.DateField("已提醒的到期日", null=True, blank=True)
    # 存量业务 (seed 六（三）): recorded by the operator from business that predates the plan
    legacy = models.BooleanField("存量业务", default=False, db_default=False)
    legacy_original_no = models.CharField("原凭证（合同）编号", max_length=60, blank=True, default="", db_default="")
    legacy_recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = "债权凭证"
        constraints = [
            models.CheckConstraint(condition=Q(face_fen__gt=0), name="certificate_face_positive"),
            models.CheckConstraint(condition=Q(legacy=False) | (~Q(legacy_original_no="") & Q(legacy_recorded_by__isnull=False)),
                                   name="certificate_legacy_recorded"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def legacy_label(self) -> str:
        return "存量" if self.legacy else ""


class PieceStatus(models.TextChoices):
    LIVE = "live", "持有中"
    OFFERED = "offered", "转让待接收"
    SPLIT = "split", "已拆分"
    TRANSFERRED = "transferred", "已转让"
    # frozen or ended by pledge, offset, purchase and void (docs/design/certificate-lifecycle.md)
    PLEDGED = "pledged", "已质押"
    OFFSETTING = "offsetting", "抵付办理中"
    SELLING = "selling", "收购办理中"
    OFFSET = "offset", "已抵付注销"
    SET_OFF = "set_off", "已抵销"  # discharged in a debt set-off agreement (setoff app)
    VOIDED = "voided", "已作废"


#: statuses whose amount still belongs to the certificate's outstanding value (leaves of the tree)
HOLDING_STATUSES = frozenset({PieceStatus.LIVE, PieceStatus.OFFERED, PieceStatus.PLEDGED, PieceStatus.OFFSETTING,
                              PieceStatus.SELLING})


#: statuses that end a piece by handing its whole amount to child pieces
PASSED_ON_STATUSES = frozenset({PieceStatus.SPLIT, PieceStatus.TRANSFERRED})


#: the paper copy's verification code: no 0/O, 1/I/L look-alikes; 10 characters ≈ 49.5 bits
VERIFY_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
VERIFY_CODE_LENGTH = 10


def new_verify_code() -> str:
    """A random code printed on the paper copy beside the QR code; the public verify page shows
    a piece only to someone who has it (the number alone is serial and its check character public)."""
    return "".join(secrets.choice(VERIFY_CODE_ALPHABET) for _ in range(VERIFY_CODE_LENGTH))


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
    verify_code = models.CharField("纸质凭证核验码", max_length=VERIFY_CODE_LENGTH, default=new_verify_code, editable=False)
    #: the maturity this piece ended under, stamped when the certificate is next extended (展期
    #: moves only the unpaid pieces); empty while the piece follows the certificate's maturity
    maturity_date = models.DateField("到期日（已了结分段）", null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "凭证分段"
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="piece_amount_positive")]
        indexes = [models.Index(fields=["holder", "status"], name="piece_holder_status_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def maturity(self):
        """This piece's maturity: its own once ended before an extension, else the certificate's."""
        return self.maturity_date or self.certificate.maturity_date


class OfferStatus(models.TextChoices):
    OFFERED = "offered", "待接收"
    ACCEPTED = "accepted", "已接收"
    DECLINED = "declined", "已拒收"
    LAPSED = "lapsed", "已逾期失效"
    CANCELLED = "cancelled", "已撤回"


class FeePayer(models.TextChoices):
    """Who pays a service fee: the operator's schedule names a default, the transfer or pledge
    contract the agreed term (side A = transferor / pledgor / creditor, side B = the other)."""

    TRANSFEROR = "transferor", "转让方/出质人（开具时为债权人）"
    TRANSFEREE = "transferee", "受让方/质权人（开具时为债务人）"
    SPLIT = "split", "双方分担（按约定比例，默认各半）"


def fee_term_constraint(name: str) -> models.CheckConstraint:
    """The agreed fee term of a contract (转让合同 / 质押合同): the payer and side A's share in per
    cent — 100 for side A, 0 for side B, strictly between for a split. Blank on rows that predate it."""
    return models.CheckConstraint(condition=(
        Q(fee_payer="", fee_share_pct__isnull=True) | Q(fee_payer="transferor", fee_share_pct=100)
        | Q(fee_payer="transferee", fee_share_pct=0) | Q(fee_payer="split", fee_share_pct__gt=0, fee_share_pct__lt=100)),
        name=name)


class FeeTermFields(models.Model):
    """The agreed fee term, as recorded on a transfer and on a pledge."""

    fee_payer = models.CharField("约定服务费付费方", max_length=20, choices=FeePayer.choices, blank=True, default="", db_default="")
    fee_share_pct = models.DecimalField("转让方/出质人承担比例（%）", max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def fee_term_label(self) -> str:
        if not self.fee_payer:
            return "按收费标准"
        if self.fee_payer == FeePayer.SPLIT:
            return f"双方分担（转让方/出质人 {self.fee_share_pct.normalize():f}%）"
        return self.get_fee_payer_display().split("（")[0]


class Transfer(FeeTermFields):
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
    # another package's business that this offer pays for (a merchant's order): only that business
    # accepts, declines or withdraws it, so the two cannot disagree about where the credit went
    managed_by = models.CharField("所属业务", max_length=60, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-id"]
        verbose_name = "转让"
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="transfer_amount_positive"),
            models.CheckConstraint(condition=~Q(from_org=models.F("to_org")), name="transfer_distinct_parties"),
            fee_term_constraint("transfer_fee_term_valid"),
            models.UniqueConstraint(fields=["piece"], condition=Q(status="offered"), name="transfer_one_open_offer_per_piece"),
        ]

    def __str__(self) -> str:
        return self.registration_no or f"offer#{self.pk}"


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
