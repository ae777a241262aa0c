"""The joint application by creditor and debtor (凭证申请) and its contract attachments."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from liuzhuan.members.models import Organisation, User

from ..ledger import scope
from ..ledger.rules import EXTENSION_CONDITIONS
from .rules import REVIEW_CHECKS


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
    #: the agreed offset scope (ledger/scope.py codes): asset categories and/or consumption; the two
    #: settle_by_* flags are derived from it by the actions and kept for the manner constraint
    offset_scope = models.JSONField("可抵付范围", default=list, blank=True)
    #: set by migration 0009 where the scope was inferred from free text (see docs/design/certificate-lifecycle.md)
    offset_scope_inferred = models.BooleanField("范围由迁移推定", default=False)
    accepted_categories = models.CharField("原可抵付范围（文字，迁移前）", max_length=300, blank=True)
    non_cash_declared = models.BooleanField("双方约定以非货币方式清偿", default=False)
    extension_days = models.PositiveIntegerField("展期期限（天）", null=True, blank=True)
    extension_max = models.PositiveIntegerField("最多展期次数", null=True, blank=True)
    #: the agreed situations (ledger.rules.EXTENSION_CONDITIONS codes) that must all hold for the
    #: automatic extension; none: the clause extends on non-payment alone
    extension_conditions = models.JSONField("展期约定情形", default=list, blank=True)
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
    def offset_scope_label(self) -> str:
        return scope.label(self.offset_scope)

    @property
    def extension_label(self) -> str:
        if self.extension_days:
            when = "且" + "、".join(EXTENSION_CONDITIONS[c] for c in self.extension_conditions) if self.extension_conditions else ""
            return f"到期未获全部清偿{when}的，未清偿部分自动展期 {self.extension_days} 天，最多 {self.extension_max or 1} 次"
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


class ReviewCheck(models.Model):
    """One item of the first review's checklist (初审核查清单), recorded by an operator reviewer with
    who, when and the contract clause read. A resubmitted application is checked again: the earlier
    record is kept, marked superseded."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="checks")
    item = models.CharField("核查项目", max_length=30, choices=list(REVIEW_CHECKS.items()))
    note = models.CharField("核查依据（合同条款等）", max_length=300)
    checked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField("失效时间（申请修改后重新核查）", null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "初审核查记录"
        constraints = [
            models.UniqueConstraint(fields=["application", "item"], condition=Q(superseded_at__isnull=True),
                                    name="issuance_check_one_current"),
            models.CheckConstraint(condition=Q(item__in=list(REVIEW_CHECKS)), name="issuance_check_item_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.item}"
