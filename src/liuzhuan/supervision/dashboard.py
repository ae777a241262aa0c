"""The oversight dashboards' figures: one set of sections, each a bounded number of aggregate
queries; a department's dashboard is the sections it needs (``departments.py``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
from django.utils import timezone

from liuzhuan.bridge.fund import queries as fund_queries
from liuzhuan.bridge.models.application import Application
from liuzhuan.bridge.models.reports import QuarterlyReport, ReportStatus
from liuzhuan.certificates.fees.queries import fee_statement, fee_totals
from liuzhuan.certificates.ledger.models import (
    Certificate,
    CertificateStatus,
    OfferStatus,
    Piece,
    Transfer,
)
from liuzhuan.certificates.offset.models import (
    OPEN_OFFSET_STATUSES,
    OffsetApplication,
    OffsetKind,
    OffsetStatus,
)
from liuzhuan.core.errors import DomainError
from liuzhuan.core.months import MonthOf, month_end, monthly, months_back, since
from liuzhuan.core.roles import Role
from liuzhuan.members.classification import INDUSTRIES, SIZES, UNKNOWN
from liuzhuan.members.models import Organisation, OrgStatus, User
from liuzhuan.setoff import queries as setoff_queries

from .actions import require_oversight
from .filters import LOAN_GROUPS, PIECE_GROUPS, CertificateFilter, LoanFilter, PieceFilter, describe

#: kept for callers of the first dashboard: the piece figures (key, label, statuses)
PIECE_FIGURES = PIECE_GROUPS


def _quarters(months: list[dt.date], series: dict[str, list[int]]) -> dict:
    """The monthly series summed by calendar quarter (the first quarter may be partial)."""
    labels: list[str] = []
    bounds: list[list[str]] = []
    index: list[int] = []
    for m in months:
        label = f"{m.year}Q{(m.month - 1) // 3 + 1}"
        if not labels or labels[-1] != label:
            labels.append(label)
            bounds.append([m.isoformat(), month_end(m).isoformat()])
        else:
            bounds[-1][1] = month_end(m).isoformat()
        index.append(len(labels) - 1)
    out: dict = {"quarters": labels, "quarter_bounds": bounds}
    for key, values in series.items():
        q = [0] * len(labels)
        for i, v in zip(index, values, strict=True):
            q[i] += v
        out[f"{key}_q"] = q
    return out


# --- sections ---------------------------------------------------------------------------------

def certificates_section(today: dt.date) -> dict:
    soon = Q(status=CertificateStatus.ACTIVE, maturity_date__gte=today, maturity_date__lte=today + dt.timedelta(days=30))
    overdue = Q(status=CertificateStatus.ACTIVE, overdue_since__isnull=False)
    certs = Certificate.objects.order_by().aggregate(
        issued=Count("pk"), issued_fen=Sum("face_fen", default=0),
        maturing30=Count("pk", filter=soon), maturing30_fen=Sum("face_fen", default=0, filter=soon),
        overdue=Count("pk", filter=overdue), overdue_fen=Sum("face_fen", default=0, filter=overdue),
        extended=Count("pk", filter=Q(extension_count__gt=0)),
        extended_fen=Sum("face_fen", default=0, filter=Q(extension_count__gt=0)),
        settled=Count("pk", filter=Q(status=CertificateStatus.SETTLED)),
        settled_fen=Sum("face_fen", default=0, filter=Q(status=CertificateStatus.SETTLED)),
        voided=Count("pk", filter=Q(status=CertificateStatus.VOIDED)),
        voided_fen=Sum("face_fen", default=0, filter=Q(status=CertificateStatus.VOIDED)),
    )
    piece_aggs = {}
    for key, _label, statuses in PIECE_GROUPS:
        piece_aggs[key] = Count("pk", filter=Q(status__in=statuses))
        piece_aggs[f"{key}_fen"] = Sum("amount_fen", default=0, filter=Q(status__in=statuses))
    piece_aggs["split"] = Count("pk", filter=Q(origin="split"))
    piece_aggs["split_fen"] = Sum("amount_fen", default=0, filter=Q(origin="split"))
    pieces = Piece.objects.order_by().aggregate(**piece_aggs)
    piece_rows = [{"key": key, "label": label, "count": pieces[key], "fen": pieces[f"{key}_fen"]}
                  for key, label, _s in PIECE_GROUPS]
    return {"certs": certs, "pieces": piece_rows, "split": {"count": pieces["split"], "fen": pieces["split_fen"]}}


def fees_section(today: dt.date) -> dict:
    return {"fees": fee_totals(fee_statement(None, today=today), today)}


def setoff_section(today: dt.date) -> dict:
    return {"setoff": setoff_queries.overview(), "last_run": setoff_queries.runs().first()}


def bridge_section(today: dt.date) -> dict:
    bridge = fund_queries.overview(today)
    aggs = {}
    for key, _label, statuses in LOAN_GROUPS:
        aggs[key] = Count("pk", filter=Q(status__in=statuses))
        aggs[f"{key}_fen"] = Sum("amount_fen", default=0, filter=Q(status__in=statuses))
    loans = Application.objects.order_by().aggregate(**aggs)
    loan_rows = [{"key": key, "label": label, "count": loans[key], "fen": loans[f"{key}_fen"]}
                 for key, label, _s in LOAN_GROUPS]
    reports = QuarterlyReport.objects.order_by().aggregate(
        total=Count("pk"), late=Count("pk", filter=Q(status=ReportStatus.DRAFT, due_date__lt=today)),
        submitted=Count("pk", filter=Q(status__in=[ReportStatus.SUBMITTED, ReportStatus.ACKNOWLEDGED])))
    return {"bridge": bridge, "loans": loan_rows, "reports": reports}


def offset_section(today: dt.date) -> dict:
    """Certificates offset against assets (houses among them) and consumption: the housing and
    market departments' share of the certificate business."""
    rows = []
    for kind, label in OffsetKind.choices:
        agg = OffsetApplication.objects.filter(kind=kind).order_by().aggregate(
            open=Count("pk", filter=Q(status__in=OPEN_OFFSET_STATUSES)),
            open_fen=Sum("amount_fen", default=0, filter=Q(status__in=OPEN_OFFSET_STATUSES)),
            done=Count("pk", filter=Q(status=OffsetStatus.COMPLETED)),
            done_fen=Sum("amount_fen", default=0, filter=Q(status=OffsetStatus.COMPLETED)))
        rows.append({"kind": kind, "label": label, **agg})
    return {"offsets": rows}


