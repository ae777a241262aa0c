"""Transfer forms: one transferee, a batch pasted line by line, a decline."""

from __future__ import annotations

import re

from django import forms
from stdnum.cn import ric, uscc

from liuzhuan.core.forms import YuanField
from liuzhuan.core.money import MoneyError, parse_yuan
from liuzhuan.members.forms import OrganisationField
from liuzhuan.members.models import Organisation
from liuzhuan.members.queries import active_counterparties

from ..fees.forms import FeeTermForm


class TransferForm(FeeTermForm):
    to_org = OrganisationField(label="受让方", queryset=Organisation.objects.none(), empty_label="请选择")
    amount = YuanField(label="转让金额（元）")
    agreement_ref = forms.CharField(label="转让协议编号", max_length=100)
    field_order = ["to_org", "amount", "agreement_ref", "fee_payer", "fee_share_pct"]

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
