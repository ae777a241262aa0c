"""Extensions (展期) of a certificate under its clause; the current maturity, count and overdue
mark are on the certificate itself (ledger)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from liuzhuan.members.models import Organisation, User

from ..ledger.models import Certificate


class CertificateExtension(models.Model):
    """One automatic extension (展期) under the certificate's extension clause."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="extensions")
    seq = models.PositiveIntegerField("第几次展期")
    from_date = models.DateField("原到期日")
    to_date = models.DateField("展期后到期日")
    run_date = models.DateField("办理日")
    outstanding_fen = models.BigIntegerField("展期时未清偿金额（分）")
    extended_pieces = models.JSONField("展期的未清偿分段（编号）", default=list, blank=True)
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


class ExtensionNoticeKind(models.TextChoices):
    REQUEST = "request", "债务人展期申请"
    DISPUTE = "dispute", "持有人展期异议"


class ExtensionNotice(models.Model):
    """What the agreed extension conditions are decided on: the debtor's application for the
    extension, or a holder's objection, filed for one maturity date (up to and on that day)."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="extension_notices")
    for_maturity = models.DateField("针对的到期日")
    kind = models.CharField("类型", max_length=10, choices=ExtensionNoticeKind.choices)
    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="提出机构", db_index=False)
    reason = models.CharField("说明", max_length=300, blank=True)
    filed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", db_index=False)
    filed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["certificate_id", "for_maturity", "id"]
        verbose_name = "展期申请/异议"
        constraints = [models.UniqueConstraint(fields=["certificate", "for_maturity", "kind", "org"], name="extension_notice_once")]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.kind} {self.for_maturity}"
