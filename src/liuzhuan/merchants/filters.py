"""Browsing the catalogue (django-filter): search, category, merchant, kind, price, in stock."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django.db.models import Q

from .models import CatalogueItem, ItemKind, ShopCategory


class ItemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="搜索")
    category = django_filters.ChoiceFilter(field_name="category", choices=ShopCategory.choices, label="类别", empty_label="全部类别")
    merchant = django_filters.NumberFilter(field_name="merchant_id", label="商户")
    kind = django_filters.ChoiceFilter(field_name="kind", choices=ItemKind.choices, label="类型", empty_label="商品和服务")
    max_price = django_filters.NumberFilter(method="price_at_most", label="最高单价（元）", min_value=0, max_digits=14, decimal_places=2)
    in_stock = django_filters.BooleanFilter(method="stocked", label="只看有货")

    class Meta:
        model = CatalogueItem
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.replace("\x00", "").strip()[:50]
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value) | Q(merchant__shop_name__icontains=value))

    def price_at_most(self, queryset, name, value):
        return queryset.filter(price_fen__lte=int(Decimal(value) * 100))

    def stocked(self, queryset, name, value):
        return queryset.filter(Q(stock__isnull=True) | Q(stock__gt=0)) if value else queryset
