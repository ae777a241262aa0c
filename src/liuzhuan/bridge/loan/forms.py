"""Page forms for the loan: disbursement, the bank's renewal, repayments (field names match the
actions' ``DomainError.field``; amounts typed in yuan)."""

from __future__ import annotations

from django import forms

from liuzhuan.core.forms import YuanField

from ..fund.forms import date_field
from ..models.application import LoanType
from ..models.loan import PayerKind


class DisburseForm(forms.Form):
    account = forms.CharField(label="划款账户（贷款银行确认的原贷款还款账户）", max_length=60)
    voucher = forms.CharField(label="划款凭证号", max_length=80)


class RenewalForm(forms.Form):
    renewed_on = date_field("续贷发放日")
    contract_no = forms.CharField(label="续贷合同编号", max_length=80)
    amount_fen = YuanField(label="续贷金额（元）")
    loan_type = forms.ChoiceField(label="续贷贷款种类", choices=LoanType.choices, initial=LoanType.WORKING_CAPITAL,
                                  help_text="仅限本行自营的流动资金贷款（第十条（四））")


class RepaymentForm(forms.Form):
    paid_on = date_field("收款日期")
    principal_fen = YuanField(label="本金（元）", allow_zero=True, required=False)
    fee_fen = YuanField(label="占用费（元）", allow_zero=True, required=False)
    penalty_fen = YuanField(label="违约金（元）", allow_zero=True, required=False)
    payer = forms.ChoiceField(label="付款方", choices=PayerKind.choices)
    reference = forms.CharField(label="收款凭证号", max_length=80)
