"""The extension page's form: the debtor's application or a holder's objection."""

from __future__ import annotations

from django import forms

from .models import ExtensionNoticeKind


class ExtensionNoticeForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=ExtensionNoticeKind.choices)
    reason = forms.CharField(label="说明（异议须填写理由）", max_length=300, required=False)
