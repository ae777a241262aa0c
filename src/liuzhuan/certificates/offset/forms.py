"""Offset forms: apply, offer options, propose a price, evidence, delivery; list an asset."""

from __future__ import annotations

from django import forms

from liuzhuan.core.forms import YuanField
from liuzhuan.core.money import format_yuan

from ..ledger.forms import DateInput
from .models import AssetKind, EvidenceKind, OffsetKind


class OffsetForm(forms.Form):
    kind = forms.ChoiceField(label="抵付方式", choices=OffsetKind.choices)
    amount = YuanField(label="申请抵付的债权金额（元）")
    note = forms.CharField(label="说明（意向资产或消费）", max_length=300, required=False)
    payable_contract_ref = forms.CharField(label="抵偿债务：本方对债务人应付债务的合同编号", max_length=100, required=False)
    payable_fen = YuanField(label="抵偿债务：应付债务金额（元）", required=False)
    payable_due_date = forms.DateField(label="抵偿债务：应付债务到期日", widget=DateInput, required=False)


class OptionsForm(forms.Form):
    assets = forms.MultipleChoiceField(label="可选资产（本机构资产及存量房源）", required=False, widget=forms.CheckboxSelectMultiple)
    consumption_scope = forms.CharField(label="可消费范围", max_length=300, required=False)

    def __init__(self, *args, assets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assets"].choices = [(a.pk, f"{a.name}（{a.owner.name}，挂牌价 {format_yuan(a.list_price_fen)}）") for a in assets]


class PriceForm(forms.Form):
    price = YuanField(label="抵付价款（元）")
    asset = forms.ChoiceField(label="选定资产", required=False)

    def __init__(self, *args, assets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asset"].choices = [("", "—")] + [(a.pk, a.name) for a in assets]


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label="材料类别", choices=EvidenceKind.choices)
    file = forms.FileField(label="证明材料（PDF/PNG/JPEG）")


class DeliveryForm(forms.Form):
    delivery_ref = forms.CharField(label="交付确认编号", max_length=100)
    title_registration_ref = forms.CharField(label="权属转移登记编号（资产抵付）", max_length=100, required=False)
    settlement_ref = forms.CharField(label="消费结算单号（消费抵付）", max_length=100, required=False)
    cash_top_up_ref = forms.CharField(label="持有人补足款银行流水号（价款高于债权时）", max_length=60, required=False)
    cash_top_up_date = forms.DateField(label="补足款日期", widget=DateInput, required=False)
    cash_top_up_account_no = forms.CharField(label="补足款进入的资金监管账号（资金监管协议生效期间必填）", max_length=40, required=False)


class AssetForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=AssetKind.choices)
    name = forms.CharField(label="名称", max_length=200)
    location = forms.CharField(label="坐落/存放地", max_length=300, required=False)
    title_no = forms.CharField(label="权属证书编号", max_length=100, required=False)
    list_price = YuanField(label="挂牌价（元）")
