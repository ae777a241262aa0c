"""Form helpers: run an action and turn a DomainError into a Chinese form error."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms

from .errors import DomainError, DomainErrors
from .money import MoneyError, parse_yuan

T = TypeVar("T")


def run_action(form: forms.Form, fn: Callable[[], T]) -> T | None:
    """Call ``fn``; on DomainError attach the message to the named field (or the form), each of
    them for ``DomainErrors``."""
    try:
        return fn()
    except DomainError as exc:
        for error in exc.errors if isinstance(exc, DomainErrors) else [exc]:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
        return None


ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """A browser date picker. Its value must be ISO (``2026-12-04``): the zh-hans locale's first
    input format is ``2026/12/04``, which ``<input type="date">`` shows as blank and submits empty."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format=format or ISO_DATE)


class YuanField(forms.CharField):
    """An amount typed in yuan ("12,345.67"); cleans to integer fen."""

    def __init__(self, *args, allow_zero: bool = False, **kwargs):
        self.allow_zero = allow_zero
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "例如 12,345.67"}))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return parse_yuan(value, allow_zero=self.allow_zero)
        except MoneyError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
