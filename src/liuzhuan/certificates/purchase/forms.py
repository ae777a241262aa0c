"""Purchase forms: provider approval, a commitment, a sale and its payment."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from liuzhuan.core.forms import YuanField
from liuzhuan.core.roles import Role
from liuzhuan.members.forms import OrganisationField
from liuzhuan.members.models import Organisation

from ..ledger.forms import DateInput
from .models import PriceKind


class ProviderForm(forms.Form):
    org = OrganisationField(label="服务提供方", queryset=Organisation.objects.none(), empty_label="请选择")
    capacity = YuanField(label="认可的收购承诺额度（元；0 为暂停）", allow_zero=True)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # as prepare_provider: active members, or the operator itself (受托收购); never a regulator or the bureau
        self.fields["org"].queryset = Organisation.objects.filter(status="active", roles__role__in=[Role.MEMBER, Role.OPERATOR]).exclude(
            roles__role__in=[Role.REGULATOR, Role.BUREAU]).distinct().order_by("name")


class CommitmentForm(forms.Form):
    provider = OrganisationField(label="收购服务提供方（经认可）", queryset=Organisation.objects.none(), empty_label="请选择")
    price_kind = forms.ChoiceField(label="价格方式", choices=PriceKind.choices)
    price_percent = forms.DecimalField(label="收购价格（债权金额的 %）", max_digits=5, decimal_places=2, required=False)
    fixed_price = YuanField(label="固定收购价（全额，元）", required=False)
    lockup_end = forms.DateField(label="锁定期截止日（含）", widget=DateInput)
    expiry = forms.DateField(label="承诺有效期至（含）", widget=DateInput)
    conditions = forms.CharField(label="收购条件和方式", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    agreement_ref = forms.CharField(label="委托协议编号", max_length=100)

    def __init__(self, *args, org=None, debtor_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Organisation.objects.filter(status="active", purchase_provider__approved_at__isnull=False,
                                         purchase_provider__capacity_fen__gt=0).order_by("name")
        qs = qs.exclude(pk=debtor_id)  # the debtor never buys its own claim back (混同; 不以货币兑付)
        self.fields["provider"].queryset = qs.exclude(pk=org.pk) if org is not None else qs

    def price_bp(self) -> int | None:
        p = self.cleaned_data.get("price_percent")
        return int((Decimal(p) * 100).to_integral_value()) if p is not None else None


class SaleForm(forms.Form):
    commitment = forms.ChoiceField(label="收购承诺")
    amount = YuanField(label="申请转让金额（元）")

    def __init__(self, *args, commitments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].choices = [(c.pk, f"{c.number} {c.provider.name}（{c.price_label}，锁定期至 {c.lockup_end:%Y-%m-%d}）")
                                             for c in commitments]


class SaleConfirmForm(forms.Form):
    payment = YuanField(label="实付价款（元）")
    payment_date = forms.DateField(label="付款日期", widget=DateInput)
    payment_ref = forms.CharField(label="银行流水号", max_length=60)
    payment_account_no = forms.CharField(label="收款的资金监管账号（资金监管协议生效期间必填）", max_length=40, required=False)
