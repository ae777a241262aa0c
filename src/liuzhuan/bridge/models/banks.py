"""Partner banks (第六条、第十八至二十一条): the supervision agreement and its status changes."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from liuzhuan.members.models import Organisation

USER = settings.AUTH_USER_MODEL


class AgreementStatus(models.TextChoices):
    ACTIVE = "active", "合作中"
    SUSPENDED = "suspended", "暂停合作"
    TERMINATED = "terminated", "已取消合作"


class BankAgreement(models.Model):
    """合作监管协议: must stipulate the bank's joint liability for principal and fee (第六条)."""

    bank = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="bridge_agreements", verbose_name="合作银行")
    number = models.CharField("协议编号", max_length=60, unique=True)
    signed_on = models.DateField("签订日期")
    valid_from = models.DateField("生效日期")
    valid_until = models.DateField("到期日期")
    joint_liability_principal = models.BooleanField("对本金承担连带赔偿责任", default=True)
    joint_liability_fee = models.BooleanField("对占用费承担连带赔偿责任", default=True)
    entrusted_allowed = models.BooleanField("可委托办理本行续贷过桥业务", default=False)
    #: where the partner bank's branch is (第六条「桐城市域内银行机构」): administrative division code
    branch_region = models.CharField("经办行所在地行政区划代码", max_length=6, blank=True)
    status = models.CharField("状态", max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.ACTIVE)
    status_reason = models.CharField("状态说明", max_length=300, blank=True)
    status_decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status_decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = "合作监管协议"
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=F("valid_from")), name="bridge_agreement_dates"),
            models.CheckConstraint(condition=Q(joint_liability_principal=True) & Q(joint_liability_fee=True), name="bridge_agreement_joint_liability"),
            models.CheckConstraint(condition=Q(status__in=AgreementStatus.values), name="bridge_agreement_status_valid"),
            models.UniqueConstraint(fields=["bank"], condition=Q(status__in=["active", "suspended"]), name="bridge_one_live_agreement_per_bank"),
        ]

    def __str__(self) -> str:
        return f"{self.number}（{self.bank.name}）"

    def in_force_on(self, day: dt.date) -> bool:
        return self.status == AgreementStatus.ACTIVE and self.valid_from <= day <= self.valid_until


class AgreementChangeArticle(models.TextChoices):
    ART18 = "art18", "第十八条：违规行为取消合作"
    ART20 = "art20", "第二十条：未履行续贷承诺暂停合作"
    OTHER = "other", "其他"


class AgreementStatusChange(models.Model):
    agreement = models.ForeignKey(BankAgreement, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=AgreementStatus.choices)
    to_status = models.CharField(max_length=20, choices=AgreementStatus.choices)
    article = models.CharField("依据", max_length=10, choices=AgreementChangeArticle.choices)
    reason = models.CharField("原因", max_length=500)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = "合作状态变更"

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.from_status} → {self.to_status}"
