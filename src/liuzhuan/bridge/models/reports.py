"""The quarterly report (第十二条、第二十四条) and the reminders sent for it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

USER = settings.AUTH_USER_MODEL


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"
    ACKNOWLEDGED = "acknowledged", "财政局已确认"
    RETURNED = "returned", "财政局退回"


#: the manager may still change (regenerate, submit) a report in these statuses
EDITABLE_REPORT_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)


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
    # the finance bureau's answer to a submitted report: acknowledged, or returned with a reason
    reviewed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField("财政局处理时间", null=True, blank=True)
    review_note = models.CharField("财政局意见/退回原因", max_length=500, blank=True)

    class Meta:
        ordering = ["-year", "-quarter"]
        verbose_name = "季度报告"
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="bridge_report_unique_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="bridge_report_quarter_range"),
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="bridge_report_status_valid"),
            models.CheckConstraint(condition=~Q(status="returned") | ~Q(review_note=""), name="bridge_report_returned_has_reason"),
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
