"""/healthz tells a load balancer whether this process can serve (database, disk) and monitoring
whether the task worker keeps up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_healthy(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    answer = Client().get("/healthz")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["disk"]["status"] == "ok" and body["disk"]["free_mb"] > 0
    assert body["worker"] == {"status": "ok", "oldest_waiting_s": 0}


def test_low_disk_takes_the_process_out_of_rotation(settings):
    settings.HEALTH_MIN_FREE_MB = 10**12
    answer = Client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["status"] == "fail" and answer.json()["disk"]["status"] == "low"


def test_unreachable_database_is_a_503(monkeypatch):
    from django.db import connection

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", down)
    answer = Client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["database"] == "unavailable" and "worker" not in answer.json()


def test_a_stalled_worker_is_degraded_not_down(settings):
    from django_tasks_db.models import DBTaskResult, get_date_max

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.HEALTH_MAX_TASK_WAIT_S = 300
    old = timezone.now() - dt.timedelta(minutes=10)
    row = DBTaskResult.objects.create(status="READY", args_kwargs={"args": [], "kwargs": {}}, task_path="x.y",
                                      queue_name="default", backend_name="default", run_after=get_date_max())
    DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=old)
    answer = Client().get("/healthz")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "degraded" and body["worker"]["status"] == "stalled"
    assert body["worker"]["oldest_waiting_s"] >= 600
    # ... also when it was enqueued with a delay that has passed
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=old)
    assert Client().get("/healthz").json()["status"] == "degraded"
    # a task scheduled for later is not waiting
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now() + dt.timedelta(hours=1))
    assert Client().get("/healthz").json()["status"] == "ok"
