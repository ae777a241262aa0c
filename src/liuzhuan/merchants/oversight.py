"""The merchants' panel on the departments' dashboards (found by supervision through
``core.discovery``; see ``supervision/departments.py`` for the contract). Aggregates only."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum
from django.urls import reverse

from .models import CatalogueItem, Order, OrderStatus, PayMode
from .queries import approved_profiles


def figures(today: dt.date) -> list[dict]:
    oversight = reverse("merchants:oversight")
    settled = {m: (n, t or 0) for m, n, t in Order.objects.filter(status=OrderStatus.SETTLED).values_list("mode")
               .annotate(n=Count("pk"), t=Sum("total_fen")).order_by()}
    month = Order.objects.filter(status=OrderStatus.SETTLED, settlement__settled_at__date__gte=today.replace(day=1)).aggregate(
        n=Count("pk"), t=Sum("total_fen"))
    return [
        {"label": "已核准特约商户", "count": approved_profiles().count(), "fen": None, "url": oversight},
        {"label": "在售商品及服务", "count": CatalogueItem.objects.filter(on_shelf=True).count(), "fen": None, "url": oversight},
        *({"label": f"已结算订单（{PayMode(m).label}）", "count": settled.get(m, (0, 0))[0], "fen": settled.get(m, (0, 0))[1],
           "url": oversight} for m in PayMode.values),
        {"label": "本月已结算", "count": month["n"], "fen": month["t"] or 0, "url": oversight},
        {"label": "待商户结算订单", "count": Order.objects.filter(status=OrderStatus.PENDING).count(), "fen": None, "url": oversight},
    ]


PANELS = [{"key": "market", "title": "特约商户与消费抵付", "figures": figures}]
