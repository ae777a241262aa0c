"""Demo certificates: a housing-debt certificate split over two tiers, a consumption one, open work."""

from __future__ import annotations

import datetime as dt

from liuzhuan.core.dates import today_china
from liuzhuan.members.demo import org
from liuzhuan.members.models import User

from . import actions
from .models import Application


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _apply(creditor_user: str, debtor_key: str, amount_yuan: int, title: str, no: str, days: int, *, asset=True, consumption=False,
           categories="", extension=None) -> Application:
    today = today_china()
    return actions.create_application(_user(creditor_user), actions.ApplicationInput(
        counterparty_id=org(debtor_key).pk, role="creditor", contract_no=no, contract_title=title,
        contract_date=today - dt.timedelta(days=40), amount_fen=amount_yuan * 100, maturity_date=today + dt.timedelta(days=days),
        settle_by_asset=asset, settle_by_consumption=consumption, non_cash_declared=True, accepted_categories=categories,
        extension_days=extension[0] if extension else None, extension_max=extension[1] if extension else None,
        guarantee_text="债务人以临河区存量商品房提供资产保障" if asset else "",
    ))


def load() -> bool:
    from . import lifecycle_demo

    if Application.objects.exists():
        return lifecycle_demo.load()  # pledge, commitment, offset, market purchase (once)
    clerk, checker = _user("op_clerk"), _user("op_checker")
    today = today_china()
    actions.set_fee_rule(clerk, "issuance", "2", 2000, 200000, "transferor", today)
    actions.set_fee_rule(clerk, "transfer", "5", 1000, 500000, "split", today)

    a1 = _apply("sme03_boss", "housing", 1_250_000, "临河区汇浦花园二期主体工程施工合同", "HP-SG-2025-017", 180,
                categories="商品房、车位", extension=(90, 2))
    actions.confirm_application(_user("hp_chen"), a1.pk)
    actions.prepare_review(clerk, a1.pk, "approve")
    actions.decide_review(checker, a1.pk, True)
    p1 = a1.certificate.pieces.get()
    t1 = actions.offer_transfer(_user("sme03_boss"), p1.pk, org("sme07").pk, 300_000_00, "ZR-2025-0301")
    t1 = actions.accept_offer(_user("sme07_boss"), t1.pk)
    actions.offer_transfer(_user("sme07_boss"), t1.new_piece_id, org("merchant2").pk, 100_000_00, "ZR-2025-0412")

    a2 = _apply("sme02_boss", "merchant1", 86_000, "面粉供货合同", "WJF-CG-2025-088", 90, asset=False, consumption=True,
                categories="超市日用品、粮油")
    actions.confirm_application(_user("wjf_he"), a2.pk)
    actions.prepare_review(clerk, a2.pk, "approve")
    actions.decide_review(checker, a2.pk, True)

    a3 = _apply("sme06_boss", "sme03", 420_000, "配电设备采购合同", "HC-DQ-2025-033", 120, categories="商品房、工程款抵付")
    actions.confirm_application(_user("sme03_boss"), a3.pk)  # submitted: waiting in the operator's queue
    _apply("sme09_boss", "sme05", 56_800, "饲料原料购销合同", "RF-SL-2025-102", 60)  # waiting for the debtor
    lifecycle_demo.load()
    return True
