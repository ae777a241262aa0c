"""Demo 资金监管: bank1 supervises the operator's account for purchase proceeds (confirmed), and a
存量 certificate recorded from before the plan (the ledger page shows one still open)."""

from __future__ import annotations

import datetime as dt

from liuzhuan.core.dates import today_china
from liuzhuan.members.demo import org

from ..issuance import legacy
from ..ledger.demo import user
from . import actions


def load() -> None:
    clerk = user("op_clerk")
    a = actions.record_agreement(clerk, bank_id=org("bank1").pk, account_name="临河区债权管理服务中心收购价款监管户",
                                 account_no="15050188000123456", scopes=["sale_proceeds"], start_date=today_china())
    actions.decide_agreement(user("bank1_zhou"), a.pk, True)
    legacy.record_legacy_certificate(clerk, legacy.LegacyInput(
        creditor_id=org("sme03").pk, debtor_id=org("sme02").pk, original_no="LHQ-PZ-2025-0031", original_issue_date=dt.date(2025, 6, 18),
        contract_no="XD-GX-2025-011", contract_title="建材供货合同", contract_date=dt.date(2025, 5, 20), amount_fen=86_000_00,
        maturity_date=today_china() + dt.timedelta(days=120), offset_scope=("goods", "consumption")))
