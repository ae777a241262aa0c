"""The platform's own end-of-day housekeeping."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .daily import daily_job
from .idempotency import KEEP_HOURS


@daily_job("清理过期幂等键")
def purge_idempotency_keys(today: dt.date) -> dict:
    from .models import IdempotencyKey

    cutoff = timezone.now() - dt.timedelta(hours=KEEP_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return {"清理": deleted}
