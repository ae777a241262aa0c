"""Recovery (第十三条) and fraud findings with the five-year ban (第十七条)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from liuzhuan.members.models import Organisation

from .application import Application

USER = settings.AUTH_USER_MODEL


class CaseKind(models.TextChoices):
    OVERDUE = "overdue", "逾期清收"
    FRAUD = "fraud", "骗取追缴"


class CaseStatus(models.TextChoices):
    OPEN = "open", "待制定追偿方案"
    IN_PROGRESS = "in_progress", "追偿中"
    RECOVERED = "recovered", "已收回"


class RecoveryCase(models.Model):
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="recovery_case")
    kind = models.CharField(max_length=20, choices=CaseKind.choices)
    opened_on = models.DateField("立案日期")
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    plan = models.TextField("追偿方案", blank=True)
    plan_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    plan_at = models.DateTimeField(null=True, blank=True)
    reported_to_bureau_at = models.DateTimeField("报财政局时间", null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = "追偿案件"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="bridge_case_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=CaseKind.values), name="bridge_case_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"追偿案件 #{self.pk}"


class RecoveryAction(models.Model):
    case = models.ForeignKey(RecoveryCase, on_delete=models.PROTECT, related_name="actions")
    taken_on = models.DateField("日期")
    description = models.CharField("追偿措施", max_length=500)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["taken_on", "id"]
        verbose_name = "追偿措施"

    def __str__(self) -> str:
        return f"{self.taken_on} {self.description[:20]}"


class FraudFinding(models.Model):
    """虚报、瞒报、骗取: recovery, legal referral, and a five-year ban on new applications."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="bridge_fraud_findings")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="fraud_findings")
    findings = models.TextField("认定事实")
    legal_referral = models.TextField("移送司法机关/追究法律责任说明", blank=True)
    declared_on = models.DateField("认定日期")
    #: the last day of the ban, inclusive (Civil Code arts. 201–202; ``recovery/rules.py``)
    banned_until = models.DateField("禁入截止日（含当日）")
    declared_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-declared_on", "-id"]
        verbose_name = "骗取认定"
        constraints = [
            models.CheckConstraint(condition=Q(banned_until__gt=F("declared_on")), name="bridge_fraud_ban_after"),
        ]

    def __str__(self) -> str:
        return f"骗取认定 #{self.pk}"
