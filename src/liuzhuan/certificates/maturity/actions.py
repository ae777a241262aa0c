"""Maturity and extension (展期), a daily job: matured certificates are extended under their
clause when the agreed conditions hold — only the unpaid pieces move; pieces already ended keep
the maturity they ended under — or marked overdue; holders and the debtor are reminded before
maturity. The debtor's application and a holder's objection, which the conditions read, are
filed here too."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import Conflict, DomainError, NotFound
from liuzhuan.core.money import format_yuan
from liuzhuan.members.actions import notify

from ..ledger.checks import member_actor
from ..ledger.models import HOLDING_STATUSES, Certificate, CertificateStatus, Piece
from ..ledger.pieces import settle_if_done
from ..ledger.queries import holders_of
from ..ledger.rules import EXTENSION_CONDITIONS
from . import rules
from .models import CertificateExtension, ExtensionNotice, ExtensionNoticeKind

REMINDER_DAYS = 7


def _outstanding(cert: Certificate) -> int:
    return Piece.objects.filter(certificate=cert, status__in=HOLDING_STATUSES).aggregate(t=Sum("amount_fen"))["t"] or 0


def _notify_cert_parties(cert: Certificate, title: str, body: str, kind: str) -> None:
    seen = set()
    for org in [*holders_of(cert), cert.debtor]:
        if org.pk not in seen:
            seen.add(org.pk)
            notify(org, title, body, obj=cert, kind=kind)


def _unmet(cert: Certificate, conditions: list[str], maturity: dt.date) -> tuple[str, ...]:
    """The clause's agreed conditions that do not hold for ``maturity``."""
    if not conditions:
        return ()
    kinds = set(ExtensionNotice.objects.filter(certificate=cert, for_maturity=maturity).values_list("kind", flat=True))
    in_default = Certificate.objects.filter(debtor_id=cert.debtor_id, status=CertificateStatus.ACTIVE,
                                            overdue_since__isnull=False).exclude(pk=cert.pk).exists()
    return rules.unmet_conditions(conditions, applied=ExtensionNoticeKind.REQUEST in kinds,
                                  disputed=ExtensionNoticeKind.DISPUTE in kinds, debtor_in_default=in_default)


def file_extension_notice(actor, cert_id: int, kind: str, reason: str = "") -> ExtensionNotice:
    """The debtor applies for the extension (展期申请), or a holder objects to it (展期异议), for the
    certificate's current maturity, up to and on that day. Only where the clause makes the
    extension depend on it."""
    org = member_actor(actor)
    if kind not in ExtensionNoticeKind.values:
        raise DomainError("notice_kind_invalid", "类型应为展期申请或展期异议", field="kind")
    reason = (reason or "").strip()
    if len(reason) > 300 or not reason.isprintable():
        raise DomainError("reason_invalid", "说明不能超过300个字且不能含控制字符", field="reason")
    if kind == ExtensionNoticeKind.DISPUTE and not reason:
        raise DomainError("reason_required", "请填写异议理由", field="reason")
    today = today_china()
    with transaction.atomic():
        cert = Certificate.objects.select_for_update(of=("self",)).select_related("application").filter(pk=cert_id).first()
        is_holder = cert is not None and Piece.objects.filter(certificate=cert, holder=org, status__in=HOLDING_STATUSES).exists()
        if cert is None or (cert.debtor_id != org.pk and not is_holder):
            raise NotFound("凭证不存在")
        if kind == ExtensionNoticeKind.REQUEST and cert.debtor_id != org.pk:
            raise DomainError("debtor_only", "展期申请须由债务人提出", field="kind")
        if kind == ExtensionNoticeKind.DISPUTE and not is_holder:
            raise DomainError("holder_only", "展期异议须由凭证持有人提出", field="kind")
        app = cert.application
        wanted = "applied" if kind == ExtensionNoticeKind.REQUEST else "no_dispute"
        if not app.extension_days or wanted not in app.extension_conditions:
            raise DomainError("condition_not_agreed", f"该凭证的展期条款未约定“{EXTENSION_CONDITIONS[wanted]}”，无需办理", field="kind")
        if cert.status != CertificateStatus.ACTIVE:
            raise Conflict("certificate_inactive", f"凭证当前状态为“{cert.get_status_display()}”，不能办理")
        if cert.overdue_since or cert.maturity_date < today:
            raise DomainError("past_maturity", f"已过到期日 {cert.maturity_date:%Y-%m-%d}，不能再提出", field="kind")
        if cert.extension_count >= (app.extension_max or 0):
            raise DomainError("extensions_used", "展期次数已用完", field="kind")
        if ExtensionNotice.objects.filter(certificate=cert, for_maturity=cert.maturity_date, kind=kind, org=org).exists():
            raise Conflict("notice_filed", f"本机构已就到期日 {cert.maturity_date:%Y-%m-%d} 提出过")
        notice = ExtensionNotice.objects.create(certificate=cert, for_maturity=cert.maturity_date, kind=kind, org=org, reason=reason,
                                                filed_by=actor, filed_at=timezone.now())
        label = notice.get_kind_display()
        _notify_cert_parties(cert, f"凭证 {cert.number}：{label}", (
            f"{org.name} 就到期日 {cert.maturity_date:%Y-%m-%d} 提出{label}" + (f"：{reason}" if reason else "。")), "extension_notice")
        audit.record(actor, "certificate.extension_notice", notice, summary={
            "number": cert.number, "kind": kind, "for_maturity": cert.maturity_date.isoformat(), "reason": reason})
        return notice


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
                                       extension_max=app.extension_max, extensions_used=cert.extension_count,
                                       unmet_on=lambda day, cert=cert, app=app: _unmet(cert, app.extension_conditions, day))
            if plan.extensions:
                # only the unpaid pieces are extended: every piece already ended keeps the maturity it ended under
                Piece.objects.filter(certificate=cert, maturity_date__isnull=True).exclude(status__in=HOLDING_STATUSES).update(
                    maturity_date=plan.extensions[0][0])
                unpaid = list(Piece.objects.filter(certificate=cert, status__in=HOLDING_STATUSES).order_by("pk").values_list("number", flat=True))
            for from_date, to_date in plan.extensions:
                cert.extension_count += 1
                ext = CertificateExtension.objects.create(certificate=cert, seq=cert.extension_count, from_date=from_date, to_date=to_date,
                                                          run_date=today, outstanding_fen=outstanding, extended_pieces=unpaid)
                audit.record("system:daily", "certificate.extend", cert, summary={
                    "number": cert.number, "seq": ext.seq, "from": from_date.isoformat(), "to": to_date.isoformat(),
                    "outstanding_fen": outstanding, "max": app.extension_max, "pieces": unpaid,
                    "conditions": app.extension_conditions})
                extended += 1
            cert.maturity_date = plan.maturity
            if plan.extensions:
                _notify_cert_parties(cert, f"凭证 {cert.number} 已自动展期", (
                    f"到期未获全部清偿（未清偿 {format_yuan(outstanding)}），按展期条款未清偿部分自动展期至 {plan.maturity:%Y-%m-%d}"
                    f"（第 {cert.extension_count} 次，最多 {app.extension_max} 次）。展期后可继续流转或申请抵付。"), "extension")
            if plan.overdue_since:
                cert.overdue_since = plan.overdue_since
                if plan.unmet:
                    why = "不符合约定的展期情形（" + "；".join(plan.unmet) + "）"
                else:
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
