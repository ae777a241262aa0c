"""Pool list filters (django-filter): search, type, status, use, value range."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from liuzhuan.core.errors import DomainError
from liuzhuan.core.money import round_half_up_fen

from .models import HousingTransaction, TxKind, TxStatus, Unit, UnitKind, UnitStatus, UnitUse


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="搜索（编号、项目、楼栋、房号）")
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label="房源类型", empty_label="全部类型")
    status = django_filters.ChoiceFilter(choices=UnitStatus.choices, label="状态", empty_label="全部状态")
    use = django_filters.ChoiceFilter(choices=UnitUse.choices, label="用途", empty_label="全部用途")
    max_yuan = django_filters.NumberFilter(method="below", label="评估价不高于（元）", min_value=0)

    class Meta:
        model = Unit
        fields: list[str] = []

    def search(self, qs, _name, value):
        value = value.strip()[:50]
        return qs.filter(Q(number__icontains=value) | Q(project__icontains=value) | Q(building__icontains=value)
                         | Q(unit_no__icontains=value)) if value else qs

    def below(self, qs, _name, value):
        return qs.filter(valuation_fen__lte=round_half_up_fen(value * 100)) if value is not None else qs


class TransactionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="搜索（业务编号、房源）")
    kind = django_filters.ChoiceFilter(choices=TxKind.choices, label="业务类型", empty_label="全部业务")
    status = django_filters.ChoiceFilter(choices=TxStatus.choices, label="状态", empty_label="全部状态")

    class Meta:
        model = HousingTransaction
        fields: list[str] = []

    def search(self, qs, _name, value):
        value = value.strip()[:50]
        return qs.filter(Q(number__icontains=value) | Q(unit__number__icontains=value) | Q(unit__project__icontains=value)) if value else qs


def filtered(filterset, params: dict, queryset):
    """The API lists use the pages' filters: a value they do not know is a 400 naming the field,
    not a silently empty or unfiltered list."""
    fs = filterset({k: v for k, v in params.items() if v not in (None, "")}, queryset=queryset)
    if not fs.is_valid():
        field, errors = next(iter(fs.errors.items()))
        raise DomainError("filter_invalid", f"筛选条件“{fs.filters[field].label}”不正确：{'；'.join(errors)}", field=field)
    return fs.qs
