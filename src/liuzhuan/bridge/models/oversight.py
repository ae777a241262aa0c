"""The finance bureau's oversight of the fund: inspections (第十四条、第二十六条) and the sanctions
on the fund manager and its staff, with the referral to the financial regulator (第十八条)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from liuzhuan.members.models import Organisation

USER = settings.AUTH_USER_MODEL


class InspectionKind(models.TextChoices):
    REGULAR = "regular", "定期检查"
    IRREGULAR = "irregular", "不定期检查"
    AUDIT = "audit", "委托社会中介机构审计或评估"


class Inspection(models.Model):
    """One inspection of the fund's operation or of a renewal bank's use of the fund."""

    inspected_on = models.DateField("检查日期")
    kind = models.CharField("检查方式", max_length=20, choices=InspectionKind.choices)
    inspector = models.CharField("检查人员/受托中介机构", max_length=200)
    #: 第十四条: whether a renewal bank uses the fund as the rules say; empty = the fund as a whole
    bank = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="被检查银行")
    findings = models.TextField("检查发现")
    follow_up = models.TextField("整改要求/后续处理", blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = "监督检查"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=InspectionKind.values), name="bridge_inspection_kind_valid"),
            models.CheckConstraint(condition=~Q(findings=""), name="bridge_inspection_has_findings"),
        ]

    def __str__(self) -> str:
        return f"监督检查 #{self.pk}"


class MisconductItem(models.TextChoices):
    EXTRA_FEES = "extra_fees", "（一）利用信息优势私自向借款主体收取额外费用"
    FRAUD_OR_LOSS = "fraud_or_loss", "（二）弄虚作假、审查不严、合谋骗取、挪用或违规操作致资金损失"
    OTHER = "other", "（三）其他违反法律法规及本办法的行为"


class Sanction(models.Model):
    """第十八条: misconduct of the fund manager or one of its officers, and the measures taken:
    cancelling the manager's entrustment, legal liability, referral to the financial regulator."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="管理机构")
    #: one of the manager's staff (经办人员); empty when the finding is against the organisation
    officer = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="经办人员")
    item = models.CharField("违规情形", max_length=20, choices=MisconductItem.choices)
    findings = models.TextField("认定事实")
    decided_on = models.DateField("处理日期")
    cancel_qualification = models.BooleanField("取消管理（合作）资格", default=False)
    legal_liability = models.BooleanField("追究法律责任", default=False)
    regulator_referral = models.BooleanField("提请金融监管支局处理", default=False)
    referral_note = models.TextField("提请处理事项/文号", blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = "违规处理"
        constraints = [
            models.CheckConstraint(condition=Q(item__in=MisconductItem.values), name="bridge_sanction_item_valid"),
            models.CheckConstraint(
                condition=Q(cancel_qualification=True) | Q(legal_liability=True) | Q(regulator_referral=True),
                name="bridge_sanction_has_measure"),
            models.CheckConstraint(condition=Q(regulator_referral=False) | ~Q(referral_note=""), name="bridge_sanction_referral_note"),
        ]

    def __str__(self) -> str:
        return f"违规处理 #{self.pk}"

    @property
    def measures(self) -> list[str]:
        return [label for flag, label in ((self.cancel_qualification, "取消管理（合作）资格"), (self.legal_liability, "追究法律责任"),
                                          (self.regulator_referral, "提请金融监管支局处理")) if flag]
