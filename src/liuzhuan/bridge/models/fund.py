"""The fund (第五条), its principal (第十一条), business status and resumption (第二十二条), the
manager's fee settings (第七条) and the LPR table the bureau keeps."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from liuzhuan.members.models import Organisation

from ..rates.common import exposure_ratio, percent_str

USER = settings.AUTH_USER_MODEL


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
    # 本市 (第三条、第八条（一）): the city's administrative division code, compared with characters
    # 3–8 of applicants' and partner banks' 统一社会信用代码 (2, 4 or 6 digits: a prefix)
    region_code = models.CharField("本市行政区划代码", max_length=6, default="")

    class Meta:
        verbose_name = "续贷过桥资金"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="bridge_fund_singleton"),
            models.CheckConstraint(condition=Q(principal_fen__gte=0), name="bridge_fund_principal_nonneg"),
            models.CheckConstraint(condition=Q(status__in=FundStatus.values), name="bridge_fund_status_valid"),
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
            models.CheckConstraint(condition=Q(kind__in=PrincipalKind.values), name="bridge_principal_kind_valid"),
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
        return percent_str(exposure_ratio(self.at_risk_fen, self.principal_fen), 2)


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
            models.CheckConstraint(condition=Q(status__in=RequestStatus.values), name="bridge_resume_status_valid"),
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
