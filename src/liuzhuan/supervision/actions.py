"""Integrity verification in the task worker: the regulator's button and
``POST /api/v1/supervision/verify`` queue a run; ``verify_integrity`` (``liuzhuan db_worker``)
re-hashes the audit chain and re-checks every invariant and stores the result. Re-hashing the
whole chain inside a web request held a server thread for as long as the chain is long.
``liuzhuan verify`` on the command line stays synchronous."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from liuzhuan.core import audit
from liuzhuan.core.errors import PermissionDenied
from liuzhuan.core.integrity import run_all
from liuzhuan.core.permissions import require_active_user
from liuzhuan.members.models import User
from liuzhuan.members.queries import sees_all

from .models import VerifyRun, VerifyStatus

#: a run queued or running this long is taken to be lost (worker stopped or killed)
STALE_AFTER = dt.timedelta(hours=2)


def require_oversight(actor: User) -> None:
    require_active_user(actor)
    if not sees_all(actor):
        raise PermissionDenied("仅运营机构、监管部门和财政局可以校验完整性")


def request_verify(actor: User) -> VerifyRun:
    """Queue a verification run for the worker; while one is queued or running, that one."""
    require_oversight(actor)
    _fail_stale()
    try:
        with transaction.atomic():
            run = VerifyRun.objects.create(requested_by=actor, active_slot=1)
            audit.record(actor, "integrity.verify.request", run, summary={})
    except IntegrityError:
        open_run = VerifyRun.objects.filter(active_slot=1).first()
        if open_run is None:  # finished between the insert and this read: ask again
            return request_verify(actor)
        return open_run
    result = verify_integrity.enqueue(run.pk)
    VerifyRun.objects.filter(pk=run.pk).update(task_id=str(result.id))
    run.refresh_from_db()
    return run


def _fail_stale() -> None:
    """A run whose worker died would hold the one open slot forever."""
    VerifyRun.objects.filter(active_slot=1, requested_at__lt=timezone.now() - STALE_AFTER).update(
        status=VerifyStatus.FAILED, active_slot=None, finished_at=timezone.now(),
        error=f"超过 {STALE_AFTER.seconds // 3600} 小时未完成（后台任务进程可能已停止），可重新发起")


@task()
def verify_integrity(run_id: int) -> dict:
    """The worker's entry point: run every check and store what it found."""
    if not VerifyRun.objects.filter(pk=run_id, status=VerifyStatus.QUEUED).update(
            status=VerifyStatus.RUNNING, started_at=timezone.now()):
        return {"run": run_id, "status": "skipped"}
    try:
        report = run_all()
    except Exception as exc:
        VerifyRun.objects.filter(pk=run_id).update(
            status=VerifyStatus.FAILED, active_slot=None, finished_at=timezone.now(),
            error=(" ".join(str(exc).split()) or type(exc).__name__)[:500])
        raise
    VerifyRun.objects.filter(pk=run_id).update(
        status=VerifyStatus.DONE, active_slot=None, finished_at=timezone.now(), ok=report.ok,
        checks=[[name, found] for name, found in report.checks], problems=report.problems)
    return {"run": run_id, "status": VerifyStatus.DONE, "ok": report.ok}
