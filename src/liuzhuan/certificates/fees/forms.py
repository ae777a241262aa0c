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


class FeeTermForm(forms.Form):
    """The fee term of a transfer or pledge contract, as the parties agreed it (blank: the schedule)."""

    fee_payer = forms.ChoiceField(label="合同约定的服务费付费方", required=False,
                                  choices=[("", "未约定（按收费标准）"), *FeePayer.choices])
    fee_share_pct = forms.DecimalField(label="转让方/出质人承担比例（%，仅双方分担时填写，空则各半）", required=False,
                                       min_value=0, max_value=100, max_digits=5, decimal_places=2)


class ConfigForm(forms.Form):
    min_unit = YuanField(label="最小拆分单位（元）")
    offer_days = forms.IntegerField(label="受让方接收期限（天）", min_value=1, max_value=60)


class FeePaidForm(forms.Form):
    """缴费登记 of one charge by the operator's finance staff."""

    charge = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    paid_on = forms.DateField(label="缴费日期", widget=DateInput)
    payment_ref = forms.CharField(label="缴费凭据号", max_length=60)
