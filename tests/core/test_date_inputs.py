"""Every date field of every page form renders an ISO value, which Chromium's date picker shows.

The zh-hans locale's first input format is ``%Y/%m/%d``; a date input given ``2026/12/04`` shows
blank and submits empty ("这个字段是必填项"). The shared ``core.forms.DateInput`` renders ISO.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil

from django import forms

import liuzhuan
from liuzhuan.core.forms import DateInput

DAY = dt.date(2026, 12, 4)


def _form_modules():
    for info in pkgutil.walk_packages(liuzhuan.__path__, "liuzhuan."):
        if info.name.rsplit(".", 1)[-1] == "forms":
            yield importlib.import_module(info.name)


def _form_classes():
    seen = set()
    for module in _form_modules():
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                seen.add(value)
    return sorted(seen, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _date_fields():
    for cls in _form_classes():
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
                yield cls, name, field


def test_the_walk_finds_the_known_date_fields():
    found = {f"{c.__module__.split('.')[-2]}.{c.__name__}.{n}" for c, n, _ in _date_fields()}
    # one per package that has dates, so the walk cannot silently find nothing
    assert {"pledge.PledgeForm.start_date", "pledge.RegisterPledgeForm.registration_date", "setoff.ObligationForm.due_date",
            "revenue.InterestForm.period_start", "fees.FeeRuleForm.effective_date"} <= found, found
    assert len(found) >= 25


def test_every_date_field_renders_iso_in_a_date_input(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    bad = []
    for cls, name, field in _date_fields():
        html = field.widget.render(name, DAY)
        if not isinstance(field.widget, DateInput) or 'type="date"' not in html or 'value="2026-12-04"' not in html:
            bad.append(f"{cls.__module__}.{cls.__name__}.{name}: {html}")
    assert not bad, "\n".join(bad)


def test_a_bound_form_with_an_initial_date_renders_iso(settings):
    from liuzhuan.certificates.pledge.forms import RegisterPledgeForm

    settings.LANGUAGE_CODE = "zh-hans"
    html = str(RegisterPledgeForm(initial={"registration_date": DAY})["registration_date"])
    assert 'value="2026-12-04"' in html and "2026/12/04" not in html
    # and the ISO value posts back as the same day
    form = RegisterPledgeForm({"registration_no": "", "registration_date": "2026-12-04"})
    assert form.is_valid() and form.cleaned_data["registration_date"] == DAY
