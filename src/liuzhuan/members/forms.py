from django import forms

from liuzhuan.core.roles import DEPARTMENT_CHOICES, ROLE_CHOICES

from .classification import INDUSTRIES, OWNERSHIPS, SIZES
from .models import OrgType, Position, ReviewDecision, ReviewMethod

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
