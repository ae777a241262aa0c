"""Demo register: mutual debts among the demo SMEs — a four-firm loop, a triangle, a bilateral pair,
a chain cleared by one firm's declared cash, one obligation waiting for confirmation and one
disputed — and one computed run with its agreements."""

from __future__ import annotations

import datetime as dt

from liuzhuan.core.dates import today_china
from liuzhuan.members.demo import org
from liuzhuan.members.models import User

from .models import Obligation
from .register import actions as register
from .runs import actions as runs

#: (debtor, creditor, yuan, basis): sme03 → sme07 → sme06 → sme10 → sme03 is a loop of 4
DEBTS = [
    ("sme03", "sme07", 380_000, "钢结构分包合同 GJG-2026-017"),
    ("sme07", "sme06", 260_000, "配电柜采购合同 DQ-2026-032"),
    ("sme06", "sme10", 150_000, "办公楼装修合同 ZX-2026-008"),
    ("sme10", "sme03", 420_000, "厂房土建合同 TJ-2026-021"),
    ("sme01", "sme09", 90_000, "饲料供货合同 SL-2026-044"),
    ("sme09", "sme04", 65_000, "物流服务合同 WL-2026-013"),
    ("sme04", "sme01", 48_000, "仓储租赁合同 CC-2026-006"),
    ("sme02", "sme05", 30_000, "番茄酱采购合同 FQ-2026-090"),
    ("sme05", "sme02", 22_000, "面粉采购合同 MF-2026-071"),
    ("sme11", "sme08", 12_500, "包装印刷合同 YS-2026-015"),
    ("sme08", "sme04", 9_000, "羊绒运输合同 WL-2026-027"),  # no loop: sme11's declared cash clears it
]


def _boss(key: str) -> User:
    return User.objects.get(username=f"{key}_boss")


def load() -> bool:
    if Obligation.objects.exists():
        return False
    for debtor, creditor, yuan, basis in DEBTS:
        o = register.register_one(_boss(debtor), creditor=org(creditor).legal_id, debtor=org(debtor).legal_id,
                                  amount_fen=yuan * 100, basis=basis)
        register.confirm(_boss(creditor), [o.pk])
    register.register_one(_boss("sme08"), creditor=org("sme08").legal_id, debtor=org("sme02").legal_id,
                          amount_fen=18_000_00, basis="羊绒制品销售合同 YR-2026-003")  # waits for sme02
    disputed = register.register_one(_boss("sme11"), creditor=org("sme11").legal_id, debtor=org("sme05").legal_id,
                                     amount_fen=9_600_00, basis="标签印刷 YS-2026-021")
    register.dispute(_boss("sme05"), disputed.pk, "货物未验收，金额待核对")
    register.declare_cash(_boss("sme11"), amount_fen=10_000_00, valid_until=today_china() + dt.timedelta(days=30),
                          note="本月货款回笼，可用于清偿应付")
    run = runs.start_run(User.objects.get(username="op_clerk"))
    runs.compute(run.pk)  # the demo computes in place; on the platform the worker does
    return True
