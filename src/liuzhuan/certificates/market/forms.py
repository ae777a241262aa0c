"""Market purchase forms: record a purchase; apply for its certificate."""

from __future__ import annotations

from django import forms

from liuzhuan.core.forms import YuanField
from liuzhuan.members.forms import OrganisationField
from liuzhuan.members.models import Organisation
from liuzhuan.members.queries import active_counterparties

from ..issuance.rules import GUARANTEE_MAX_CHARS
from ..ledger.forms import DateInput, ExtensionConditionsField, ScopeField


class ReceivablePurchaseForm(forms.Form):
    seller = OrganisationField(label="出让债权的中小微企业", queryset=Organisation.objects.none(), empty_label="请选择")
    original_debtor_name = forms.CharField(label="原债务人", max_length=200)
    description = forms.CharField(label="原债权说明", max_length=300, required=False)
    receivable = YuanField(label="应收账款金额（元）")
    price = YuanField(label="收购价款（元）")
    agreement_ref = forms.CharField(label="收购协议编号", max_length=100)
    agreement_date = forms.DateField(label="协议日期", widget=DateInput)

    def __init__(self, *args, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seller"].queryset = active_counterparties(org.pk if org is not None else None)


class PurchaseApplyForm(forms.Form):
    maturity_date = forms.DateField(label="清偿期限", widget=DateInput)
    offset_scope = ScopeField()
    extension_days = forms.IntegerField(label="展期天数（可选）", required=False, min_value=1)
    extension_max = forms.IntegerField(label="最多展期次数（可选）", required=False, min_value=1)
    extension_conditions = ExtensionConditionsField()
    guarantee_text = forms.CharField(label="资产保障措施", required=False, max_length=GUARANTEE_MAX_CHARS,
                                     widget=forms.Textarea(attrs={"rows": 2}))
