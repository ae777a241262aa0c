"""Page forms for partner bank agreements (field names match the actions' ``DomainError.field``)."""

from __future__ import annotations

from django import forms

from ..fund.forms import date_field
from ..models.banks import AgreementChangeArticle


class AgreementForm(forms.Form):
    bank_id = forms.TypedChoiceField(label="合作银行", coerce=int)
    number = forms.CharField(label="协议编号", max_length=60)
    signed_on = date_field("签订日期")
    valid_from = date_field("生效日期")
    valid_until = date_field("到期日期")
    joint_liability_principal = forms.BooleanField(label="约定银行对本金承担连带赔偿责任", required=False, initial=True)
    joint_liability_fee = forms.BooleanField(label="约定银行对占用费承担连带赔偿责任", required=False, initial=True)
    entrusted_allowed = forms.BooleanField(label="可委托办理本行续贷过桥业务", required=False)
    branch_region = forms.CharField(label="经办行所在地行政区划代码（6 位，留空取银行统一社会信用代码第 3–8 位）", max_length=6,
                                    required=False, help_text="须在本市行政区域内（第六条：委托本市域内银行机构）")

    def __init__(self, *args, banks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank_id"].choices = [("", "请选择")] + [(b.pk, b.name) for b in banks]


class AgreementStatusForm(forms.Form):
    action = forms.ChoiceField(label="操作", choices=[("suspend", "暂停合作"), ("reactivate", "恢复合作"), ("terminate", "取消合作资格")])
    article = forms.ChoiceField(label="依据", choices=AgreementChangeArticle.choices)
    reason = forms.CharField(label="原因", max_length=500)
