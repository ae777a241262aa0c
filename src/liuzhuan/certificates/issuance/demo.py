"""Demo applications: a housing-debt certificate and a consumption one issued, one application in the
operator's queue, one waiting for the debtor."""

from __future__ import annotations

import datetime as dt

from liuzhuan.core.dates import today_china
from liuzhuan.members.demo import org

from ..ledger.demo import user
from ..ledger.models import Certificate
from . import actions
from .models import Application

#: contract numbers of the two demo certificates the other demo steps build on
HOUSING, FLOUR = "HP-SG-2025-017", "WJF-CG-2025-088"


def _apply(creditor_user: str, debtor_key: str, amount_yuan: int, title: str, no: str, days: int, *,
           scope=("house", "parking", "shop", "goods", "other"), extension=None, conditions=()) -> Application:
    today = today_china()
    return actions.create_application(user(creditor_user), actions.ApplicationInput(
        counterparty_id=org(debtor_key).pk, role="creditor", contract_no=no, contract_title=title,
        contract_date=today - dt.timedelta(days=40), amount_fen=amount_yuan * 100, maturity_date=today + dt.timedelta(days=days),
        offset_scope=tuple(scope), non_cash_declared=True,
        extension_days=extension[0] if extension else None, extension_max=extension[1] if extension else None,
        extension_conditions=tuple(conditions), guarantee_text="债务人以临河区存量商品房提供资产保障" if "house" in scope else "",
    ))


def housing_certificate() -> Certificate:
    """临河区鑫达建筑's claim on 汇浦 for construction work, confirmed, reviewed and issued."""
    clerk, checker = user("op_clerk"), user("op_checker")
    a1 = _apply("sme03_boss", "housing", 1_250_000, "临河区汇浦花园二期主体工程施工合同", HOUSING, 180,
                scope=("house", "parking"), extension=(90, 2), conditions=("applied", "no_dispute"))
    actions.confirm_application(user("hp_chen"), a1.pk)
    actions.prepare_review(clerk, a1.pk, "approve")
    actions.decide_review(checker, a1.pk, True)
    return a1.certificate


def more_applications() -> None:
    """A consumption certificate issued, one application waiting for review, one for the debtor."""
    clerk, checker = user("op_clerk"), user("op_checker")
    a2 = _apply("sme02_boss", "merchant1", 86_000, "面粉供货合同", FLOUR, 90, scope=("consumption",))
    actions.confirm_application(user("wjf_he"), a2.pk)
    actions.prepare_review(clerk, a2.pk, "approve")
    actions.decide_review(checker, a2.pk, True)

    a3 = _apply("sme06_boss", "sme03", 420_000, "配电设备采购合同", "HC-DQ-2025-033", 120, scope=("house",))
    actions.confirm_application(user("sme03_boss"), a3.pk)  # submitted: waiting in the operator's queue
    _apply("sme09_boss", "sme05", 56_800, "饲料原料购销合同", "RF-SL-2025-102", 60)  # waiting for the debtor


def issued(contract_no: str) -> Certificate | None:
    """A demo certificate by its contract number, once issued."""
    app = Application.objects.filter(contract_no=contract_no, status="issued").first()
    return app.certificate if app else None
