"""Demo fee schedule: issuance and transfer fees from today."""

from __future__ import annotations

from liuzhuan.core.dates import today_china

from ..ledger.demo import user
from . import actions


def load() -> None:
    clerk = user("op_clerk")
    today = today_china()
    actions.set_fee_rule(clerk, "issuance", "2", 2000, 200000, "transferor", today)
    actions.set_fee_rule(clerk, "transfer", "5", 1000, 500000, "split", today)
