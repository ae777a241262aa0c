"""Page forms for quarterly reports and the ledger filter."""

from __future__ import annotations

from django import forms

from ..fund.forms import date_field, text_area


class ReportGenerateForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label="季度", choices=[(1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")], coerce=int)


class ReportSubmitForm(forms.Form):
    narrative = text_area("使用管理情况及其他需要报告的情况", 6)


class ReportReviewForm(forms.Form):
    decision = forms.ChoiceField(label="处理结果", choices=[("acknowledge", "确认"), ("return", "退回修改")])
    note = forms.CharField(label="意见（退回时必填原因）", max_length=500, required=False)


class LedgerFilterForm(forms.Form):
    start = date_field("开始日期")
    end = date_field("结束日期")
