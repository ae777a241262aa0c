"""Page forms for recovery: the fraud declaration, the recovery plan, a measure taken."""

from __future__ import annotations

from django import forms

from ..fund.forms import date_field, text_area


class FraudForm(forms.Form):
    findings = text_area("认定事实（虚报、瞒报、骗取）", 4)
    legal_referral = text_area("追究法律责任/移送司法机关说明", 2, required=False)


class PlanForm(forms.Form):
    plan = text_area("追偿方案", 4)


class CaseActionForm(forms.Form):
    taken_on = date_field("日期")
    description = forms.CharField(label="追偿措施", max_length=500)
