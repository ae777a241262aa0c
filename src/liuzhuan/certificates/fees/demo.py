"""Demo fee schedule: issuance and transfer fees from today."""

from __future__ import annotations

from liuzhuan.core.dates import today_china

from ..ledger.demo import user
from . import actions
from .models import FeeCharge


def load() -> None:
    clerk = user("op_clerk")
    today = today_china()
    actions.set_fee_rule(clerk, "issuance", "2", 2000, 200000, "transferor", today)
    actions.set_fee_rule(clerk, "transfer", "5", 1000, 500000, "split", today)


def settle() -> None:
    """The operator's finance staff record the first fee charged as paid, so the statement shows
    paid and unpaid rows."""
    first = FeeCharge.objects.filter(reverses__isnull=True, paid_on__isnull=True).order_by("pk").first()
    if first is not None:
        actions.record_fee_paid(user("op_finance"), first.pk, today_china(), "HD-2025-0001")
