"""Form pieces every certificates page uses."""

from __future__ import annotations

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"


class ReasonForm(forms.Form):
    reason = forms.CharField(label="说明", max_length=300, required=False)
