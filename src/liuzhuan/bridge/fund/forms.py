"""Page forms for the fund (principal, target, warning line, suspension, resumption, LPR, fee
settings), and the small pieces every stage's forms use (date input, text area, note, reason).

Field names match the action's ``DomainError.field`` so ``run_action`` puts each Chinese message
under the field it is about. Amounts are typed in yuan (``YuanField`` → integer fen); the rules
themselves are checked by the actions, not here.
"""

from __future__ import annotations

from django import forms

from liuzhuan.core.forms import DateInput, YuanField

from ..models.fund import DayBasis, PrincipalKind
from .rules import SUSPEND_THRESHOLD_PERCENT


def date_field(label: str, **kw) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), **kw)


def text_area(label: str, rows: int = 3, **kw) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), **kw)


class NoteForm(forms.Form):
    note = forms.CharField(label="意见", max_length=500, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=500)


class LprForm(forms.Form):
    effective_date = date_field("生效日")
    lpr_1y = forms.CharField(label="一年期 LPR（%）", max_length=10)
    lpr_5y = forms.CharField(label="五年期以上 LPR（%）", max_length=10)
    note = forms.CharField(label="说明", max_length=200, required=False)


class RatesForm(forms.Form):
    day_basis = forms.TypedChoiceField(label="计息基准", choices=DayBasis.choices, coerce=int)
    self_daily_rate = forms.CharField(label="自营日利率（小数，如 0.0003；留空按法定上限）", max_length=20, required=False)
    entrusted_multiplier = forms.CharField(label="委托业务 LPR 倍数", max_length=10, initial="1")
    penalty_annual_rate = forms.CharField(label="逾期违约金年利率（小数，如 0.10）", max_length=12)
    note = forms.CharField(label="说明", max_length=300, required=False)


class PrincipalForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=PrincipalKind.choices)
    amount_fen = YuanField(label="金额（元）")
    effective_on = date_field("生效日期")
    document_no = forms.CharField(label="文件/凭证号", max_length=100)
    note = forms.CharField(label="说明", max_length=300, required=False)


class TargetForm(forms.Form):
    annual_turnover_target = forms.CharField(label="年度周转率考核目标（次）", max_length=10)
    note = forms.CharField(label="说明", max_length=200, required=False)


class WarnLevelForm(forms.Form):
    warn_percent = forms.IntegerField(label=f"风险预警线（%，低于 {SUSPEND_THRESHOLD_PERCENT}% 暂停线）", min_value=1,
                                      max_value=SUSPEND_THRESHOLD_PERCENT - 1)
    note = forms.CharField(label="说明", max_length=200, required=False)


class RegionForm(forms.Form):
    region_code = forms.CharField(label="本市行政区划代码（2、4 或 6 位，与统一社会信用代码第 3–8 位比较）", max_length=6)
    note = forms.CharField(label="说明", max_length=200, required=False)


class ResumeDecideForm(forms.Form):
    approve = forms.TypedChoiceField(label="批复", choices=[("1", "批准恢复"), ("0", "不批准")], coerce=lambda v: v == "1")
    note = forms.CharField(label="批复意见", max_length=500, required=False)
