from django import forms
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html

from liuzhuan.core.roles import DEPARTMENT_CHOICES, ROLE_CHOICES, Role

from .classification import INDUSTRIES, OWNERSHIPS, SIZES
from .models import Organisation, OrgType, Position, ReviewDecision, ReviewMethod


class OrganisationPicker(forms.Select):
    """The organisation a clerk picks: a ``<select>`` while the field offers at most ``SELECT_LIMIT``
    organisations; past that (a city's register holds thousands of members, and a page of 5,000
    options took seconds to render and to scroll) a text box for the 统一社会信用代码 or the exact
    name, with suggestions fetched as the clerk types (``org-lookup.js`` from ``members:org_lookup``).
    Without JavaScript the box still takes a code or a name."""

    SELECT_LIMIT = 200

    def __init__(self, attrs=None, lookup_role: str = Role.MEMBER):
        super().__init__(attrs)
        self.lookup_role = lookup_role

    def is_text_box(self) -> bool:
        qs = getattr(self.choices, "queryset", None)
        return qs is not None and qs.count() > self.SELECT_LIMIT

    def render(self, name, value, attrs=None, renderer=None):
        if not self.is_text_box():
            return super().render(name, value, attrs, renderer)
        text = "" if value in (None, "") else str(value)
        if text.isdigit() and len(text) < 15:  # a primary key (an initial value): show its code
            org = self.choices.queryset.filter(pk=int(text)).values("legal_id", "name", "org_type").first()
            text = "" if org is None else org["name"] if org["org_type"] == OrgType.PERSON else org["legal_id"]
        final = self.build_attrs(self.attrs, attrs)
        list_id = f"{final.get('id') or name}-options"
        final.update({"type": "text", "name": name, "value": text, "list": list_id, "autocomplete": "off",
                      "placeholder": "输入统一社会信用代码或名称", "data-org-lookup": reverse("members:org_lookup"),
                      "data-role": self.lookup_role})
        return format_html('<input{}><datalist id="{}"></datalist>', flatatt(final), list_id)


