"""Who sees which unit and transaction; a unit's history; the pool dashboard's figures.

The housing entity sees what it manages; members see the units on offer and the transactions
they take part in; the operator, the regulator and the finance bureau see everything (read-only
for the last two). Not yours is not found."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q, QuerySet, Sum

from liuzhuan.certificates.ledger.models import CertificateStatus, Piece, PieceStatus
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import NotFound
from liuzhuan.core.models import AuditEvent
from liuzhuan.core.months import MonthOf, monthly, months_back, since
from liuzhuan.core.roles import Role
from liuzhuan.members.models import User
from liuzhuan.members.queries import sees_all

from . import rules
from .models import HousingTransaction, TxKind, TxStatus, Unit, UnitKind, UnitStatus


def visible_units(user: User) -> QuerySet[Unit]:
    qs = Unit.objects.select_related("owner", "manager", "asset")
    if sees_all(user):
        return qs
    org = user.organisation
    mine = Q(manager_id=org.pk) if org.has_role(Role.HOUSING) else Q(pk__in=[])
    if org.has_role(Role.MEMBER):  # the pool on offer, and units of the member's own transactions
        mine |= Q(status=UnitStatus.IN_POOL) | Q(owner_id=org.pk) | Q(transactions__in=visible_transactions(user))
    return qs.filter(mine).distinct()


def get_unit(user: User, unit_id: int) -> Unit:
    unit = visible_units(user).filter(pk=unit_id).first()
    if unit is None:
        raise NotFound("房源不存在")
    return unit


def visible_transactions(user: User) -> QuerySet[HousingTransaction]:
    qs = HousingTransaction.objects.select_related("unit", "counterparty", "manager", "application")
    if sees_all(user):
        return qs
    org_id = user.organisation_id
    return qs.filter(Q(manager_id=org_id) | Q(counterparty_id=org_id) | Q(co_holders=org_id) | Q(shares__holder_id=org_id)).distinct()


def get_transaction(user: User, tx_id: int) -> HousingTransaction:
    tx = visible_transactions(user).filter(pk=tx_id).first()
    if tx is None:
        raise NotFound("盘活业务不存在")
    return tx


def history(unit: Unit) -> QuerySet[AuditEvent]:
    """Every audit event of the unit and of its transactions, oldest first."""
    tx_ids = [str(pk) for pk in unit.transactions.values_list("pk", flat=True)]
    return AuditEvent.objects.filter(Q(object_type="housing.unit", object_id=str(unit.pk))
                                     | Q(object_type="housing.housingtransaction", object_id__in=tx_ids)).order_by("seq")


def checklist(tx: HousingTransaction) -> list[dict]:
    """The required steps (with what was recorded) and any optional step recorded besides."""
    done = {s.step: s for s in tx.steps.select_related("recorded_by")}
    need = rules.required_steps(tx.kind, tx.unit.kind, tx.unit.mortgaged)
    rows = [{"code": c, "label": rules.STEP_LABELS[c], "required": True, "row": done.get(c)} for c in need]
    rows += [{"code": c, "label": rules.STEP_LABELS[c], "required": False, "row": r} for c, r in done.items() if c not in need]
    return rows


def dashboard(user: User) -> dict:
    """Units by type and status, the pool's value, what left it by certificate offset and by cash
    (by month, last twelve months)."""
    units = visible_units(user)
    by = defaultdict(lambda: defaultdict(int))
    for kind, status, n in units.values_list("kind", "status").annotate(n=Count("pk")).order_by():
        by[kind][status] = n
    grid = [{"label": UnitKind(k).label, "cells": [by[k][s] for s in UnitStatus.values], "total": sum(by[k].values())} for k in UnitKind.values]
    value = units.filter(status__in=[UnitStatus.IN_POOL, UnitStatus.RESERVED]).aggregate(t=Sum("valuation_fen"))["t"] or 0
    done = visible_transactions(user).filter(status=TxStatus.COMPLETED)
    absorbed = {k: done.filter(kind=k).aggregate(n=Count("pk"), t=Sum("price_fen")) for k in (TxKind.CERTIFICATE_OFFSET, TxKind.CASH_SALE)}
    months = months_back(today_china())
    kinds = (TxKind.CERTIFICATE_OFFSET, TxKind.CASH_SALE, TxKind.HANDOVER)
    rows = list(done.filter(completed_at__gte=since(months[0]), kind__in=kinds).annotate(month=MonthOf("completed_at"))
                .values("month", "kind").annotate(t=Sum("price_fen")).order_by())
    series = {k: monthly([r for r in rows if r["kind"] == k], months, "t") for k in kinds}
    credit = done.filter(kind=TxKind.CERTIFICATE_OFFSET).aggregate(t=Sum("shares__amount_fen"))["t"] or 0
    return {
        "grid": grid, "statuses": UnitStatus.labels, "pool_value_fen": value, "units": units.count(),
        "offset_n": absorbed[TxKind.CERTIFICATE_OFFSET]["n"], "offset_fen": absorbed[TxKind.CERTIFICATE_OFFSET]["t"] or 0,
        "cash_n": absorbed[TxKind.CASH_SALE]["n"], "cash_fen": absorbed[TxKind.CASH_SALE]["t"] or 0, "credit_fen": credit,
        "chart": {"months": [m.strftime("%Y-%m") for m in months], "offset_fen": series[TxKind.CERTIFICATE_OFFSET],
                  "cash_fen": series[TxKind.CASH_SALE], "handover_fen": series[TxKind.HANDOVER],
                  "kinds": [{"name": g["label"], "value": g["total"]} for g in grid]},
    }


def offerable_pieces(org_id: int, debtor_id: int):
    """The live pieces a holder has on certificates the housing entity owes."""
    return Piece.objects.filter(holder_id=org_id, status=PieceStatus.LIVE, certificate__debtor_id=debtor_id,
                                certificate__status=CertificateStatus.ACTIVE).order_by("id")[:200]
