"""Pledges (质押) of a piece to a pledgee, and transfers of a pledged piece with the pledgee's consent."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from liuzhuan.members.models import Organisation, User

from ..ledger.models import Certificate, FeeTermFields, Piece, Transfer, fee_term_constraint


class PledgeStatus(models.TextChoices):
    PENDING_REGISTRATION = "pending_registration", "待登记生效"
    EFFECTIVE = "effective", "已生效"
    RELEASED = "released", "已解押"
    ENFORCED = "enforced", "已实现质权"
    CANCELLED = "cancelled", "已撤销"


OPEN_PLEDGE_STATUSES = (PledgeStatus.PENDING_REGISTRATION, PledgeStatus.EFFECTIVE)


class Pledge(FeeTermFields):
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
            fee_term_constraint("pledge_fee_term_valid"),
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
