"""Pledge forms (amounts typed in yuan, cleaned to fen by YuanField)."""

from __future__ import annotations

from django import forms

from liuzhuan.core.forms import YuanField
from liuzhuan.members.forms import OrganisationField
from liuzhuan.members.models import Organisation
from liuzhuan.members.queries import active_counterparties

from ..fees.forms import FeeTermForm
from ..ledger.forms import DateInput


class PledgeForm(FeeTermForm):
    pledgee = OrganisationField(label="质权人（会员，含合作银行）", queryset=Organisation.objects.none(), empty_label="请选择")
    amount = YuanField(label="质押金额（元）")
    contract_ref = forms.CharField(label="质押合同编号", max_length=100)
    secured = YuanField(label="担保主债权金额（元）")
    start_date = forms.DateField(label="质押期限起", widget=DateInput)
    end_date = forms.DateField(label="质押期限止", widget=DateInput)
    field_order = ["pledgee", "amount", "contract_ref", "secured", "start_date", "end_date", "fee_payer", "fee_share_pct"]

    def __init__(self, *args, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pledgee"].queryset = active_counterparties(org.pk if org is not None else None)  # members only, as create_pledge


class RegisterPledgeForm(forms.Form):
    registration_no = forms.CharField(label="统一登记编号", max_length=40, required=False)
    registration_date = forms.DateField(label="登记日期", widget=DateInput, required=False)


class EnforceForm(forms.Form):
    default_date = forms.DateField(label="违约日", widget=DateInput)
    reason = forms.CharField(label="违约情况说明", max_length=300)
    agreement_ref = forms.CharField(label="折价或变卖协议编号", max_length=100)
    buyer = OrganisationField(label="受让人（变卖时选择；不选则由本行折价受让）", queryset=Organisation.objects.none(), required=False)

    def __init__(self, *args, org=None, debtor_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        # members only (enforce_pledge), and never the debtor: it may not take its own claim (混同)
        self.fields["buyer"].queryset = active_counterparties(org.pk if org is not None else None).exclude(pk=debtor_id)


class PledgedTransferForm(forms.Form):
    to_org = OrganisationField(label="受让方", queryset=Organisation.objects.none(), empty_label="请选择")
    agreement_ref = forms.CharField(label="转让协议编号", max_length=100)

    def __init__(self, *args, org=None, debtor_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].queryset = active_counterparties(org.pk if org is not None else None).exclude(pk=debtor_id)


class DecisionForm(forms.Form):
    agree = forms.ChoiceField(label="意见", choices=[("yes", "同意"), ("no", "不同意")])
    note = forms.CharField(label="价款安排（同意时：提前清偿或提存）/ 理由", max_length=300, required=False)
