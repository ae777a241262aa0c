"""Forms of the application and review pages."""

from __future__ import annotations

from django import forms

from liuzhuan.core.forms import YuanField
from liuzhuan.core.roles import Role
from liuzhuan.members.forms import OrganisationField
from liuzhuan.members.models import Organisation, OrgStatus
from liuzhuan.members.queries import active_counterparties

from ..ledger.forms import DateInput, ExtensionConditionsField, ScopeField
from .models import ReviewAction
from .rules import GUARANTEE_MAX_CHARS, REVIEW_CHECKS


class ApplicationForm(forms.Form):
    role = forms.ChoiceField(label="本机构身份", choices=[("creditor", "债权人"), ("debtor", "债务人")])
    counterparty = OrganisationField(label="对方机构", queryset=Organisation.objects.none(), empty_label="请选择")
    contract_no = forms.CharField(label="基础合同编号", max_length=60)
    contract_title = forms.CharField(label="基础合同名称", max_length=200)
    contract_date = forms.DateField(label="合同签订日期", widget=DateInput)
    amount = YuanField(label="债权金额（元）")
    maturity_date = forms.DateField(label="清偿期限", widget=DateInput)
    offset_scope = ScopeField()
    non_cash_declared = forms.BooleanField(label="双方确认：该债权约定以非货币方式清偿，不以现金兑付、不计利息", required=False)
    extension_days = forms.IntegerField(label="展期天数（可选）", required=False, min_value=1)
    extension_max = forms.IntegerField(label="最多展期次数（可选）", required=False, min_value=1)
    extension_conditions = ExtensionConditionsField()
    guarantee_text = forms.CharField(label="资产保障措施", required=False, max_length=GUARANTEE_MAX_CHARS,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    purchase_commitment_ref = forms.CharField(label="第三方收购承诺（编号或说明）", max_length=200, required=False)

    def __init__(self, *args, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counterparty"].queryset = active_counterparties(org.pk if org is not None else None)


class AttachmentForm(forms.Form):
    file = forms.FileField(label="基础合同附件（PDF/PNG/JPEG）")


class CheckForm(forms.Form):
    item = forms.ChoiceField(label="核查项目", choices=list(REVIEW_CHECKS.items()))
    note = forms.CharField(label="核查依据", max_length=300,
                           widget=forms.TextInput(attrs={"placeholder": "如：合同第5条约定以临河区存量商品房抵付"}))


class PrepareForm(forms.Form):
    action = forms.ChoiceField(label="初审意见", choices=ReviewAction.choices)
    reason = forms.CharField(label="理由", max_length=500, required=False)


class DecideForm(forms.Form):
    agree = forms.ChoiceField(label="复核", choices=[("yes", "同意初审意见"), ("no", "不同意，退回初审")])
    reason = forms.CharField(label="理由", max_length=500, required=False)


class LegacyForm(forms.Form):
    """存量业务: a certificate issued before the plan, recorded by the operator."""

    creditor = OrganisationField(label="债权人", queryset=Organisation.objects.none())
    debtor = OrganisationField(label="债务人", queryset=Organisation.objects.none())
    holder = OrganisationField(label="现持有人（默认债权人）", queryset=Organisation.objects.none(), required=False)
    original_no = forms.CharField(label="原凭证（合同）编号", max_length=60)
    original_issue_date = forms.DateField(label="原开具日期（须早于方案发布之日）", widget=DateInput)
    contract_no = forms.CharField(label="基础合同编号", max_length=60)
    contract_title = forms.CharField(label="基础合同名称", max_length=200)
    contract_date = forms.DateField(label="合同签订日期", widget=DateInput)
    amount = YuanField(label="债权金额（元）")
    maturity_date = forms.DateField(label="清偿期限", widget=DateInput)
    offset_scope = ScopeField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        members = Organisation.objects.filter(roles__role=Role.MEMBER, status=OrgStatus.ACTIVE).distinct().order_by("name")
        for name in ("creditor", "debtor", "holder"):
            self.fields[name].queryset = members
