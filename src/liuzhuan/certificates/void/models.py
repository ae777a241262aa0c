"""Voiding (作废) a certificate issued in error: maker prepares, checker decides."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from liuzhuan.members.models import User

from ..ledger.models import Certificate


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
