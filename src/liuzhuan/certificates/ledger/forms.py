"""Form pieces every certificates page uses."""

from __future__ import annotations

from django import forms

from liuzhuan.core.forms import DateInput

from .rules import EXTENSION_CONDITIONS
from .scope import SCOPE_CHOICES

__all__ = ["DateInput", "ReasonForm", "ScopeField"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="说明", max_length=300, required=False)


class ScopeField(forms.MultipleChoiceField):
    """可抵付范围: asset categories and/or consumption, as check boxes (ledger/scope.py)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "可抵付范围（约定的资产类别或消费）")
        kwargs.setdefault("choices", SCOPE_CHOICES)
        kwargs.setdefault("error_messages", {"required": "请选择可抵付范围（资产类别或消费）"})
        super().__init__(**kwargs)


class ExtensionConditionsField(forms.MultipleChoiceField):
    """展期约定情形 of an extension clause, as check boxes (ledger.rules.EXTENSION_CONDITIONS)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "展期约定情形（可多选；均满足时未清偿部分才自动展期，不选则到期未清偿即展期）")
        kwargs.setdefault("choices", list(EXTENSION_CONDITIONS.items()))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

