"""Loan-renewal bridge fund (续贷过桥资金): the fund, partner banks, LPR table, applications/loans,
recovery, revenue remittance and quarterly reports.

Money is integer fen (``BigIntegerField`` with CHECK constraints); rates are ``Decimal``. One
deployment runs one fund (第五条: 市财政局出资设立, 委托兴财控股管理), so ``Fund`` is a singleton
row (id = 1). The rules live in ``rates.py`` (pure) and are applied by ``actions.py``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from liuzhuan.members.models import Organisation

from . import rates

USER = settings.AUTH_USER_MODEL


def _values(choices) -> list[str]:
    return [c.value for c in choices]


# ---------------------------------------------------------------------------------------------
# LPR table (read by bridge/cli.py: fields effective_date, lpr_1y, lpr_5y in percent)
# ---------------------------------------------------------------------------------------------


class LprRate(models.Model):
    """One-year and five-year LPR (percent) in force from ``effective_date`` until the next row."""

    effective_date = models.DateField("生效日", unique=True)
    lpr_1y = models.DecimalField("一年期 LPR（%）", max_digits=5, decimal_places=2)
    lpr_5y = models.DecimalField("五年期以上 LPR（%）", max_digits=5, decimal_places=2)
    note = models.CharField("说明", max_length=200, blank=True)
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        ordering = ["-effective_date"]
        verbose_name = "贷款市场报价利率"
        constraints = [
            models.CheckConstraint(condition=Q(lpr_1y__gt=0) & Q(lpr_1y__lt=100), name="bridge_lpr_1y_range"),
            models.CheckConstraint(condition=Q(lpr_5y__gt=0) & Q(lpr_5y__lt=100), name="bridge_lpr_5y_range"),
        ]

    def __str__(self) -> str:
        return f"{self.effective_date} 1Y {self.lpr_1y}% 5Y {self.lpr_5y}%"


# ---------------------------------------------------------------------------------------------
# Fund
# ---------------------------------------------------------------------------------------------


class FundStatus(models.TextChoices):
    OPEN = "open", "正常办理"
    SUSPENDED = "suspended", "暂停业务"


class DayBasis(models.IntegerChoices):
    D360 = 360, "360 天（默认）"
    D365 = 365, "365 天"


class Fund(models.Model):
    """The bridge fund: owned by the finance bureau, run by the fund manager (第十一条)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    name = models.CharField("资金名称", max_length=100)
    bureau = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="出资机构（财政局）")
    manager = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="管理机构")
    established_on = models.DateField("设立日期")
    principal_fen = models.BigIntegerField("本金总额（分）", default=0)
    annual_turnover_target = models.DecimalField("年度周转率考核目标（次）", max_digits=6, decimal_places=2, default=Decimal("0"))
    status = models.CharField("业务状态", max_length=20, choices=FundStatus.choices, default=FundStatus.OPEN)
    status_reason = models.CharField("状态说明", max_length=300, blank=True)
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    # fee settings (set by the manager; history in RateSetting)
    day_basis = models.PositiveSmallIntegerField("计息基准", choices=DayBasis.choices, default=DayBasis.D360)
    #: None = charge the statutory cap in force on the draw date
    self_daily_rate = models.DecimalField("自营日利率", max_digits=10, decimal_places=8, null=True, blank=True)
    entrusted_multiplier = models.DecimalField("委托业务 LPR 倍数", max_digits=6, decimal_places=4, default=Decimal("1"))
    penalty_annual_rate = models.DecimalField("逾期违约金年利率", max_digits=8, decimal_places=6, default=Decimal("0.1"))
    #: dedupe key of the last "rate above cap" alert (LPR date + basis + rate)
    cap_alert_key = models.CharField(max_length=80, blank=True)
    # 预警制度 (第二十二条): the bureau's warning line, below the 30 % halt line; a warning is raised
    # once when exposure reaches it and cleared once when exposure falls back below it
    warn_percent = models.PositiveSmallIntegerField("风险预警线（%）", default=20)
    warning_since = models.DateTimeField("本次预警开始时间", null=True, blank=True)

    class Meta:
        verbose_name = "续贷过桥资金"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="bridge_fund_singleton"),
            models.CheckConstraint(condition=Q(principal_fen__gte=0), name="bridge_fund_principal_nonneg"),
            models.CheckConstraint(condition=Q(status__in=_values(FundStatus)), name="bridge_fund_status_valid"),
            models.CheckConstraint(condition=Q(day_basis__in=[360, 365]), name="bridge_fund_basis_valid"),
            models.CheckConstraint(condition=Q(self_daily_rate__isnull=True) | Q(self_daily_rate__gt=0), name="bridge_fund_rate_pos"),
            models.CheckConstraint(condition=Q(entrusted_multiplier__gt=0), name="bridge_fund_multiplier_pos"),
            models.CheckConstraint(condition=Q(penalty_annual_rate__gte=0), name="bridge_fund_penalty_nonneg"),
            models.CheckConstraint(condition=Q(annual_turnover_target__gte=0), name="bridge_fund_target_nonneg"),
            models.CheckConstraint(condition=Q(warn_percent__gte=1, warn_percent__lt=30), name="bridge_fund_warn_below_halt"),
        ]

    def __str__(self) -> str:
        return self.name


