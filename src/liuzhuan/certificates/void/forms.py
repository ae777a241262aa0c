"""Void forms: the reason, and the checker's decision."""

from __future__ import annotations

from django import forms


class VoidForm(forms.Form):
    reason = forms.CharField(label="作废理由（错误开具的情况）", max_length=500)


class VoidDecideForm(forms.Form):
    agree = forms.ChoiceField(label="复核", choices=[("yes", "同意作废"), ("no", "不同意，退回")])
    reason = forms.CharField(label="理由", max_length=300, required=False)
