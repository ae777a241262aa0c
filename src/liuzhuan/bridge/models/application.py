"""Applications (第八至十条): the filed materials checklist (第九条), the application — which becomes
the loan once disbursed — and the review items."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from liuzhuan.members.models import Organisation

from ..rates.common import per_10k_str
from ..rates.fees import MAX_USAGE_DAYS, MODE_ENTRUSTED, MODE_SELF, annual_to_daily, max_amount_fen
from .banks import BankAgreement

USER = settings.AUTH_USER_MODEL


# ---------------------------------------------------------------------------------------------
# Application materials checklist (第九条)
# ---------------------------------------------------------------------------------------------


class ChecklistVersion(models.Model):
    """申请资料清单及业务流程规范, versioned; usable once filed with the bureau (报市财政局备案)."""

    version = models.PositiveIntegerField("版本", unique=True)
    items = models.JSONField("资料清单", default=list)
    process = models.TextField("业务流程规范")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    filed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField("报备时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField("财政局确认备案时间", null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = "申请资料清单"
        constraints = [models.CheckConstraint(condition=Q(version__gte=1), name="bridge_checklist_version_pos")]

    def __str__(self) -> str:
        return f"第 {self.version} 版"

    @property
    def is_filed(self) -> bool:
        return self.filed_at is not None


# ---------------------------------------------------------------------------------------------
# Applications and loans
# ---------------------------------------------------------------------------------------------


class SmeSize(models.TextChoices):
    MEDIUM = "medium", "中型企业"
    SMALL = "small", "小型企业"
    MICRO = "micro", "微型企业"
    INDIVIDUAL = "individual", "个体工商户/小微企业主"
    AGRI = "agri", "涉农组织/非营利法人"


class LoanType(models.TextChoices):
    WORKING_CAPITAL = "working_capital", "银行自营流动资金贷款"
    ACCEPTANCE_BILL = "acceptance_bill", "银行承兑汇票"
    ENTRUSTED_LOAN = "entrusted_loan", "委托贷款"
    OTHER = "other", "其他"


class Classification(models.TextChoices):
    NORMAL = "normal", "正常类"
    SPECIAL_MENTION = "special_mention", "关注类"
    SUBSTANDARD = "substandard", "次级类"
    DOUBTFUL = "doubtful", "可疑类"
    LOSS = "loss", "损失类"


class Mode(models.TextChoices):
    SELF = MODE_SELF, "自营"
    ENTRUSTED = MODE_ENTRUSTED, "委托银行"


class AppStatus(models.TextChoices):
    SUBMITTED = "submitted", "待初审"
    RETURNED = "returned", "退回补正"
    PREPARED = "prepared", "待复核"
    APPROVED = "approved", "待银行确认"
    CONFIRMED = "confirmed", "待放款"
    DISBURSED = "disbursed", "使用中"
    OVERDUE = "overdue", "已逾期"
    RECOVERY = "recovery", "追缴中"
    REPAID = "repaid", "已结清"
    REJECTED = "rejected", "未通过"
    WITHDRAWN = "withdrawn", "已撤回"


#: loans whose principal is out (counted in the fund's outstanding balance)
LIVE_LOAN_STATUSES = (AppStatus.DISBURSED, AppStatus.OVERDUE, AppStatus.RECOVERY)
#: principal at risk (第二十二条): overdue or under recovery
AT_RISK_STATUSES = (AppStatus.OVERDUE, AppStatus.RECOVERY)
#: applications still in the pipeline before money leaves
PIPELINE_STATUSES = (AppStatus.SUBMITTED, AppStatus.RETURNED, AppStatus.PREPARED, AppStatus.APPROVED, AppStatus.CONFIRMED)
DISBURSED_STATUSES = (*LIVE_LOAN_STATUSES, AppStatus.REPAID)


class Application(models.Model):
    """One bridge application and, once disbursed, the loan (业务台账的一行)."""

    applicant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="bridge_applications", verbose_name="申请企业")
    submitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("申请时间", default=timezone.now)
    submitted_on = models.DateField("申请日期")
    checklist = models.ForeignKey(ChecklistVersion, on_delete=models.PROTECT, related_name="+", verbose_name="资料清单版本")
    sme_size = models.CharField("企业类型", max_length=20, choices=SmeSize.choices)
    # the original loan (第八条（三）、第十条（四）)
    bank = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="bridge_bank_applications", verbose_name="贷款银行")
    agreement = models.ForeignKey(BankAgreement, on_delete=models.PROTECT, related_name="applications")
    original_contract_no = models.CharField("原贷款合同编号", max_length=80)
    original_loan_type = models.CharField("原贷款种类", max_length=30, choices=LoanType.choices)
    original_due_fen = models.BigIntegerField("当期应清偿原贷款本金（分）")
    original_due_date = models.DateField("原贷款到期日")
    classification = models.CharField("五级分类", max_length=20, choices=Classification.choices)
    loan_account = models.CharField("原贷款还款账户", max_length=60)
    # the bank's renewal approval (第八条（四）、第十条（三）)
    renewal_approval_fen = models.BigIntegerField("续贷批复额度（分）")
    renewal_approval_no = models.CharField("续贷批复文号", max_length=80)
    renewal_approval_date = models.DateField("续贷批复日期")
    renewal_in_progress = models.BooleanField("银行确认正在办理续贷", default=False)
    # the request
    amount_fen = models.BigIntegerField("申请金额（分）")
    planned_days = models.PositiveSmallIntegerField("计划使用天数")
    planned_draw_date = models.DateField("计划提款日")
    purpose_confirmed = models.BooleanField("承诺仅用于还贷续贷应急周转", default=False)
    status = models.CharField("状态", max_length=20, choices=AppStatus.choices, default=AppStatus.SUBMITTED)
    mode = models.CharField("业务模式", max_length=20, choices=Mode.choices, blank=True)
    # maker-checker
    prepared_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(null=True, blank=True)
    prepare_note = models.CharField("初审意见", max_length=500, blank=True)
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approve_note = models.CharField("复核意见", max_length=500, blank=True)
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # the last return for correction (退回补正): what the first reviewer asked the applicant to fix
    returned_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    returned_at = models.DateTimeField("退回补正时间", null=True, blank=True)
    return_reason = models.CharField("补正要求", max_length=500, blank=True)
    resubmitted_at = models.DateTimeField("补正后重新提交时间", null=True, blank=True)
    closed_reason = models.CharField("未通过/撤回原因", max_length=500, blank=True)
    # bank confirmation
    bank_confirmed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    bank_confirmed_at = models.DateTimeField(null=True, blank=True)
    bank_note = models.CharField("银行意见", max_length=500, blank=True)
    #: the repayment account of the maturing loan at the lending bank, as the bank confirms it
    #: (第十条（一）: money goes there and nowhere else); ``loan_account`` is only what the applicant typed
    confirmed_account = models.CharField("银行确认的原贷款还款账户", max_length=60, blank=True)
    #: usage days set by the lending bank (第十条（二）「具体由续贷银行自行确定」); ``planned_days`` is the request
    term_days = models.PositiveSmallIntegerField("银行确定的使用天数", null=True, blank=True)
    # disbursement (直接划入原贷款还款账户)
    disbursed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    disbursed_on = models.DateField("提款日", null=True, blank=True)
    disbursed_to_account = models.CharField("划款账户", max_length=60, blank=True)
    disbursement_voucher = models.CharField("划款凭证号", max_length=80, blank=True)
    due_date = models.DateField("约定还款日", null=True, blank=True)
    # contract terms fixed on the draw date (exactly one of rate_daily / rate_annual once disbursed)
    rate_daily = models.DecimalField("日利率", max_digits=10, decimal_places=8, null=True, blank=True)
    rate_annual = models.DecimalField("年利率（折算日利率的依据）", max_digits=12, decimal_places=8, null=True, blank=True)
    basis = models.PositiveSmallIntegerField("计息基准", null=True, blank=True)
    contract_lpr_1y = models.DecimalField("合同执行一年期 LPR（%）", max_digits=5, decimal_places=2, null=True, blank=True)
    contract_lpr_date = models.DateField(null=True, blank=True)
    rate_clamped = models.BooleanField("按法定上限执行", default=False)
    planned_fee_fen = models.BigIntegerField("约定占用费（分）", null=True, blank=True)
    penalty_annual_rate = models.DecimalField("违约金年利率", max_digits=8, decimal_places=6, null=True, blank=True)
    # renewal by the bank
    renewed_on = models.DateField("续贷发放日", null=True, blank=True)
    renewal_contract_no = models.CharField("续贷合同编号", max_length=80, blank=True)
    renewal_amount_fen = models.BigIntegerField("续贷金额（分）", null=True, blank=True)
    renewal_loan_type = models.CharField("续贷贷款种类", max_length=30, choices=LoanType.choices, blank=True)
    renewal_recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # repayment state
    principal_repaid_fen = models.BigIntegerField("已还本金（分）", default=0)
    fee_paid_fen = models.BigIntegerField("已收占用费（分）", default=0)
    penalty_paid_fen = models.BigIntegerField("已收违约金（分）", default=0)
    penalty_accrued_fen = models.BigIntegerField("应计违约金（分）", default=0)
    penalty_accrued_through = models.DateField("违约金计至", null=True, blank=True)
    overdue_since = models.DateField("逾期起始日", null=True, blank=True)
    closed_on = models.DateField("结清日", null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "过桥资金业务"
        indexes = [
            models.Index(fields=["status"], name="bridge_app_status_idx"),
            models.Index(fields=["applicant", "status"], name="bridge_app_applicant_idx"),
            models.Index(fields=["bank", "status"], name="bridge_app_bank_idx"),
            models.Index(fields=["disbursed_on"], name="bridge_app_disbursed_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=AppStatus.values), name="bridge_app_status_valid"),
            models.UniqueConstraint(
                fields=["applicant", "original_contract_no"],
                condition=Q(status__in=["submitted", "returned", "prepared", "approved", "confirmed", "disbursed", "overdue", "recovery"]),
                name="bridge_app_one_open_per_contract",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="bridge_app_amount_pos"),
            # a returned application says what to fix
            models.CheckConstraint(condition=~Q(status="returned") | (~Q(return_reason="") & Q(returned_at__isnull=False)),
                                   name="bridge_app_returned_has_reason"),
            models.CheckConstraint(condition=Q(original_due_fen__gt=0), name="bridge_app_due_pos"),
            models.CheckConstraint(condition=Q(renewal_approval_fen__gt=0), name="bridge_app_approval_pos"),
            models.CheckConstraint(condition=Q(amount_fen__lte=F("original_due_fen")), name="bridge_app_amount_le_due"),
            models.CheckConstraint(condition=Q(amount_fen__lte=F("renewal_approval_fen")), name="bridge_app_amount_le_approval"),
            models.CheckConstraint(
                condition=Q(planned_days__gte=1) & Q(planned_days__lte=MAX_USAGE_DAYS), name="bridge_app_days_range"
            ),
            models.CheckConstraint(
                condition=Q(principal_repaid_fen__gte=0) & Q(principal_repaid_fen__lte=F("amount_fen")),
                name="bridge_app_repaid_range",
            ),
            models.CheckConstraint(
                condition=Q(fee_paid_fen__gte=0) & Q(penalty_paid_fen__gte=0) & Q(penalty_accrued_fen__gte=0),
                name="bridge_app_income_nonneg",
            ),
            models.CheckConstraint(condition=Q(planned_fee_fen__isnull=True) | Q(planned_fee_fen__gte=0), name="bridge_app_fee_nonneg"),
            models.CheckConstraint(
                condition=Q(renewal_amount_fen__isnull=True) | Q(renewal_amount_fen__gt=0), name="bridge_app_renewal_pos"
            ),
            models.CheckConstraint(
                condition=Q(disbursed_on__isnull=True)
                | (Q(rate_daily__isnull=True) & Q(rate_annual__isnull=False))
                | (Q(rate_daily__isnull=False) & Q(rate_annual__isnull=True)),
                name="bridge_app_one_rate",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[s.value for s in DISBURSED_STATUSES])
                | (Q(disbursed_on__isnull=False) & Q(due_date__isnull=False)),
                name="bridge_app_disbursed_has_dates",
            ),
            models.CheckConstraint(
                condition=Q(term_days__isnull=True) | (Q(term_days__gte=1) & Q(term_days__lte=MAX_USAGE_DAYS)),
                name="bridge_app_term_days_range",
            ),
            # the money went to the account the bank confirmed, for the days the bank set (第十条（一）（二）)
            models.CheckConstraint(
                condition=Q(disbursed_on__isnull=True)
                | (~Q(confirmed_account="") & Q(disbursed_to_account=F("confirmed_account")) & Q(term_days__isnull=False)),
                name="bridge_app_disbursed_to_confirmed",
            ),
            # 第十条（四）: the renewal is the bank's own working-capital loan
            models.CheckConstraint(
                condition=Q(renewed_on__isnull=True) | Q(renewal_loan_type=LoanType.WORKING_CAPITAL),
                name="bridge_app_renewal_working_capital",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.applicant.name}"

    @property
    def number(self) -> str:
        return f"GQ{self.submitted_on:%Y}-{self.pk:05d}"

    @property
    def outstanding_fen(self) -> int:
        return self.amount_fen - self.principal_repaid_fen

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_LOAN_STATUSES

    @property
    def is_disbursed(self) -> bool:
        return self.status in DISBURSED_STATUSES

    @property
    def awaits_bank_terms(self) -> bool:
        """Confirmed before the bank confirmed account and days (migration 0005): it confirms again."""
        return self.status == AppStatus.CONFIRMED and not (self.confirmed_account and self.term_days)

    @property
    def usage_days(self) -> int:
        """The days the loan runs: the bank's (第十条（二）) once it confirmed, else the request."""
        return self.term_days or self.planned_days

    @property
    def max_amount_fen(self) -> int:
        return max_amount_fen(self.original_due_fen, self.renewal_approval_fen)

    @property
    def daily_rate_display(self) -> str:
        if self.rate_annual is not None and self.basis:
            return per_10k_str(annual_to_daily(self.rate_annual, self.basis))
        if self.rate_daily is not None:
            return per_10k_str(self.rate_daily)
        return "—"


