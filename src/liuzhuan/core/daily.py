"""``liuzhuan daily``: the end-of-day batch. Apps register idempotent jobs here.

A job is ``fn(today: date) -> dict`` (counts of what it did). Running the batch twice on the
same day must change nothing the second time: each job decides from state, not from the clock
alone, and writes its own audit events. Jobs run in registration order, each in its own
transaction, so one failing job neither rolls back another's finished work nor stops the jobs
after it; ``liuzhuan daily`` then exits non-zero naming the failed jobs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Job = Callable[[dt.date], dict]
_JOBS: list[tuple[str, Job]] = []


def daily_job(name: str) -> Callable[[Job], Job]:
    def deco(fn: Job) -> Job:
        if all(n != name for n, _ in _JOBS):
            _JOBS.append((name, fn))
        return fn

    return deco


def registered_jobs() -> list[tuple[str, Job]]:
    return list(_JOBS)


def run_daily(today: dt.date) -> list[tuple[str, dict]]:
    """Run every job, each in its own transaction. A job that fails is rolled back alone and
    reported (``{"失败": reason}``); the jobs after it still run — a bad certificate must not keep
    the bridge fund's overdue check from running. The caller decides the exit status."""
    import logging

    from django.db import transaction

    results = []
    for name, fn in _JOBS:
        try:
            with transaction.atomic():
                results.append((name, fn(today) or {}))
        except Exception as exc:  # reported and logged; the next job runs
            logging.getLogger("liuzhuan.daily").exception("daily job %s failed", name)
            results.append((name, {FAILED: f"{type(exc).__name__}: {exc}"[:300]}))
    return results


#: the key under which ``run_daily`` reports a failed job's reason
FAILED = "失败"