class OrganisationField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` over organisations that also takes, from the text box of
    ``OrganisationPicker``, a legal ID (any letter case) or a name exactly one of them has.
    Whatever was typed, only the field's queryset is searched."""

    widget = OrganisationPicker

    def __init__(self, *args, lookup_role: str = Role.MEMBER, **kwargs):
        super().__init__(*args, **kwargs)
        self.widget.lookup_role = lookup_role

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Organisation):
            return super().to_python(value)
        text = str(value).strip()
        if text.isdigit() and len(text) < 15:  # a <select>'s primary key
            return super().to_python(text)
        found = self.queryset.filter(legal_id=text.upper()).first()
        if found is not None:
            return found
        named = list(self.queryset.filter(name=text)[:2])
        if len(named) == 1:
            return named[0]
        raise forms.ValidationError(
            f"“{text}”" + ("有重名，请改填统一社会信用代码" if named else "不在可选范围内，请填写正确的统一社会信用代码或全称"),
            code="invalid_choice")


_DOC_HELP = "PDF、PNG 或 JPEG，不超过 5 MB"


class DocumentFields(forms.Form):
    """营业执照、法定代表人身份证件（机构）或身份证件（自然人）; which are required is decided by
    the action from the subject type (members.documents), so the fields are optional here."""

    business_licence = forms.FileField(label="营业执照（机构必传）", required=False, help_text=_DOC_HELP)
    legal_rep_id = forms.FileField(label="法定代表人身份证件（机构必传）", required=False, help_text=_DOC_HELP)
    person_id = forms.FileField(label="身份证件（自然人必传）", required=False, help_text=_DOC_HELP)

    def document_uploads(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in ("business_licence", "legal_rep_id", "person_id")
                if self.cleaned_data.get(k)}


class RegistrationForm(DocumentFields):
    name = forms.CharField(label="机构/个人名称", max_length=200)
    org_type = forms.ChoiceField(label="主体类型", choices=OrgType.choices)
    legal_id = forms.CharField(label="统一社会信用代码/身份证号", max_length=20)
    legal_representative = forms.CharField(label="法定代表人/负责人", max_length=60, required=False)
    contact_name = forms.CharField(label="联系人", max_length=60, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    industry = forms.ChoiceField(label="所属行业（国民经济行业分类门类）", choices=[("", "—"), *INDUSTRIES], required=False)
    enterprise_size = forms.ChoiceField(label="企业规模", choices=[("", "—"), *SIZES], required=False)
    capacity_declared = forms.BooleanField(
        label="声明：具备完全民事权利能力和民事行为能力，依法独立享有权利、承担义务（自然人须勾选；未满18周岁不能注册）",
        required=False)
    username = forms.CharField(label="登录用户名", max_length=150)
    display_name = forms.CharField(label="您的姓名", max_length=60, required=False)
    password = forms.CharField(label="登录密码", widget=forms.PasswordInput, help_text="至少10位，不能全为数字")
    password2 = forms.CharField(label="确认密码", widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致")
        return data


class OperatorRegistrationForm(RegistrationForm):
    roles = forms.MultipleChoiceField(label="角色", choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, initial=["member"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in ("username", "password", "password2"):
            self.fields[f].required = False
        for f, name in (("business_licence", "营业执照"), ("legal_rep_id", "法定代表人身份证件"), ("person_id", "身份证件")):
            self.fields[f].label = f"{name}（可选：现场核验原件，可上传扫描件留存）"


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="审核结论", choices=ReviewDecision.choices)
    method = forms.ChoiceField(label="审核方式", choices=ReviewMethod.choices)
    reason = forms.CharField(label="意见", max_length=500, required=False, widget=forms.TextInput(attrs={"placeholder": "不通过或要求补充材料时必填"}))


class StatusForm(forms.Form):
    action = forms.ChoiceField(label="操作", choices=[("suspend", "暂停"), ("reactivate", "恢复"), ("close", "注销")])
    reason = forms.CharField(label="原因", max_length=300)


class UserForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    display_name = forms.CharField(label="姓名", max_length=60, required=False)
    position = forms.ChoiceField(label="岗位", choices=Position.choices)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput)


class ResetPasswordForm(forms.Form):
    user_id = forms.IntegerField(widget=forms.HiddenInput)
    password = forms.CharField(label="新密码", widget=forms.PasswordInput)


class ChangePasswordForm(forms.Form):
    old_password = forms.CharField(label="原密码", widget=forms.PasswordInput)
    new_password = forms.CharField(label="新密码", widget=forms.PasswordInput)
    new_password2 = forms.CharField(label="确认新密码", widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的密码不一致")
        return data


class TokenForm(forms.Form):
    name = forms.CharField(label="令牌名称", max_length=100)
    scope = forms.ChoiceField(label="权限范围", choices=[("read", "只读"), ("write", "读写")])


class ResubmitForm(DocumentFields):
    legal_representative = forms.CharField(label="法定代表人/负责人", max_length=60, required=False)
    contact_name = forms.CharField(label="联系人", max_length=60, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    industry = forms.ChoiceField(label="所属行业（国民经济行业分类门类）", choices=[("", "—"), *INDUSTRIES], required=False)
    enterprise_size = forms.ChoiceField(label="企业规模", choices=[("", "—"), *SIZES], required=False)
    capacity_declared = forms.BooleanField(label="自然人声明：具备完全民事权利能力和民事行为能力", required=False)


class DepartmentForm(forms.Form):
    department = forms.ChoiceField(label="所属部门（决定其监管看板）", choices=[("", "—（按角色）"), *DEPARTMENT_CHOICES], required=False)


class ClassificationForm(forms.Form):
    industry = forms.ChoiceField(label="所属行业", choices=[("", "—"), *INDUSTRIES], required=False)
    enterprise_size = forms.ChoiceField(label="企业规模", choices=[("", "—"), *SIZES], required=False)
    ownership = forms.ChoiceField(label="所有制", choices=[("", "—"), *OWNERSHIPS], required=False)
