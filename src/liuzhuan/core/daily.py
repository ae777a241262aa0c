"""``liuzhuan daily``: the end-of-day batch. Apps register idempotent jobs here.

A job is ``fn(today: date) -> dict`` (counts of what it did). Running the batch twice on the
same day must change nothing the second time: each job decides from state, not from the clock
alone, and writes its own audit events. Jobs run in registration order, each in its own
transaction, so one failing job does not roll back another's finished work.
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
    from django.db import transaction

    results = []
    for name, fn in _JOBS:
        with transaction.atomic():
            results.append((name, fn(today) or {}))
    return results
