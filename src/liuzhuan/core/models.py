"""The audit chain: an append-only, hash-linked log of every state change."""

from __future__ import annotations

from django.db import models


class AppendOnlyError(Exception):
    pass


class AuditHead(models.Model):
    """Single row holding the chain's tip. Locking it serialises appends (short, at commit end)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audithead_singleton")]

    def __str__(self) -> str:
        return f"audit head #{self.last_seq}"


class AuditEvent(models.Model):
    seq = models.BigIntegerField(unique=True, verbose_name="序号")
    at = models.DateTimeField(verbose_name="时间")
    actor_user_id = models.BigIntegerField(null=True, blank=True, verbose_name="操作用户")
    actor_username = models.CharField(max_length=150, blank=True, verbose_name="用户名")
    actor_org_id = models.BigIntegerField(null=True, blank=True, verbose_name="操作机构")
    actor_org_name = models.CharField(max_length=200, blank=True, verbose_name="机构名称")
    action = models.CharField(max_length=80, db_index=True, verbose_name="动作")
    object_type = models.CharField(max_length=80, verbose_name="对象类型")
    object_id = models.CharField(max_length=64, verbose_name="对象")
    summary = models.JSONField(default=dict, verbose_name="摘要")
    prev_hash = models.CharField(max_length=64)
    # Not indexed: nothing looks an event up by its hash (verify recomputes the chain in seq
    # order), and a unique index on a random 64-hex key dirtied a random page per event, over a
    # third of all pages a transfer batch wrote (bench/README.md).
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        verbose_name = "审计事件"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events are append-only")



class Sequence(models.Model):
    """Named gap-free counters for human-readable numbers (certificates, registrations ...)."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class IdempotencyKey(models.Model):
    """The first answer to an API write sent with an ``Idempotency-Key`` header: a retry with the
    same key (a bank's client retrying after a timeout) gets this answer back and changes nothing.
    Stored in the same transaction as the write itself, so there is no moment where the write is
    done and its key is not (``core.idempotency``)."""

    scope = models.CharField(max_length=80, verbose_name="调用方")  # "u:<user id>" or "t:<token hash>"
    key = models.CharField(max_length=64, verbose_name="幂等键")
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique")]
        verbose_name = "幂等请求"

    def __str__(self) -> str:
        return f"{self.scope} {self.key} → {self.status}"
