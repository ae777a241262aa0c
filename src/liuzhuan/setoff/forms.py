"""Set-off forms (Chinese labels; amounts typed in yuan, stored in fen)."""

from __future__ import annotations

from django import forms

from liuzhuan.core.forms import DateInput, YuanField
from liuzhuan.members.forms import OrganisationField
from liuzhuan.members.models import Organisation
from liuzhuan.members.queries import active_counterparties


class CounterpartyChoice(OrganisationField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name}（{obj.legal_id}）"


class ObligationForm(forms.Form):
    side = forms.ChoiceField(label="本单位身份", choices=[("creditor", "债权人（应收）"), ("debtor", "债务人（应付）")])
    counterparty = CounterpartyChoice(label="对方单位", queryset=Organisation.objects.none(), empty_label="请选择")
    amount = YuanField(label="金额（元）")
    basis = forms.CharField(label="债权债务依据（合同/发票编号）", max_length=100)
    due_date = forms.DateField(label="到期日", required=False, widget=DateInput)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counterparty"].queryset = active_counterparties(org.pk if org is not None else None)


class UploadForm(forms.Form):
    file = forms.FileField(label="债权债务文件（.xlsx 或 .csv，使用平台模板）")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=200, widget=forms.TextInput(attrs={"placeholder": "请写明理由"}))


class CashForm(forms.Form):
    amount = YuanField(label="可用于清偿的现金（元）")
    valid_until = forms.DateField(label="有效期至", widget=DateInput)
    note = forms.CharField(label="说明", max_length=200, required=False)


class ConsentForm(forms.Form):
    note = forms.CharField(label="说明（可选）", max_length=200, required=False,
                           widget=forms.TextInput(attrs={"placeholder": "如：限于本行授信项下质押"}))


class FundCashForm(forms.Form):
    payer_uscc = forms.CharField(label="付款单位统一社会信用代码", max_length=18)
    amount = YuanField(label="提供的资金（元）")
    valid_until = forms.DateField(label="有效期至", widget=DateInput)
    note = forms.CharField(label="说明", max_length=200, required=False)
