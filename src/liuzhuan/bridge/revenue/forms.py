"""Page forms for non-tax revenue: deposit interest, remittances (amounts typed in yuan)."""

from __future__ import annotations

from django import forms

from liuzhuan.core.forms import YuanField

from ..fund.forms import date_field


class InterestForm(forms.Form):
    period_start = date_field("计息起日")
    period_end = date_field("计息止日")
    received_on = date_field("入账日期")
    amount_fen = YuanField(label="利息金额（元）")
    reference = forms.CharField(label="银行回单号", max_length=80)


class RemittanceForm(forms.Form):
    remitted_on = date_field("上缴日期")
    fee_fen = YuanField(label="占用费（元）", allow_zero=True, required=False)
    interest_fen = YuanField(label="存款利息（元）", allow_zero=True, required=False)
    penalty_fen = YuanField(label="违约金（元）", allow_zero=True, required=False)
    voucher_no = forms.CharField(label="非税收入缴款书号", max_length=80)