class PrincipalKind(models.TextChoices):
    CONTRIBUTE = "contribute", "财政出资"
    WITHDRAW = "withdraw", "财政调回"


class PrincipalChange(models.Model):
    """Bureau contribution or withdrawal (调度). The bureau's call cannot be blocked (第十一条)."""

    kind = models.CharField("类型", max_length=20, choices=PrincipalKind.choices)
    amount_fen = models.BigIntegerField("金额（分）")
    effective_on = models.DateField("生效日期")
    principal_after_fen = models.BigIntegerField("变动后本金（分）")
    document_no = models.CharField("文件/凭证号", max_length=100)
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["effective_on", "id"]
        verbose_name = "本金变动"
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="bridge_principal_change_pos"),
            models.CheckConstraint(condition=Q(principal_after_fen__gte=0), name="bridge_principal_after_nonneg"),
            models.CheckConstraint(condition=Q(kind__in=_values(PrincipalKind)), name="bridge_principal_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_fen}"

    @property
    def signed_fen(self) -> int:
        return self.amount_fen if self.kind == PrincipalKind.CONTRIBUTE else -self.amount_fen


class FundStatusChange(models.Model):
    """Suspension (automatic at ≥30 %, or the bureau's 叫停) and resumption (bureau approval)."""

    from_status = models.CharField(max_length=20, choices=FundStatus.choices)
    to_status = models.CharField(max_length=20, choices=FundStatus.choices)
    reason = models.CharField("原因", max_length=300)
    at_risk_fen = models.BigIntegerField("风险本金（分）")
    principal_fen = models.BigIntegerField("本金总额（分）")
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = "业务状态变更"
        constraints = [
            models.CheckConstraint(condition=Q(at_risk_fen__gte=0) & Q(principal_fen__gte=0), name="bridge_fsc_amounts_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

    @property
    def exposure_percent(self) -> str:
        if self.principal_fen <= 0:
            return "—"
        return rates.percent_str(rates.exposure_ratio(self.at_risk_fen, self.principal_fen), 2)


class RequestStatus(models.TextChoices):
    PENDING = "pending", "待批准"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "不批准"


class ResumeRequest(models.Model):
    """The manager reports that exposure is below 30 % and asks the bureau to resume (第二十二条)."""

    note = models.CharField("报告说明", max_length=500)
    at_risk_fen = models.BigIntegerField("申请时风险本金（分）")
    principal_fen = models.BigIntegerField("申请时本金总额（分）")
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("批复意见", max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "恢复业务申请"
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=Q(status="pending"), name="bridge_one_pending_resume"),
            models.CheckConstraint(condition=Q(status__in=_values(RequestStatus)), name="bridge_resume_status_valid"),
        ]

    def __str__(self) -> str:
        return f"恢复申请 #{self.pk} {self.status}"


class RateSetting(models.Model):
    """History of the manager's fee settings (第七条); the fund row holds the values in force."""

    day_basis = models.PositiveSmallIntegerField(choices=DayBasis.choices)
    self_daily_rate = models.DecimalField(max_digits=10, decimal_places=8, null=True, blank=True)
    entrusted_multiplier = models.DecimalField(max_digits=6, decimal_places=4)
    penalty_annual_rate = models.DecimalField(max_digits=8, decimal_places=6)
    cap_daily_rate_then = models.CharField("设定时日利率上限", max_length=40)
    note = models.CharField("说明", max_length=300, blank=True)
    set_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-set_at", "-id"]
        verbose_name = "费率设定"

    def __str__(self) -> str:
        return f"费率设定 #{self.pk}"


# ---------------------------------------------------------------------------------------------
# Partner banks (第六条、第十八至二十一条)
# ---------------------------------------------------------------------------------------------


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
            models.CheckConstraint(condition=Q(status__in=_values(AgreementStatus)), name="bridge_agreement_status_valid"),
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
    SELF = rates.MODE_SELF, "自营"
    ENTRUSTED = rates.MODE_ENTRUSTED, "委托银行"


class AppStatus(models.TextChoices):
    SUBMITTED = "submitted", "待初审"
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
PIPELINE_STATUSES = (AppStatus.SUBMITTED, AppStatus.PREPARED, AppStatus.APPROVED, AppStatus.CONFIRMED)
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
    closed_reason = models.CharField("未通过/撤回原因", max_length=500, blank=True)
    # bank confirmation
    bank_confirmed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    bank_confirmed_at = models.DateTimeField(null=True, blank=True)
    bank_note = models.CharField("银行意见", max_length=500, blank=True)
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
            models.CheckConstraint(condition=Q(status__in=_values(AppStatus)), name="bridge_app_status_valid"),
            models.UniqueConstraint(
                fields=["applicant", "original_contract_no"],
                condition=Q(status__in=["submitted", "prepared", "approved", "confirmed", "disbursed", "overdue", "recovery"]),
                name="bridge_app_one_open_per_contract",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="bridge_app_amount_pos"),
            models.CheckConstraint(condition=Q(original_due_fen__gt=0), name="bridge_app_due_pos"),
            models.CheckConstraint(condition=Q(renewal_approval_fen__gt=0), name="bridge_app_approval_pos"),
            models.CheckConstraint(condition=Q(amount_fen__lte=F("original_due_fen")), name="bridge_app_amount_le_due"),
            models.CheckConstraint(condition=Q(amount_fen__lte=F("renewal_approval_fen")), name="bridge_app_amount_le_approval"),
            models.CheckConstraint(
                condition=Q(planned_days__gte=1) & Q(planned_days__lte=rates.MAX_USAGE_DAYS), name="bridge_app_days_range"
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
    def max_amount_fen(self) -> int:
        return rates.max_amount_fen(self.original_due_fen, self.renewal_approval_fen)

    @property
    def daily_rate_display(self) -> str:
        if self.rate_annual is not None and self.basis:
            return rates.per_10k_str(rates.annual_to_daily(self.rate_annual, self.basis))
        if self.rate_daily is not None:
            return rates.per_10k_str(self.rate_daily)
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
            models.CheckConstraint(condition=Q(kind__in=_values(CheckKind)), name="bridge_check_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.kind}:{self.key}"


class PayerKind(models.TextChoices):
    BORROWER = "borrower", "借款企业"
    BANK = "bank", "合作银行（连带责任代偿）"
    RECOVERY = "recovery", "追偿所得"


class Repayment(models.Model):
    """Money received against a loan, split into principal, fee (占用费) and penalty (违约金)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="repayments")
    paid_on = models.DateField("收款日期")
    payer = models.CharField("付款方", max_length=20, choices=PayerKind.choices)
    principal_fen = models.BigIntegerField("本金（分）", default=0)
    fee_fen = models.BigIntegerField("占用费（分）", default=0)
    penalty_fen = models.BigIntegerField("违约金（分）", default=0)
    reference = models.CharField("收款凭证号", max_length=80)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = "还款记录"
        constraints = [
            models.CheckConstraint(
                condition=Q(principal_fen__gte=0) & Q(fee_fen__gte=0) & Q(penalty_fen__gte=0), name="bridge_repay_nonneg"
            ),
            models.CheckConstraint(
                condition=Q(principal_fen__gt=0) | Q(fee_fen__gt=0) | Q(penalty_fen__gt=0), name="bridge_repay_some"
            ),
            models.CheckConstraint(condition=Q(payer__in=_values(PayerKind)), name="bridge_repay_payer_valid"),
        ]

    def __str__(self) -> str:
        return f"还款 #{self.pk}（业务 {self.application_id}）"

    @property
    def total_fen(self) -> int:
        return self.principal_fen + self.fee_fen + self.penalty_fen


# ---------------------------------------------------------------------------------------------
# Recovery and fraud (第十三条、第十七条)
# ---------------------------------------------------------------------------------------------


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
            models.CheckConstraint(condition=Q(status__in=_values(CaseStatus)), name="bridge_case_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=_values(CaseKind)), name="bridge_case_kind_valid"),
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
    banned_until = models.DateField("禁入截止日（不含）")
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


# ---------------------------------------------------------------------------------------------
# Non-tax revenue (第十五条)
# ---------------------------------------------------------------------------------------------


class DepositInterest(models.Model):
    period_start = models.DateField("计息起日")
    period_end = models.DateField("计息止日")
    received_on = models.DateField("入账日期")
    amount_fen = models.BigIntegerField("利息（分）")
    reference = models.CharField("银行回单号", max_length=80)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = "存款利息"
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="bridge_interest_pos"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="bridge_interest_period"),
        ]

    def __str__(self) -> str:
        return f"存款利息 {self.received_on}"


class Remittance(models.Model):
    """上缴市财政的非税收入: occupation fees, deposit interest and overdue penalties."""

    remitted_on = models.DateField("上缴日期")
    fee_fen = models.BigIntegerField("占用费（分）", default=0)
    interest_fen = models.BigIntegerField("存款利息（分）", default=0)
    penalty_fen = models.BigIntegerField("违约金（分）", default=0)
    voucher_no = models.CharField("非税收入缴款书号", max_length=80, unique=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["remitted_on", "id"]
        verbose_name = "非税收入上缴"
        constraints = [
            models.CheckConstraint(
                condition=Q(fee_fen__gte=0) & Q(interest_fen__gte=0) & Q(penalty_fen__gte=0), name="bridge_remit_nonneg"
            ),
            models.CheckConstraint(
                condition=Q(fee_fen__gt=0) | Q(interest_fen__gt=0) | Q(penalty_fen__gt=0), name="bridge_remit_some"
            ),
        ]

    def __str__(self) -> str:
        return f"上缴 {self.voucher_no}"

    @property
    def total_fen(self) -> int:
        return self.fee_fen + self.interest_fen + self.penalty_fen


# ---------------------------------------------------------------------------------------------
# Quarterly report (第十二条、第二十四条)
# ---------------------------------------------------------------------------------------------


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"


class QuarterlyReport(models.Model):
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    due_date = models.DateField("报送截止日")
    status = models.CharField(max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    figures = models.JSONField("数据", default=dict)
    narrative = models.TextField("使用管理情况及其他需要报告的情况", blank=True)
    generated_at = models.DateTimeField("数据生成时间", default=timezone.now)
    submitted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    late = models.BooleanField("逾期报送", default=False)

    class Meta:
        ordering = ["-year", "-quarter"]
        verbose_name = "季度报告"
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="bridge_report_unique_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="bridge_report_quarter_range"),
            models.CheckConstraint(condition=Q(status__in=_values(ReportStatus)), name="bridge_report_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.year} 年第 {self.quarter} 季度"

    @property
    def title(self) -> str:
        return f"续贷过桥资金 {self.year} 年第 {self.quarter} 季度管理使用情况报告"


class ReportReminder(models.Model):
    """One row per reminder sent, so the daily job never sends the same one twice."""

    report = models.ForeignKey(QuarterlyReport, on_delete=models.PROTECT, related_name="reminders")
    kind = models.CharField(max_length=20)
    sent_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "kind"], name="bridge_reminder_unique")]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.kind}"
