"""资金监管 forms: record an agreement; the bank's decision."""

from __future__ import annotations

from django import forms

from liuzhuan.core.roles import Role
from liuzhuan.members.forms import OrganisationField
from liuzhuan.members.models import Organisation, OrgStatus

from ..ledger.forms import DateInput
from .models import EscrowScope


class AgreementForm(forms.Form):
    bank = OrganisationField(label="合作银行", queryset=Organisation.objects.none(), lookup_role=Role.BANK)
    account_name = forms.CharField(label="账户名称", max_length=200)
    account_no = forms.CharField(label="监管账号", max_length=40)
    scopes = forms.MultipleChoiceField(label="监管范围", choices=EscrowScope.choices, widget=forms.CheckboxSelectMultiple)
    start_date = forms.DateField(label="起始日", widget=DateInput)
    end_date = forms.DateField(label="终止日（可空）", widget=DateInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = Organisation.objects.filter(roles__role=Role.BANK, status=OrgStatus.ACTIVE).distinct().order_by("name")
