"""The oversight dashboard's figures: a bounded number of aggregate queries over every business app."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from liuzhuan.bridge.fund import queries as fund_queries
from liuzhuan.certificates.fees.queries import fee_statement, fee_totals
from liuzhuan.certificates.ledger.models import (
    Certificate,
    CertificateStatus,
    OfferStatus,
    Piece,
    PieceStatus,
    Transfer,
)
from liuzhuan.core.errors import DomainError
from liuzhuan.members.classification import INDUSTRIES, SIZES
from liuzhuan.members.models import User
from liuzhuan.setoff import queries as setoff_queries

from .actions import require_oversight
from .filters import CertificateFilter, describe

#: piece statuses shown as key figures (label, statuses)
PIECE_FIGURES = [
    ("outstanding", "在途（持有中）", [PieceStatus.LIVE, PieceStatus.OFFERED, PieceStatus.OFFSETTING, PieceStatus.SELLING]),
    ("transferred", "已转让", [PieceStatus.TRANSFERRED]),
    ("pledged", "质押中", [PieceStatus.PLEDGED]),
    ("offset", "已抵付", [PieceStatus.OFFSET]),
    ("set_off", "已抵销", [PieceStatus.SET_OFF]),
    ("voided", "已作废", [PieceStatus.VOIDED]),
]


def months_back(today: dt.date, n: int = 12) -> list[dt.date]:
    """First days of the last ``n`` months, oldest first, ending with ``today``'s month."""
    y, m = today.year, today.month
    out = []
    for _ in range(n):
        out.append(dt.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def _series(rows, months: list[dt.date], key: str) -> list[int]:
    by = {}
    for r in rows:
        month = r["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        by[month.replace(day=1)] = r[key] or 0
    return [by.get(m, 0) for m in months]


def figures(actor: User, today: dt.date | None = None) -> dict:
    require_oversight(actor)
    today = today or timezone.localdate()
    certs = Certificate.objects.order_by().aggregate(
        issued=Count("pk"), issued_fen=Sum("face_fen", default=0),
        maturing30=Count("pk", filter=Q(status=CertificateStatus.ACTIVE, maturity_date__gte=today,
                                        maturity_date__lte=today + dt.timedelta(days=30))),
        maturing30_fen=Sum("face_fen", default=0, filter=Q(status=CertificateStatus.ACTIVE, maturity_date__gte=today,
                                                          maturity_date__lte=today + dt.timedelta(days=30))),
        overdue=Count("pk", filter=Q(status=CertificateStatus.ACTIVE, overdue_since__isnull=False)),
        overdue_fen=Sum("face_fen", default=0, filter=Q(status=CertificateStatus.ACTIVE, overdue_since__isnull=False)),
    )
    piece_aggs = {}
    for key, _label, statuses in PIECE_FIGURES:
        piece_aggs[key] = Count("pk", filter=Q(status__in=statuses))
        piece_aggs[f"{key}_fen"] = Sum("amount_fen", default=0, filter=Q(status__in=statuses))
    pieces = Piece.objects.order_by().aggregate(**piece_aggs)
    piece_rows = [{"key": key, "label": label, "count": pieces[key], "fen": pieces[f"{key}_fen"]}
                  for key, label, _s in PIECE_FIGURES]
    fees = fee_totals(fee_statement(None, today=today), today)
    setoff = setoff_queries.overview()
    last_run = setoff_queries.runs().first()
    bridge = fund_queries.overview(today)
    months = months_back(today)
    start = months[0]
    issuance = (Certificate.objects.filter(issue_date__gte=start).annotate(month=TruncMonth("issue_date"))
                .values("month").order_by("month").annotate(fen=Sum("face_fen")))
    transfers = (Transfer.objects.filter(status=OfferStatus.ACCEPTED, decided_at__date__gte=start)
                 .annotate(month=TruncMonth("decided_at")).values("month").order_by("month")
                 .annotate(fen=Sum("amount_fen"), n=Count("pk")))
    disbursed = (fund_queries.disbursed_between(start, today).annotate(month=TruncMonth("disbursed_on"))
                 .values("month").order_by("month").annotate(fen=Sum("amount_fen")))
    trends = {
        "months": [m.strftime("%Y-%m") for m in months],
        "issuance_fen": _series(issuance, months, "fen"),
        "transfer_fen": _series(transfers, months, "fen"),
        "transfer_count": _series(transfers, months, "n"),
        "bridge_fen": _series(disbursed, months, "fen"),
    }
    return {"industries": INDUSTRIES, "sizes": SIZES, "today": today, "certs": certs, "pieces": piece_rows, "fees": fees, "setoff": setoff,
            "last_run": last_run, "bridge": bridge, "trends": trends}


def certificate_list(actor: User, params) -> tuple:
    """(certificates matching the filter in ``params``, the filter in words); a bad filter raises
    DomainError naming the first wrong field."""
    require_oversight(actor)
    fs = CertificateFilter(params or None, queryset=Certificate.objects.select_related("creditor", "debtor").order_by("-id"))
    if fs.is_bound and not fs.is_valid():
        problems = "；".join(f"{fs.filters[name].label}：{'，'.join(errs)}" for name, errs in fs.errors.items())
        raise DomainError("invalid_filter", f"筛选条件有误（{problems}）", field=next(iter(fs.errors)))
    return fs.qs, describe(fs)
