"""The housing pool's panel on the departments' dashboards (found by supervision through
``core.discovery``; see ``supervision/departments.py`` for the contract). Aggregates only."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum
from django.urls import reverse

from .models import HousingTransaction, TxKind, TxStatus, Unit, UnitStatus


def figures(today: dt.date) -> list[dict]:
    pool, txs = reverse("housing:pool"), reverse("housing:transactions")
    units = dict(((s, (n, t or 0)) for s, n, t in Unit.objects.values_list("status").annotate(n=Count("pk"), t=Sum("valuation_fen"))
                  .order_by()))
    done = {k: (n, t or 0) for k, n, t in HousingTransaction.objects.filter(status=TxStatus.COMPLETED).values_list("kind")
            .annotate(n=Count("pk"), t=Sum("price_fen")).order_by()}
    open_n = HousingTransaction.objects.exclude(status__in=[TxStatus.COMPLETED, TxStatus.CANCELLED]).count()
    out = [{"label": f"房源{UnitStatus(s).label}", "count": units.get(s, (0, 0))[0], "fen": units.get(s, (0, 0))[1],
            "url": f"{pool}?status={s}"} for s in (UnitStatus.IN_POOL, UnitStatus.RESERVED, UnitStatus.SOLD)]
    out += [{"label": f"{TxKind(k).label}（已完成）", "count": done.get(k, (0, 0))[0], "fen": done.get(k, (0, 0))[1],
             "url": f"{txs}?kind={k}&status={TxStatus.COMPLETED}"} for k in TxKind.values]
    out.append({"label": "办理中的房源业务", "count": open_n, "fen": None, "url": txs})
    return out


PANELS = [{"key": "housing", "title": "存量房盘活（房源池去化）", "figures": figures}]
