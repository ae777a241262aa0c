"""Filters of the oversight lists (django-filter): period, industry and enterprise size."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.utils import timezone

from liuzhuan.certificates.ledger.models import Certificate, CertificateStatus
from liuzhuan.members.classification import INDUSTRIES, SIZES


class CertificateFilter(django_filters.FilterSet):
    issued_from = django_filters.DateFilter(field_name="issue_date", lookup_expr="gte", label="开具日期自")
    issued_to = django_filters.DateFilter(field_name="issue_date", lookup_expr="lte", label="开具日期至")
    industry = django_filters.ChoiceFilter(field_name="creditor__industry", choices=INDUSTRIES, label="债权人行业")
    size = django_filters.ChoiceFilter(field_name="creditor__enterprise_size", choices=SIZES, label="债权人规模")
    status = django_filters.ChoiceFilter(field_name="status", choices=CertificateStatus.choices, label="状态")
    matures_within = django_filters.NumberFilter(method="filter_matures_within", label="到期天数内", min_value=0)
    overdue = django_filters.BooleanFilter(field_name="overdue_since", lookup_expr="isnull", exclude=True, label="已逾期")

    class Meta:
        model = Certificate
        fields: list[str] = []

    def filter_matures_within(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(maturity_date__gte=today, maturity_date__lte=today + dt.timedelta(days=int(value)))


def describe(fs: django_filters.FilterSet) -> str:
    """The filter used, in words, for the export's title line."""
    if not fs.is_bound or not fs.is_valid():
        return ""
    parts = []
    for name, f in fs.filters.items():
        value = fs.form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        choices = dict(getattr(f, "extra", {}).get("choices") or [])
        parts.append(f"{f.label} {choices.get(value, value)}")
    return "，".join(parts)
