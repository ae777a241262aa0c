"""Housing forms: a unit, a handover, a sale or exchange, payment, a registration step, the
pieces a holder puts toward a unit, delivery documents."""

from __future__ import annotations

from django import forms

from liuzhuan.certificates.ledger.forms import ReasonForm
from liuzhuan.core.forms import DateInput, YuanField
from liuzhuan.core.money import format_yuan
from liuzhuan.members.queries import active_counterparties

from .models import StepKind, UnitKind, UnitUse

__all__ = ["ReasonForm"]


def _orgs(exclude_id=None):
    return [(o.pk, o.name) for o in active_counterparties(exclude_id).order_by("name")[:500]]


class UnitForm(forms.Form):
    kind = forms.ChoiceField(label="房源类型", choices=UnitKind.choices)
    project = forms.CharField(label="项目名称", max_length=100)
    building = forms.CharField(label="楼栋", max_length=30)
    unit_no = forms.CharField(label="房号", max_length=30)
    area_m2 = forms.DecimalField(label="建筑面积（㎡）", max_digits=9, decimal_places=2, min_value=0.01)
    use = forms.ChoiceField(label="用途", choices=UnitUse.choices)
    valuation_fen = YuanField(label="评估价值（元）")
    valuation_basis = forms.CharField(label="评估依据（评估报告编号等）", max_length=200)
    valuation_date = forms.DateField(label="评估日期", widget=DateInput)
    title_no = forms.CharField(label="权属证书/备案编号", max_length=100, required=False)
    mortgaged = forms.BooleanField(label="存在抵押（售出或移交前须办理抵押注销登记）", required=False)
    encumbrances = forms.CharField(label="权利负担说明", max_length=300, required=False)


class HandoverForm(UnitForm):
    owner_id = forms.TypedChoiceField(label="移交方（原权利人）", coerce=int)
    agreed_fen = YuanField(label="约定移交价款（元，开具为凭证）")
    agreement_ref = forms.CharField(label="移交协议编号", max_length=60)
    contract_date = forms.DateField(label="协议签订日期", widget=DateInput)
    maturity_date = forms.DateField(label="凭证清偿期限", widget=DateInput)

    def __init__(self, *args, org_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_id"].choices = _orgs(org_id)


class RevalueForm(forms.Form):
    valuation_fen = YuanField(label="新评估价值（元）")
    valuation_basis = forms.CharField(label="评估依据", max_length=200)
    valuation_date = forms.DateField(label="评估日期", widget=DateInput)


class SaleForm(forms.Form):
    buyer_id = forms.TypedChoiceField(label="买受人", coerce=int)
    price_fen = YuanField(label="成交价款（元）")
    agreement_ref = forms.CharField(label="购房合同编号", max_length=60)

    def __init__(self, *args, org_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer_id"].choices = _orgs(org_id)


class ExchangeForm(forms.Form):
    price_fen = YuanField(label="换回价款（元）")
    agreement_ref = forms.CharField(label="换回协议编号", max_length=60)


class OpenOffsetForm(forms.Form):
    co_holders = forms.TypedMultipleChoiceField(label="共同抵付的持有人（可不选）", coerce=int, required=False,
                                                widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, org_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["co_holders"].choices = _orgs(org_id)[:50]


class PaymentForm(forms.Form):
    amount_fen = YuanField(label="收款金额（元）")
    payer = forms.CharField(label="付款人", max_length=100)
    bank_ref = forms.CharField(label="银行流水号", max_length=60)
    paid_on = forms.DateField(label="到账日期", widget=DateInput)


class TopUpForm(forms.Form):
    payer = forms.CharField(label="付款人", max_length=100)
    bank_ref = forms.CharField(label="银行流水号", max_length=60)
    paid_on = forms.DateField(label="到账日期", widget=DateInput)
    account_no = forms.CharField(label="监管账号（有生效的资金监管协议时必填）", max_length=40, required=False)


class StepForm(forms.Form):
    step = forms.ChoiceField(label="登记事项", choices=StepKind.choices)
    ref_no = forms.CharField(label="登记/备案编号", max_length=60)
    done_on = forms.DateField(label="办理日期", widget=DateInput)


class PieceForm(forms.Form):
    piece_id = forms.TypedChoiceField(label="凭证分段", coerce=int)
    amount_fen = YuanField(label="用于抵付的金额（元，其余部分继续持有）")

    def __init__(self, *args, pieces=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["piece_id"].choices = [(p.pk, f"{p.number}（可用 {format_yuan(p.amount_fen)}）") for p in pieces]


class DeliverForm(forms.Form):
    delivery_doc = forms.FileField(label="房产交付确认书（PDF/PNG/JPEG）")
    title_doc = forms.FileField(label="转移登记/预告登记证明（PDF/PNG/JPEG）")
