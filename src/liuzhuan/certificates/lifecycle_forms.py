"""Forms for the lifecycle pages (amounts typed in yuan, cleaned to fen by YuanField)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from liuzhuan.core.forms import YuanField
from liuzhuan.core.money import format_yuan
from liuzhuan.core.roles import Role
from liuzhuan.members.models import Organisation
from liuzhuan.members.queries import active_counterparties

from .models import AssetKind, OffsetKind, PriceKind


class DateInput(forms.DateInput):
    input_type = "date"


class PledgeForm(forms.Form):
    pledgee = forms.ModelChoiceField(label="质权人（会员，含合作银行）", queryset=Organisation.objects.none(), empty_label="请选择")
    amount = YuanField(label="质押金额（元）")
    contract_ref = forms.CharField(label="质押合同编号", max_length=100)
    secured = YuanField(label="担保主债权金额（元）")
    start_date = forms.DateField(label="质押期限起", widget=DateInput)
    end_date = forms.DateField(label="质押期限止", widget=DateInput)
    registration_required = forms.BooleanField(
        label="属《动产和权利担保统一登记办法》登记范围（质权人在中征动产融资统一登记公示系统登记后生效）", required=False, initial=True)

    def __init__(self, *args, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pledgee"].queryset = active_counterparties(org.pk if org is not None else None)  # members only, as create_pledge


class RegisterPledgeForm(forms.Form):
    registration_no = forms.CharField(label="统一登记编号", max_length=40, required=False)
    registration_date = forms.DateField(label="登记日期", widget=DateInput, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="说明", max_length=300, required=False)


class EnforceForm(forms.Form):
    default_date = forms.DateField(label="违约日", widget=DateInput)
    reason = forms.CharField(label="违约情况说明", max_length=300)
    agreement_ref = forms.CharField(label="折价或变卖协议编号", max_length=100)
    buyer = forms.ModelChoiceField(label="受让人（变卖时选择；不选则由本行折价受让）", queryset=Organisation.objects.none(), required=False)

    def __init__(self, *args, org=None, debtor_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        # members only (enforce_pledge), and never the debtor: it may not take its own claim (混同)
        self.fields["buyer"].queryset = active_counterparties(org.pk if org is not None else None).exclude(pk=debtor_id)


class PledgedTransferForm(forms.Form):
    to_org = forms.ModelChoiceField(label="受让方", queryset=Organisation.objects.none(), empty_label="请选择")
    agreement_ref = forms.CharField(label="转让协议编号", max_length=100)

    def __init__(self, *args, org=None, debtor_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].queryset = active_counterparties(org.pk if org is not None else None).exclude(pk=debtor_id)


class DecisionForm(forms.Form):
    agree = forms.ChoiceField(label="意见", choices=[("yes", "同意"), ("no", "不同意")])
    note = forms.CharField(label="价款安排（同意时：提前清偿或提存）/ 理由", max_length=300, required=False)


class CommitmentForm(forms.Form):
    provider = forms.ModelChoiceField(label="收购服务提供方（经认可）", queryset=Organisation.objects.none(), empty_label="请选择")
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


class OffsetForm(forms.Form):
    kind = forms.ChoiceField(label="抵付方式", choices=OffsetKind.choices)
    amount = YuanField(label="申请抵付的债权金额（元）")
    note = forms.CharField(label="说明（意向资产或消费）", max_length=300, required=False)


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


class CompleteForm(forms.Form):
    delivery_ref = forms.CharField(label="交付确认编号", max_length=100)
    title_registration_ref = forms.CharField(label="权属转移登记编号（资产抵付）", max_length=100, required=False)
    settlement_ref = forms.CharField(label="消费结算单号（消费抵付）", max_length=100, required=False)
    cash_top_up_ref = forms.CharField(label="持有人补足款银行流水号（价款高于债权时）", max_length=60, required=False)
    cash_top_up_date = forms.DateField(label="补足款日期", widget=DateInput, required=False)


class AssetForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=AssetKind.choices)
    name = forms.CharField(label="名称", max_length=200)
    location = forms.CharField(label="坐落/存放地", max_length=300, required=False)
    title_no = forms.CharField(label="权属证书编号", max_length=100, required=False)
    list_price = YuanField(label="挂牌价（元）")


class ProviderForm(forms.Form):
    org = forms.ModelChoiceField(label="服务提供方", queryset=Organisation.objects.none(), empty_label="请选择")
    capacity = YuanField(label="认可的收购承诺额度（元；0 为暂停）", allow_zero=True)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = active_counterparties().exclude(roles__role__in=[Role.REGULATOR, Role.BUREAU])  # as prepare_provider


class ReceivablePurchaseForm(forms.Form):
    seller = forms.ModelChoiceField(label="出让债权的中小微企业", queryset=Organisation.objects.none(), empty_label="请选择")
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
    settle_by_asset = forms.BooleanField(label="资产抵付", required=False, initial=True)
    settle_by_consumption = forms.BooleanField(label="消费抵付", required=False)
    accepted_categories = forms.CharField(label="可抵付范围", max_length=300, required=False)
    extension_days = forms.IntegerField(label="展期天数（可选）", required=False, min_value=1)
    extension_max = forms.IntegerField(label="最多展期次数（可选）", required=False, min_value=1)
    guarantee_text = forms.CharField(label="资产保障措施", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class VoidForm(forms.Form):
    reason = forms.CharField(label="作废理由（错误开具的情况）", max_length=500)


class VoidDecideForm(forms.Form):
    agree = forms.ChoiceField(label="复核", choices=[("yes", "同意作废"), ("no", "不同意，退回")])
    reason = forms.CharField(label="理由", max_length=300, required=False)
