"""Page forms: Chinese labels; actions validate, a refusal lands on the named field."""

from __future__ import annotations

from django import forms

from liuzhuan.core.forms import DateInput, YuanField
from liuzhuan.core.money import format_yuan

from .models import ItemKind, PayMode, ShopCategory


class ProfileForm(forms.Form):
    shop_name = forms.CharField(label="商户名称", max_length=100)
    category = forms.ChoiceField(label="经营类别", choices=ShopCategory.choices)
    address = forms.CharField(label="经营地址", max_length=200)
    contact_name = forms.CharField(label="联系人", max_length=50)
    contact_phone = forms.CharField(label="联系电话", max_length=30)
    service_area = forms.CharField(label="服务范围", max_length=200, required=False)
    accepts_transfer = forms.BooleanField(label="接受凭证债权转让", required=False, initial=True)
    accepts_offset = forms.BooleanField(label="接受消费抵付（本机构为债务人的凭证）", required=False, initial=True)


class ItemForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=ItemKind.choices)
    category = forms.ChoiceField(label="类别", choices=ShopCategory.choices)
    price_fen = YuanField(label="单价（元）")
    stock = forms.IntegerField(label="库存", required=False, min_value=0, max_value=10_000_000, help_text="服务可留空表示不限")
    valid_from = forms.DateField(label="有效期起", required=False, widget=DateInput())
    valid_until = forms.DateField(label="有效期止", required=False, widget=DateInput())
    description = forms.CharField(label="说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class OrderForm(forms.Form):
    quantity = forms.IntegerField(label="数量", min_value=1, max_value=9999, initial=1)
    mode = forms.ChoiceField(label="支付方式", choices=PayMode.choices)
    piece_id = forms.TypedChoiceField(label="支付凭证分段", coerce=int, choices=())
    note = forms.CharField(label="备注", max_length=300, required=False)

    def __init__(self, *args, pieces=(), modes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["piece_id"].choices = [(p.pk, f"{p.number}（可用 {format_yuan(p.amount_fen)}，债务人 {p.certificate.debtor.name}）")
                                           for p in pieces]
        if modes:
            self.fields["mode"].choices = [(m, PayMode(m).label) for m in modes]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=300, required=False)