class CheckKind(models.TextChoices):
    ELIGIBILITY = "eligibility", "申请条件（第八条）"
    MATERIAL = "material", "申请资料（第九条）"


class ApplicationCheck(models.Model):
    """One item of the Article 8 eligibility list or of the filed materials checklist."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="checks")
    kind = models.CharField(max_length=20, choices=CheckKind.choices)
    key = models.CharField(max_length=40)
    label = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    evidence = models.CharField("证明材料/说明", max_length=500, blank=True)
    passed = models.BooleanField("审核结论", null=True)
    review_note = models.CharField("审核意见", max_length=300, blank=True)
    reviewed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "position", "id"]
        verbose_name = "审核要点"
        constraints = [
            models.UniqueConstraint(fields=["application", "kind", "key"], name="bridge_check_unique"),
            models.CheckConstraint(condition=Q(kind__in=CheckKind.values), name="bridge_check_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.kind}:{self.key}"


#: checklist item keys are ``m1`` … ``m30`` (``create_checklist``); a file's item key must be one
MATERIAL_KEY_REGEX = r"^m([1-9]|[12][0-9]|30)$"


class ApplicationMaterial(models.Model):
    """One uploaded file backing one item of the filed materials checklist (第九条): PDF/PNG/JPEG by
    content, SHA-256 kept. An item may have several files (a licence and an ID card are two scans
    of one item; a statement runs over several pages), so there is no one-per-item constraint; the
    same content twice on one application is refused. A file replaced during correction (退回补正)
    is kept, marked ``replaced_at``, so the review history stays readable."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="materials")
    check_item = models.ForeignKey(ApplicationCheck, on_delete=models.PROTECT, related_name="files", verbose_name="审核要点")
    item_key = models.CharField("资料项", max_length=4)
    file = models.FileField(upload_to="bridge/%Y/%m/")
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", db_index=False)
    uploaded_at = models.DateTimeField(default=timezone.now)
    replaced_at = models.DateTimeField("补正时被替换", null=True, blank=True)

    class Meta:
        ordering = ["item_key", "id"]
        verbose_name = "过桥资金申请资料文件"
        constraints = [
            models.UniqueConstraint(fields=["application", "sha256"], name="bridge_material_unique_content"),
            models.CheckConstraint(condition=Q(item_key__regex=MATERIAL_KEY_REGEX), name="bridge_material_key_valid"),
            models.CheckConstraint(condition=Q(size__gt=0), name="bridge_material_not_empty"),
            models.CheckConstraint(condition=Q(content_type__in=["application/pdf", "image/png", "image/jpeg"]),
                                   name="bridge_material_type_valid"),
        ]

    def __str__(self) -> str:
        return self.original_name
