"""Page forms for applications: applying, ticking review items, preparing, the bank's confirmation,
the materials checklist (field names match the actions' ``DomainError.field``)."""

from __future__ import annotations

import datetime as dt

from django import forms

from liuzhuan.core.dates import today_china
from liuzhuan.core.forms import YuanField

from ..banks.queries import banks_in_cooperation
from ..fund.forms import date_field, text_area
from ..models.application import Classification, LoanType, Mode, SmeSize
from .rules import ELIGIBILITY_ITEMS


class ApplyForm(forms.Form):
    bank_id = forms.TypedChoiceField(label="贷款银行", coerce=int)
    sme_size = forms.ChoiceField(label="企业类型（第三条）", choices=SmeSize.choices)
    original_contract_no = forms.CharField(label="原贷款合同编号", max_length=80)
    original_loan_type = forms.ChoiceField(label="原贷款种类", choices=LoanType.choices,
                                           help_text="仅限贷款银行自营的流动资金贷款（第十条（四））")
    original_due_fen = YuanField(label="当期应清偿原贷款本金（元）")
    original_due_date = date_field("原贷款到期日")
    classification = forms.ChoiceField(label="原贷款五级分类", choices=Classification.choices)
    loan_account = forms.CharField(label="原贷款还款账户", max_length=60, help_text="过桥资金将直接划入该账户")
    renewal_approval_fen = YuanField(label="银行续贷批复额度（元）")
    renewal_approval_no = forms.CharField(label="续贷批复文号", max_length=80)
    renewal_approval_date = date_field("续贷批复日期")
    amount_fen = YuanField(label="申请过桥金额（元）", help_text="不超过当期应清偿额度且不超过续贷批复额度（第十条（三））")
    planned_days = forms.IntegerField(label="计划使用天数", min_value=1, initial=10,
                                      help_text="原则上不超过 10 日，含提款日及还款日（第十条（二））")
    planned_draw_date = date_field("计划提款日")
    purpose_confirmed = forms.BooleanField(label="承诺过桥资金仅用于还贷续贷应急周转，不用于其他任何事项（第十条（一））", required=False)

    def __init__(self, *args, checklist=None, today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        today = today or today_china()
        self.fields["bank_id"].choices = [("", "请选择合作银行")] + [
            (a.bank_id, a.bank.name) for a in banks_in_cooperation(today).order_by("bank__name")
        ]
        self.fields["planned_draw_date"].initial = today
        for key, label in ELIGIBILITY_ITEMS:
            self.fields[f"evidence.{key}"] = forms.CharField(
                label=f"申请条件：{label}", max_length=500, required=False,
                widget=forms.TextInput(attrs={"placeholder": "证明材料名称、编号或说明"}))
        for item in (checklist.items if checklist else []):
            self.fields[f"materials.{item['key']}"] = MultipleFileField(
                label=f"申请资料：{item['label']}", required=False, widget=MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
                help_text="必须上传，PDF/PNG/JPEG，可多个文件，单个不超过 10 MB")
            self.fields[f"materials.{item['key']}.note"] = forms.CharField(
                label="说明（可选）", max_length=500, required=False,
                widget=forms.TextInput(attrs={"placeholder": "材料名称/份数/编号"}))

    def evidence(self) -> dict[str, str]:
        return {k.split(".", 1)[1]: v or "" for k, v in self.cleaned_data.items() if k.startswith("evidence.")}

    def materials(self) -> dict[str, str]:
        return {k.split(".")[1]: v or "" for k, v in self.cleaned_data.items() if k.startswith("materials.") and k.endswith(".note")}


class MultipleFileInput(forms.ClearableFileInput):
    """Several files for one materials item; the view reads them with ``material_files``."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field taking several files (Django's documented pattern); the content is read and
    checked by the action, not here."""

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return super().clean(data, initial)


def material_files(request, checklist=None, keys=None) -> dict[str, list]:
    """Item key → [(name, content)] from the multipart post, each read with the size limit first
    (``read_limited``: an oversize file is refused before it is read)."""
    from liuzhuan.core.uploads import read_limited

    from .materials import MATERIAL_MAX_BYTES

    out = {}
    for key in (keys if keys is not None else [item["key"] for item in (checklist.items if checklist else [])]):
        name = f"materials.{key}"
        out[key] = [(f.name, read_limited(f, MATERIAL_MAX_BYTES, name)) for f in request.FILES.getlist(name)]
    return out


class ResubmitForm(forms.Form):
    """The applicant's correction: files per materials item (replacing that item's files unless
    ``add``), and a note."""

    add = forms.BooleanField(label="保留原文件，仅追加上传", required=False)
    note = forms.CharField(label="补正说明", max_length=500, required=False)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        for c in items:
            self.fields[f"materials.{c.key}"] = MultipleFileField(
                label=f"申请资料：{c.label}", required=False, widget=MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
                help_text="上传后替换该项原文件（勾选“保留原文件”则追加）；不需补正的项目留空")


class ChecksForm(forms.Form):
    """Every review item of one application in one form (``checks.<id>.passed`` / ``.note``, the
    field names ``review_checks`` reports errors under): the clerk ticks them all and saves once."""

    def __init__(self, *args, checks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.check_ids = []
        for c in checks:
            self.check_ids.append(c.pk)
            self.fields[f"checks.{c.pk}.passed"] = forms.ChoiceField(
                label=c.label, required=False, choices=[("", "待审核"), ("1", "通过"), ("0", "不通过")],
                initial="" if c.passed is None and c.reviewed_by_id else ("0" if c.passed is False else "1"))
            self.fields[f"checks.{c.pk}.note"] = forms.CharField(
                label="意见", max_length=300, required=False, initial=c.review_note,
                widget=forms.TextInput(attrs={"placeholder": "不通过时必填"}))

    def results(self):
        from .actions import CheckResult

        out = []
        for pk in self.check_ids:
            passed = self.cleaned_data.get(f"checks.{pk}.passed") or ""
            if passed:
                out.append(CheckResult(pk, passed == "1", self.cleaned_data.get(f"checks.{pk}.note") or ""))
        return out


class PrepareForm(forms.Form):
    mode = forms.ChoiceField(label="业务模式", choices=Mode.choices)
    note = forms.CharField(label="初审意见", max_length=500, required=False)


class BankConfirmForm(forms.Form):
    renewal_approval_fen = YuanField(label="续贷批复额度（元）")
    renewal_approval_no = forms.CharField(label="续贷批复文号", max_length=80)
    renewal_approval_date = date_field("续贷批复日期")
    classification = forms.ChoiceField(label="原贷款五级分类（银行确认）", choices=Classification.choices)
    original_due_date = date_field("原贷款到期日（银行核对）")
    confirmed_account = forms.CharField(label="原贷款在本行的还款账户（按本行记录填写）", max_length=60,
                                        help_text="过桥资金只能划入该账户，仅用于归还原贷款（第十条（一））")
    term_days = forms.IntegerField(label="本行确定的使用天数", min_value=1,
                                   help_text="不超过 10 日，含提款日及还款日，由续贷银行自行确定（第十条（二））；企业申请的天数仅供参考")
    renewal_in_progress = forms.BooleanField(label="本行确认正在办理续贷手续并同意给予续贷（第八条（四））", required=False)
    note = forms.CharField(label="银行意见", max_length=500, required=False)


class ChecklistForm(forms.Form):
    items = text_area("申请资料清单（每行一项）", 6)
    process = text_area("业务流程规范", 5)

    def item_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]
