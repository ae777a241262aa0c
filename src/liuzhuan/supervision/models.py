"""Integrity verification runs: the regulator asks, the task worker re-hashes the chain and
re-checks every invariant, the result is kept (the page and the API show the last one)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class VerifyStatus(models.TextChoices):
    QUEUED = "queued", "排队等待校验"
    RUNNING = "running", "校验中"
    DONE = "done", "已完成"
    FAILED = "failed", "校验未能完成"


class VerifyRun(models.Model):
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                     db_index=False, verbose_name="发起人")
    requested_at = models.DateTimeField("发起时间", default=timezone.now)
    task_id = models.CharField("后台任务号", max_length=64, blank=True)
    status = models.CharField("状态", max_length=20, choices=VerifyStatus.choices, default=VerifyStatus.QUEUED)
    #: 1 while queued or running: one run at a time (a second request returns the open one)
    active_slot = models.PositiveSmallIntegerField(null=True, blank=True, unique=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    ok = models.BooleanField("是否通过", null=True)
    checks = models.JSONField("各项检查（名称, 问题数）", default=list)
    problems = models.JSONField("发现的问题", default=list)
    error = models.CharField("未能完成的原因", max_length=500, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "完整性校验"
        constraints = [
            models.CheckConstraint(condition=Q(active_slot__isnull=True) | Q(active_slot=1), name="verifyrun_slot_one"),
            models.CheckConstraint(condition=Q(status__in=["queued", "running"], active_slot=1)
                                   | Q(status__in=["done", "failed"], active_slot__isnull=True), name="verifyrun_slot_open"),
        ]

    def __str__(self) -> str:
        return f"verify#{self.pk} {self.status}"
