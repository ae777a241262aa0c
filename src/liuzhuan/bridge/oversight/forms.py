"""Page forms for the bureau's oversight records (field names match the actions' ``DomainError.field``)."""

from __future__ import annotations

from django import forms

from ..fund.forms import date_field, text_area
from ..models.oversight import InspectionKind, MisconductItem


class InspectionForm(forms.Form):
    inspected_on = date_field("检查日期")
    kind = forms.ChoiceField(label="检查方式", choices=InspectionKind.choices)
    inspector = forms.CharField(label="检查人员/受托中介机构", max_length=200)
    bank_id = forms.TypedChoiceField(label="被检查银行（不选为资金整体运行）", coerce=int, required=False, empty_value=None)
    findings = text_area("检查发现", 3)
    follow_up = text_area("整改要求/后续处理", 2, required=False)

    def __init__(self, *args, banks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank_id"].choices = [("", "—")] + [(b.pk, b.name) for b in banks]


class SanctionForm(forms.Form):
    officer_id = forms.TypedChoiceField(label="经办人员（不选为管理机构本身）", coerce=int, required=False, empty_value=None)
    item = forms.ChoiceField(label="违规情形（第十八条）", choices=MisconductItem.choices)
    findings = text_area("认定事实", 3)
    cancel_qualification = forms.BooleanField(label="取消管理（合作）资格", required=False)
    legal_liability = forms.BooleanField(label="追究法律责任", required=False)
    regulator_referral = forms.BooleanField(label="提请桐城金融监管支局处理", required=False)
    referral_note = text_area("提请处理事项/文号（提请时必填）", 2, required=False)

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer_id"].choices = [("", "—")] + [(u.pk, str(u)) for u in officers]
