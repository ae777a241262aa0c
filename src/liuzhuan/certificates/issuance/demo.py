"""Demo applications: a housing-debt certificate and a consumption one issued, one application in the
operator's queue, one waiting for the debtor."""

from __future__ import annotations

import datetime as dt
import io

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

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
    """The creditor applies and uploads the signed contract (a one-page PDF naming it)."""
    today = today_china()
    app = actions.create_application(user(creditor_user), actions.ApplicationInput(
        counterparty_id=org(debtor_key).pk, role="creditor", contract_no=no, contract_title=title,
        contract_date=today - dt.timedelta(days=40), amount_fen=amount_yuan * 100, maturity_date=today + dt.timedelta(days=days),
        offset_scope=tuple(scope), non_cash_declared=True,
        extension_days=extension[0] if extension else None, extension_max=extension[1] if extension else None,
        extension_conditions=tuple(conditions), guarantee_text="债务人以临河区存量商品房提供资产保障" if "house" in scope else "",
    ))
    actions.add_attachment(user(creditor_user), app.pk, f"{no}.pdf", _contract_pdf(title, no))
    return app


def _contract_pdf(title: str, no: str) -> bytes:
    """A small, valid PDF standing for the scanned contract (its text is the title and number)."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 14)
    c.drawString(72, 760, f"{title}（合同编号 {no}）")
    c.drawString(72, 730, "第五条 清偿方式：以非货币资产抵付，不以现金兑付，不计利息。（演示文件）")
    c.save()
    return buf.getvalue()


def _review_and_issue(app: Application, clause: str) -> None:
    """The clerk checks the contract's non-cash terms and prepares; the checker approves."""
    clerk, checker = user("op_clerk"), user("op_checker")
    actions.record_review_check(clerk, app.pk, "non_cash_terms", clause)
    actions.prepare_review(clerk, app.pk, "approve")
    actions.decide_review(checker, app.pk, True)


def housing_certificate() -> Certificate:
    """临河区鑫达建筑's claim on 汇浦 for construction work, confirmed, reviewed and issued."""
    a1 = _apply("sme03_boss", "housing", 1_250_000, "临河区汇浦花园二期主体工程施工合同", HOUSING, 180,
                scope=("house", "parking"), extension=(90, 2), conditions=("applied", "no_dispute"))
    actions.confirm_application(user("hp_chen"), a1.pk)
    _review_and_issue(a1, "合同第五条约定以汇浦花园存量商品房及车位抵付工程款")
    a1.refresh_from_db()
    return a1.certificate


def more_applications() -> None:
    """A consumption certificate issued, one application waiting for review, one for the debtor."""
    a2 = _apply("sme02_boss", "merchant1", 86_000, "面粉供货合同", FLOUR, 90, scope=("consumption",))
    actions.confirm_application(user("wjf_he"), a2.pk)
    _review_and_issue(a2, "合同第五条约定货款以在债务人门店消费抵付")

    a3 = _apply("sme06_boss", "sme03", 420_000, "配电设备采购合同", "HC-DQ-2025-033", 120, scope=("house",))
    actions.confirm_application(user("sme03_boss"), a3.pk)  # submitted: waiting in the operator's queue
    _apply("sme09_boss", "sme05", 56_800, "饲料原料购销合同", "RF-SL-2025-102", 60)  # waiting for the debtor


def issued(contract_no: str) -> Certificate | None:
    """A demo certificate by its contract number, once issued."""
    app = Application.objects.filter(contract_no=contract_no, status="issued").first()
    return app.certificate if app else None
