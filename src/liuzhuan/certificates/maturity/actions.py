"""Maturity and extension (展期), a daily job: matured certificates are extended under their
clause or marked overdue; holders and the debtor are reminded before maturity."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, Q, Sum

from liuzhuan.core import audit
from liuzhuan.core.money import format_yuan
from liuzhuan.members.actions import notify

from ..ledger.models import HOLDING_STATUSES, Certificate, CertificateStatus, Piece
from ..ledger.pieces import settle_if_done
from ..ledger.queries import holders_of
from . import rules
from .models import CertificateExtension

REMINDER_DAYS = 7


def _outstanding(cert: Certificate) -> int:
    return Piece.objects.filter(certificate=cert, status__in=HOLDING_STATUSES).aggregate(t=Sum("amount_fen"))["t"] or 0


def _notify_cert_parties(cert: Certificate, title: str, body: str, kind: str) -> None:
    seen = set()
    for org in [*holders_of(cert), cert.debtor]:
        if org.pk not in seen:
            seen.add(org.pk)
            notify(org, title, body, obj=cert, kind=kind)


def process_maturities(today: dt.date) -> dict:
    """Extend matured certificates under their clause, mark the rest overdue, remind before maturity.

    Idempotent: every step is decided from stored state (maturity, count, overdue flag, the
    maturity already reminded for), so a second run on the same day finds nothing to do.
    """
    extended = overdue = reminded = settled = 0
    due_ids = list(Certificate.objects.filter(status=CertificateStatus.ACTIVE, maturity_date__lt=today, overdue_since__isnull=True)
                   .order_by("pk").values_list("pk", flat=True))
    for cert_id in due_ids:
        with transaction.atomic():
            cert = Certificate.objects.select_for_update(of=("self",)).select_related("application", "debtor").get(pk=cert_id)
            if cert.status != CertificateStatus.ACTIVE or cert.maturity_date >= today or cert.overdue_since:
                continue
            outstanding = _outstanding(cert)
            if outstanding == 0:
                settled += settle_if_done("system:daily", cert)
                continue
            app = cert.application
            plan = rules.maturity_plan(cert.maturity_date, today, outstanding_fen=outstanding, extension_days=app.extension_days,
                                       extension_max=app.extension_max, extensions_used=cert.extension_count)
            for from_date, to_date in plan.extensions:
                cert.extension_count += 1
                ext = CertificateExtension.objects.create(certificate=cert, seq=cert.extension_count, from_date=from_date, to_date=to_date,
                                                          run_date=today, outstanding_fen=outstanding)
                audit.record("system:daily", "certificate.extend", cert, summary={
                    "number": cert.number, "seq": ext.seq, "from": from_date.isoformat(), "to": to_date.isoformat(),
                    "outstanding_fen": outstanding, "max": app.extension_max})
                extended += 1
            cert.maturity_date = plan.maturity
            if plan.extensions:
                _notify_cert_parties(cert, f"凭证 {cert.number} 已自动展期", (
                    f"到期未获全部清偿（未清偿 {format_yuan(outstanding)}），按展期条款自动展期至 {plan.maturity:%Y-%m-%d}"
                    f"（第 {cert.extension_count} 次，最多 {app.extension_max} 次）。展期后可继续流转或申请抵付。"), "extension")
            if plan.overdue_since:
                cert.overdue_since = plan.overdue_since
                why = "展期次数已用完" if app.extension_days else "凭证无展期条款"
                audit.record("system:daily", "certificate.overdue", cert, summary={
                    "number": cert.number, "maturity": plan.maturity.isoformat(), "overdue_since": plan.overdue_since.isoformat(),
                    "outstanding_fen": outstanding, "extensions_used": cert.extension_count, "why": why})
                _notify_cert_parties(cert, f"凭证 {cert.number} 已逾期", (
                    f"到期日 {plan.maturity:%Y-%m-%d} 未获全部清偿（未清偿 {format_yuan(outstanding)}），{why}，自 "
                    f"{plan.overdue_since:%Y-%m-%d} 起标记为逾期。逾期凭证仍可流转和申请抵付。"), "overdue")
                overdue += 1
            cert.save(update_fields=["extension_count", "maturity_date", "overdue_since"])
    soon = today + dt.timedelta(days=REMINDER_DAYS)
    remind_ids = list(Certificate.objects.filter(status=CertificateStatus.ACTIVE, maturity_date__gte=today, maturity_date__lte=soon)
                      .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("maturity_date"))).order_by("pk").values_list("pk", flat=True))
    for cert_id in remind_ids:
        with transaction.atomic():
            cert = Certificate.objects.select_for_update(of=("self",)).select_related("application", "debtor").get(pk=cert_id)
            if cert.reminded_for == cert.maturity_date or not rules.reminder_due(cert.maturity_date, today, REMINDER_DAYS):
                continue
            outstanding = _outstanding(cert)
            if not outstanding:
                continue
            cert.reminded_for = cert.maturity_date
            cert.save(update_fields=["reminded_for"])
            audit.record("system:daily", "certificate.maturity_reminder", cert, summary={
                "number": cert.number, "maturity": cert.maturity_date.isoformat(), "outstanding_fen": outstanding})
            _notify_cert_parties(cert, f"凭证 {cert.number} 将于 {cert.maturity_date:%Y-%m-%d} 到期", (
                f"未清偿 {format_yuan(outstanding)}。{cert.application.extension_label}；无展期条款或展期次数用完的，到期未清偿将标记为逾期。"), "maturity_reminder")
            reminded += 1
    return {"展期": extended, "逾期": overdue, "到期提醒": reminded, "结清": settled}
