"""Forms of the fees page: a fee rule, and the operator's certificate parameters shown beside it."""

from __future__ import annotations

from django import forms

from liuzhuan.core.forms import YuanField

from ..ledger.forms import DateInput
from .models import FeePayer, OperationType


class FeeRuleForm(forms.Form):
    op_type = forms.ChoiceField(label="业务类型", choices=OperationType.choices)
    rate_per_10k = forms.DecimalField(label="费率（‱）", max_digits=8, decimal_places=4, min_value=0)
    min_amount = YuanField(label="最低收费（元）", required=False, allow_zero=True)
    max_amount = YuanField(label="最高收费（元，可空）", required=False, allow_zero=True)
    payer = forms.ChoiceField(label="付费方", choices=FeePayer.choices)
    effective_date = forms.DateField(label="生效日期", widget=DateInput)


class ConfigForm(forms.Form):
    min_unit = YuanField(label="最小拆分单位（元）")
    offer_days = forms.IntegerField(label="受让方接收期限（天）", min_value=1, max_value=60)
