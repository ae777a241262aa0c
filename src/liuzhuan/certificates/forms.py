import re

from django import forms
from stdnum.cn import ric, uscc

from liuzhuan.core.forms import YuanField
from liuzhuan.core.money import MoneyError, parse_yuan
from liuzhuan.members.models import Organisation
from liuzhuan.members.queries import active_counterparties

from .models import FeePayer, OperationType, ReviewAction


class DateInput(forms.DateInput):
    input_type = "date"


class ApplicationForm(forms.Form):
    role = forms.ChoiceField(label="本机构身份", choices=[("creditor", "债权人"), ("debtor", "债务人")])
    counterparty = forms.ModelChoiceField(label="对方机构", queryset=Organisation.objects.none(), empty_label="请选择")
    contract_no = forms.CharField(label="基础合同编号", max_length=60)
    contract_title = forms.CharField(label="基础合同名称", max_length=200)
    contract_date = forms.DateField(label="合同签订日期", widget=DateInput)
    amount = YuanField(label="债权金额（元）")
    maturity_date = forms.DateField(label="清偿期限", widget=DateInput)
    settle_by_asset = forms.BooleanField(label="资产抵付", required=False)
    settle_by_consumption = forms.BooleanField(label="消费抵付", required=False)
    accepted_categories = forms.CharField(label="可抵付资产或消费范围", max_length=300, required=False, widget=forms.TextInput(attrs={"placeholder": "如：商品房、建材、农机"}))
    non_cash_declared = forms.BooleanField(label="双方确认：该债权约定以非货币方式清偿，不以现金兑付、不计利息", required=False)
    extension_days = forms.IntegerField(label="展期天数（可选）", required=False, min_value=1)
    extension_max = forms.IntegerField(label="最多展期次数（可选）", required=False, min_value=1)
    guarantee_text = forms.CharField(label="资产保障措施", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    purchase_commitment_ref = forms.CharField(label="第三方收购承诺（编号或说明）", max_length=200, required=False)

    def __init__(self, *args, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counterparty"].queryset = active_counterparties(org.pk if org is not None else None)


class AttachmentForm(forms.Form):
    file = forms.FileField(label="基础合同附件（PDF/PNG/JPEG）")


class PrepareForm(forms.Form):
    action = forms.ChoiceField(label="初审意见", choices=ReviewAction.choices)
    reason = forms.CharField(label="理由", max_length=500, required=False)


class DecideForm(forms.Form):
    agree = forms.ChoiceField(label="复核", choices=[("yes", "同意初审意见"), ("no", "不同意，退回初审")])
    reason = forms.CharField(label="理由", max_length=500, required=False)


class TransferForm(forms.Form):
    to_org = forms.ModelChoiceField(label="受让方", queryset=Organisation.objects.none(), empty_label="请选择")
    amount = YuanField(label="转让金额（元）")
    agreement_ref = forms.CharField(label="转让协议编号", max_length=100)

    def __init__(self, *args, org=None, debtor_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        # the certificate's debtor is not offered: a claim reaching its debtor ends (混同)
        self.fields["to_org"].queryset = active_counterparties(org.pk if org is not None else None).exclude(pk=debtor_id)


#: fields of a batch line: a tab (pasted from Excel), a full-width comma or a bar; not the ASCII
#: comma, which amounts use as a thousands separator ("120,000.00")
BATCH_SEPARATORS = re.compile(r"\t|，|\||｜")


class BatchTransferForm(forms.Form):
    """批量转让 from one piece: one line per transferee — who, how much (yuan), agreement number.

    Lines are counted as the action counts items ("第 n 笔", blank lines skipped). The transferee is
    an active member found by its legal ID (exact, any letter case) — a legal ID never falls back
    to names, so no organisation can shadow another by taking its code as a name — or else by a
    name that exactly one active member has.
    """

    lines = forms.CharField(
        label="转让明细（每行一笔）", max_length=60000, error_messages={"required": "请至少填写一行"},
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "受让方统一社会信用代码或名称｜金额（元）｜转让协议编号\n"
                                                               "91150802MA0000001X，120,000.00，ZR-2026-001\n乙公司，30,000.00，ZR-2026-002"}),
        help_text="每行一家受让方，三项之间用制表符（可直接从 Excel 复制）、中文逗号“，”或竖线“|”分隔；全部成功或全部不办理。",
    )

    def clean_lines(self) -> list[tuple[int, int, str]]:
        """[(transferee id, amount in fen, agreement ref)]; errors name the item."""
        rows, problems = [], []
        lines = [raw for raw in self.cleaned_data["lines"].splitlines() if raw.strip()]
        for n, raw in enumerate(lines, 1):
            parts = [p.strip() for p in BATCH_SEPARATORS.split(raw)]
            if len(parts) != 3 or not all(parts):
                problems.append(f"第 {n} 笔应为“受让方，金额，协议编号”三项")
                continue
            try:
                amount = parse_yuan(parts[1])
            except MoneyError as exc:
                problems.append(f"第 {n} 笔金额：{exc.message}")
                continue
            rows.append((n, parts[0], amount, parts[2]))
        if problems:
            raise forms.ValidationError(problems[:10])
        if not rows:
            raise forms.ValidationError("请至少填写一行")
        codes = {r[1].upper() for r in rows}
        # a text that is a legal ID (valid check digit, or any organisation's, whatever its status)
        # is looked up as one only
        taken = set(Organisation.objects.filter(legal_id__in=codes).values_list("legal_id", flat=True))
        is_code = {c for c in codes if c in taken or uscc.is_valid(c) or ric.is_valid(c)}
        members = active_counterparties()
        by_legal_id = {o.legal_id.upper(): o for o in members.filter(legal_id__in=is_code)}
        by_name: dict[str, list[Organisation]] = {}
        for o in members.filter(name__in={r[1] for r in rows if r[1].upper() not in is_code}):
            by_name.setdefault(o.name, []).append(o)
        out = []
        for n, who, amount, ref in rows:
            if who.upper() in is_code:
                found = by_legal_id.get(who.upper())
                if found is None:
                    problems.append(f"第 {n} 笔受让方“{who}”不存在或不是正常状态的会员")
                    continue
            else:
                named = by_name.get(who, [])
                if len(named) != 1:
                    problems.append(f"第 {n} 笔受让方“{who}”" + ("不存在或不是正常状态的会员" if not named else "有重名，请改填统一社会信用代码"))
                    continue
                found = named[0]
            out.append((found.pk, amount, ref))
        if problems:
            raise forms.ValidationError(problems[:10])
        return out


class DeclineForm(forms.Form):
    reason = forms.CharField(label="拒收原因", max_length=300, required=False)


class FeeRuleForm(forms.Form):
    op_type = forms.ChoiceField(label="业务类型", choices=OperationType.choices)
    rate_per_10k = forms.DecimalField(label="费率（‱）", max_digits=8, decimal_places=4, min_value=0)
    min_amount = YuanField(label="最低收费（元）", required=False, allow_zero=True)
    max_amount = YuanField(label="最高收费（元，可空）", required=False, allow_zero=True)
    payer = forms.ChoiceField(label="付费方", choices=FeePayer.choices)
    effective_date = forms.DateField(label="生效日期", widget=DateInput)


class ConfigForm(forms.Form):
    min_unit = YuanField(label="最小拆分单位（元）")
    offer_days = forms.IntegerField(label="受让方接收期限（天）", min_value=1, max_value=60)
