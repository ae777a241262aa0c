"""The loan's part of the application page (``application/views.py``): disbursement, the bank's
renewal and repayments, with what the loan owes today."""

from __future__ import annotations

import datetime as dt

from liuzhuan.core.money import format_plain

from ..application.views import PageSection
from ..fund.views import Who
from ..models.application import Application, AppStatus
from . import actions, forms
from .queries import dues


def _forms(app: Application, who: Who, today: dt.date) -> dict:
    f = {}
    if who.manager_org:
        if app.status == AppStatus.CONFIRMED:
            f["disburse"] = forms.DisburseForm(prefix="disburse", initial={"account": app.confirmed_account})
        if app.is_live:
            d = dues(app, today)
            f["repay"] = forms.RepaymentForm(prefix="repay", initial={
                "paid_on": today, "principal_fen": format_plain(d.principal_fen), "fee_fen": format_plain(d.fee_due_fen),
                "penalty_fen": format_plain(d.penalty_due_fen), "payer": "borrower"})
    if who.org_id == app.bank_id and who.bank and app.is_live and not app.renewed_on:
        f["renewal"] = forms.RenewalForm(prefix="renewal", initial={"renewed_on": today, "amount_fen": format_plain(app.amount_fen)})
    return f


def _context(app: Application, today: dt.date) -> dict:
    return {"repayments": app.repayments.select_related("recorded_by"), "dues": dues(app, today) if app.is_disbursed else None}


PAGE = PageSection(forms=_forms, context=_context, actions={
    "disburse": (forms.DisburseForm, lambda u, a, d: actions.disburse(u, a.pk, account=d["account"], voucher=d["voucher"]),
                 "已放款，资金划入银行确认的原贷款还款账户。"),
    "renewal": (forms.RenewalForm, lambda u, a, d: actions.record_renewal(
        u, a.pk, renewed_on=d["renewed_on"], contract_no=d["contract_no"], amount_fen=d["amount_fen"], loan_type=d["loan_type"]),
                "已登记续贷发放。"),
    "repay": (forms.RepaymentForm, lambda u, a, d: actions.record_repayment(
        u, a.pk, paid_on=d["paid_on"], principal_fen=d["principal_fen"] or 0, fee_fen=d["fee_fen"] or 0,
        penalty_fen=d["penalty_fen"] or 0, payer=d["payer"], reference=d["reference"]), "还款已登记。"),
})
