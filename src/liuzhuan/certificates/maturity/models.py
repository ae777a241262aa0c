"""Extensions (展期) of a certificate under its clause; the current maturity, count and overdue
mark are on the certificate itself (ledger)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..ledger.models import Certificate


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