def members_section(today: dt.date) -> dict:
    """Active members by industry and by size (the market regulator's view of who uses certificates)."""
    members = Organisation.objects.filter(status=OrgStatus.ACTIVE, roles__role=Role.MEMBER).order_by()
    industry = dict(INDUSTRIES)
    size = dict(SIZES)
    by_industry = [{"key": k or "", "label": industry.get(k, UNKNOWN), "count": n}
                   for k, n in members.values_list("industry").annotate(n=Count("pk")).values_list("industry", "n")]
    by_size = [{"key": k or "", "label": size.get(k, UNKNOWN), "count": n}
               for k, n in members.values_list("enterprise_size").annotate(n=Count("pk")).values_list("enterprise_size", "n")]
    by_industry.sort(key=lambda r: -r["count"])
    return {"member_industry": by_industry, "member_size": by_size}


def trends_section(today: dt.date) -> dict:
    months = months_back(today)
    start = months[0]
    # grouped by MonthOf, not TruncMonth: on SQLite the latter is a Python call per row (core/months.py)
    issuance = list(Certificate.objects.filter(issue_date__gte=start).annotate(month=MonthOf("issue_date"))
                    .values("month").order_by("month").annotate(fen=Sum("face_fen")))
    transfers = list(Transfer.objects.filter(status=OfferStatus.ACCEPTED, decided_at__gte=since(start))
                     .annotate(month=MonthOf("decided_at")).values("month").order_by("month")
                     .annotate(fen=Sum("amount_fen"), n=Count("pk")))
    disbursed = list(fund_queries.disbursed_between(start, today).annotate(month=MonthOf("disbursed_on"))
                     .values("month").order_by("month").annotate(fen=Sum("amount_fen")))
    series = {
        "issuance_fen": monthly(issuance, months, "fen"),
        "transfer_fen": monthly(transfers, months, "fen"),
        "transfer_count": monthly(transfers, months, "n"),
        "bridge_fen": monthly(disbursed, months, "fen"),
    }
    return {"trends": {"months": [m.strftime("%Y-%m") for m in months],
                       "month_bounds": [[m.isoformat(), month_end(m).isoformat()] for m in months],
                       **series, **_quarters(months, series)}}


SECTIONS = {
    "certificates": certificates_section,
    "fees": fees_section,
    "setoff": setoff_section,
    "bridge": bridge_section,
    "offset": offset_section,
    "members": members_section,
    "trends": trends_section,
}


def figures(actor: User, today: dt.date | None = None, sections=None) -> dict:
    """The figures of ``sections`` (default: every one) as a template context."""
    require_oversight(actor)
    today = today or timezone.localdate()
    out: dict = {"industries": INDUSTRIES, "sizes": SIZES, "today": today}
    for key in sections or SECTIONS:
        if key in SECTIONS:
            out.update(SECTIONS[key](today))
    return out


# --- the lists behind the figures ----------------------------------------------------------------

def _filtered(filterset_class, params, queryset) -> tuple:
    fs = filterset_class(params or None, queryset=queryset)
    if fs.is_bound and not fs.is_valid():
        problems = "；".join(f"{fs.filters[name].label}：{'，'.join(errs)}" for name, errs in fs.errors.items())
        raise DomainError("invalid_filter", f"筛选条件有误（{problems}）", field=next(iter(fs.errors)))
    return fs.qs, describe(fs), fs


def certificate_list(actor: User, params) -> tuple:
    """(certificates matching the filter in ``params``, the filter in words); a bad filter raises
    DomainError naming the first wrong field."""
    require_oversight(actor)
    qs, text, _fs = _filtered(CertificateFilter, params,
                              Certificate.objects.select_related("creditor", "debtor").order_by("-id"))
    return qs, text


def piece_list(actor: User, params) -> tuple:
    require_oversight(actor)
    qs, text, _fs = _filtered(PieceFilter, params,
                              Piece.objects.select_related("holder", "certificate").order_by("-id"))
    return qs, text


def loan_list(actor: User, params) -> tuple:
    require_oversight(actor)
    qs, text, _fs = _filtered(LoanFilter, params,
                              Application.objects.select_related("applicant", "bank").order_by("-id"))
    return qs, text
