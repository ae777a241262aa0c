"""Issuance: the joint application (both parties confirm), contract attachments, the operator's
review by maker and checker, and issuing the certificate with its first piece.

Each checks who is asking, validates, locks, writes, appends an audit event and notifies — in
one transaction; a ``DomainError`` means nothing changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied
from liuzhuan.core.money import format_yuan
from liuzhuan.core.numbers import next_number
from liuzhuan.core.permissions import require_checker, require_role
from liuzhuan.core.roles import Role
from liuzhuan.members.actions import notify, notify_role
from liuzhuan.members.models import Organisation, OrgStatus, User

from ..fees.charges import charge_fee
from ..fees.models import OperationType
from ..ledger import scope
from ..ledger.checks import Party, ceiling, member_actor, require_standing
from ..ledger.models import Certificate, Piece
from ..ledger.rules import extension_conditions
from ..ledger.uploads import check_upload, upload_limit
from .models import Application, ApplicationStatus, Attachment, ReviewAction, ReviewCheck
from .rules import GUARANTEE_MAX_CHARS, MAX_TERM_YEARS, REVIEW_CHECKS, latest_maturity, missing_checks


@dataclass(frozen=True)
class ApplicationInput:
    counterparty_id: int
    role: str  # "creditor" or "debtor": the acting organisation's side
    contract_no: str
    contract_title: str
    contract_date: dt.date
    amount_fen: int
    maturity_date: dt.date
    offset_scope: tuple[str, ...]  # ledger/scope.py codes: asset categories and/or "consumption"
    non_cash_declared: bool
    extension_days: int | None = None
    extension_max: int | None = None
    guarantee_text: str = ""
    purchase_commitment_ref: str = ""
    extension_conditions: tuple[str, ...] = ()  # ledger.rules.EXTENSION_CONDITIONS codes; only with a clause


def _validate_application(org: Organisation, data: ApplicationInput, today: dt.date) -> tuple[Organisation, Organisation]:
    if data.role not in ("creditor", "debtor"):
        raise DomainError("role_invalid", "请选择本机构在合同中的身份（债权人或债务人）", field="role")
    if data.counterparty_id == org.pk:
        raise DomainError("counterparty_self", "债权人与债务人不能是同一机构", field="counterparty_id")
    counterparty = Organisation.objects.filter(pk=data.counterparty_id, status=OrgStatus.ACTIVE, roles__role=Role.MEMBER).first()
    if counterparty is None:  # one message for unknown and inactive: ids reveal nothing about other organisations
        raise DomainError("counterparty_unavailable", "对方机构不存在或不是正常状态的会员", field="counterparty_id")
    if not data.non_cash_declared:
        raise DomainError(
            "cash_settlement_refused",
            "仅限债权债务双方协议约定以非货币方式清偿的债权；以现金兑付的债权不能申请开具凭证",
            field="non_cash_declared",
        )
    scope.normalise(data.offset_scope)  # structured: the manners (资产抵付 / 消费抵付) follow from it
    if not (data.contract_no or "").strip():
        raise DomainError("contract_no_required", "请填写基础合同编号", field="contract_no")
    if not (data.contract_title or "").strip():
        raise DomainError("contract_title_required", "请填写基础合同名称", field="contract_title")
    for field, label, limit in (("contract_no", "合同编号", 60), ("contract_title", "合同名称", 200),
                                ("purchase_commitment_ref", "第三方收购承诺", 200),
                                ("guarantee_text", "资产保障措施", GUARANTEE_MAX_CHARS)):
        if len(getattr(data, field) or "") > limit:
            raise DomainError(f"{field}_too_long", f"{label}不能超过{limit}个字", field=field)
    if data.contract_date > today:
        raise DomainError("contract_date_future", "合同签订日期不能晚于今天", field="contract_date")
    if data.amount_fen <= 0:
        raise DomainError("amount_not_positive", "债权金额必须大于零", field="amount_fen")
    if data.amount_fen > ceiling():
        raise DomainError("amount_too_large", f"债权金额超过上限 {format_yuan(ceiling())}", field="amount_fen")
    if data.maturity_date <= today:
        raise DomainError("maturity_past", "清偿期限必须晚于今天", field="maturity_date")
    if data.maturity_date > (latest := latest_maturity(today)):
        raise DomainError("maturity_too_far", f"清偿期限不能晚于 {latest:%Y-%m-%d}（自申请之日起至多 {MAX_TERM_YEARS} 年）",
                          field="maturity_date")
    if (data.extension_days is None) != (data.extension_max is None):
        raise DomainError("extension_incomplete", "展期条款须同时填写展期天数和最多展期次数", field="extension_days")
    if data.extension_days is not None:
        if not 1 <= data.extension_days <= 366:
            raise DomainError("extension_days_range", "展期天数应在 1–366 天之间", field="extension_days")
        if not 1 <= data.extension_max <= 12:
            raise DomainError("extension_max_range", "最多展期次数应在 1–12 次之间", field="extension_max")
    if extension_conditions(data.extension_conditions) and data.extension_days is None:
        raise DomainError("extension_conditions_without_clause", "未约定展期条款时不能选择展期情形", field="extension_conditions")
    if data.role == "creditor":
        return org, counterparty
    return counterparty, org


def _set_scope(app: Application, codes) -> None:
    app.offset_scope = scope.normalise(codes)
    app.settle_by_asset, app.settle_by_consumption = scope.manners(app.offset_scope)
    app.offset_scope_inferred = False


def _side(app: Application, org_id: int) -> str:
    if app.creditor_id == org_id:
        return "creditor"
    if app.debtor_id == org_id:
        return "debtor"
    raise NotFound("申请不存在")


def _confirm_side(app: Application, side: str, actor: User | None, now) -> None:
    setattr(app, f"{side}_confirmed_by", actor)
    setattr(app, f"{side}_confirmed_at", now)


def create_application(actor: User, data: ApplicationInput) -> Application:
    """Either party starts the joint application; its own side counts as confirmed."""
    org = member_actor(actor)
    today = today_china()
    creditor, debtor = _validate_application(org, data, today)
    with transaction.atomic():
        now = timezone.now()
        app = Application(
            number=next_number("SQ", today.year), creditor=creditor, debtor=debtor,
            contract_no=data.contract_no.strip(), contract_title=data.contract_title.strip(),
            contract_date=data.contract_date, amount_fen=data.amount_fen, maturity_date=data.maturity_date,
            non_cash_declared=True,
            extension_days=data.extension_days, extension_max=data.extension_max,
            extension_conditions=extension_conditions(data.extension_conditions),
            guarantee_text=data.guarantee_text.strip(), purchase_commitment_ref=data.purchase_commitment_ref.strip(),
            created_by=actor,
        )
        _set_scope(app, data.offset_scope)
        _confirm_side(app, data.role, actor, now)
        app.save()
        other = debtor if data.role == "creditor" else creditor
        notify(other, f"请确认凭证申请 {app.number}", f"{org.name} 发起了应收账款债权凭证联合申请，金额 {format_yuan(app.amount_fen)}，请核对基础合同后确认。", obj=app)
        audit.record(actor, "certificate.apply", app, summary={
            "number": app.number, "creditor": creditor.pk, "debtor": debtor.pk, "amount_fen": app.amount_fen,
            "maturity": app.maturity_date.isoformat(), "contract_no": app.contract_no,
        })
        return app


def _lock_application(app_id: int, org: Organisation | None) -> Application:
    app = Application.objects.select_for_update().filter(pk=app_id).first()
    if app is None or (org is not None and org.pk not in (app.creditor_id, app.debtor_id)):
        raise NotFound("申请不存在")
    return app


def _require_contract(app: Application) -> None:
    """The underlying contract both parties accept (双方认可的有效基础合同) is attached as a document."""
    if not app.attachments.exists():
        raise DomainError("contract_document_required",
                          "尚未上传基础合同文件：请先上传债权债务双方认可的基础合同（PDF/PNG/JPEG），再确认或审核",
                          field="attachments")


def confirm_application(actor: User, app_id: int) -> Application:
    """An authorised user of the creditor or the debtor confirms online, against the attached contract."""
    org = member_actor(actor)
    with transaction.atomic():
        app = _lock_application(app_id, org)
        if app.status != ApplicationStatus.DRAFT:
            raise DomainError("not_draft", f"申请当前状态为“{app.get_status_display()}”，不能确认")
        side = _side(app, org.pk)
        if getattr(app, f"{side}_confirmed_at"):
            raise DomainError("already_confirmed", "本机构已确认过该申请")
        _require_contract(app)
        _confirm_side(app, side, actor, timezone.now())
        if app.creditor_confirmed_at and app.debtor_confirmed_at:
            app.status = ApplicationStatus.SUBMITTED
        app.save()
        if app.status == ApplicationStatus.SUBMITTED:
            notify_role(Role.OPERATOR, f"凭证申请 {app.number} 待审核", f"债权人与债务人均已确认，金额 {format_yuan(app.amount_fen)}。", obj=app)
        audit.record(actor, "certificate.confirm", app, summary={"side": side, "status": app.status})
        return app


def withdraw_application(actor: User, app_id: int) -> Application:
    org = member_actor(actor)
    with transaction.atomic():
        app = _lock_application(app_id, org)
        if app.status not in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED, ApplicationStatus.SUBMITTED):
            raise DomainError("cannot_withdraw", f"申请当前状态为“{app.get_status_display()}”，不能撤回")
        before = app.status
        app.status = ApplicationStatus.WITHDRAWN
        app.save(update_fields=["status"])
        other = app.debtor if org.pk == app.creditor_id else app.creditor
        notify(other, f"凭证申请 {app.number} 已撤回", f"{org.name} 撤回了申请。", obj=app)
        audit.record(actor, "certificate.withdraw", app, summary={"before": before})
        return app


def resubmit_application(actor: User, app_id: int, data: ApplicationInput) -> Application:
    """After the operator returned it: edit, and both sides confirm again (the editor's side now)."""
    org = member_actor(actor)
    today = today_china()
    with transaction.atomic():
        app = _lock_application(app_id, org)
        if app.status not in (ApplicationStatus.RETURNED, ApplicationStatus.DRAFT):
            raise DomainError("not_editable", f"申请当前状态为“{app.get_status_display()}”，不能修改")
        side = _side(app, org.pk)
        if data.role != side:
            raise DomainError("role_mismatch", "不能改变本机构在申请中的身份", field="role")
        other_id = app.debtor_id if side == "creditor" else app.creditor_id
        if data.counterparty_id != other_id:
            raise DomainError("counterparty_fixed", "修改申请时不能更换对方机构，请撤回后重新申请", field="counterparty_id")
        _validate_application(org, data, today)
        for f in ("contract_no", "contract_title", "contract_date", "amount_fen", "maturity_date", "extension_days", "extension_max",
                  "guarantee_text", "purchase_commitment_ref"):
            value = getattr(data, f)
            setattr(app, f, value.strip() if isinstance(value, str) else value)
        app.extension_conditions = extension_conditions(data.extension_conditions)
        _set_scope(app, data.offset_scope)
        app.creditor_confirmed_by = app.debtor_confirmed_by = None
        app.creditor_confirmed_at = app.debtor_confirmed_at = None
        _confirm_side(app, side, actor, timezone.now())
        app.status = ApplicationStatus.DRAFT
        app.prepared_by = None
        app.prepared_action = ""
        app.prepared_at = None
        app.save()
        app.checks.filter(superseded_at__isnull=True).update(superseded_at=timezone.now())  # the terms may have changed
        notify(app.debtor if side == "creditor" else app.creditor, f"请重新确认凭证申请 {app.number}", "申请内容已修改，需要贵机构重新确认。", obj=app)
        audit.record(actor, "certificate.resubmit", app, summary={"amount_fen": app.amount_fen, "side": side})
        return app


def attachment_limit() -> int:
    """The largest contract attachment taken, in bytes (the operator's setting)."""
    return upload_limit()


def add_attachment(actor: User, app_id: int, name: str, content: bytes) -> Attachment:
    """Underlying-contract attachment: PDF/PNG/JPEG checked by content, size-checked, SHA-256 kept.

    A new document after the other party confirmed undoes that confirmation: each side confirms
    the contract documents as they stand."""
    org = member_actor(actor)
    upload = check_upload(content)
    digest = upload.sha256
    with transaction.atomic():
        app = _lock_application(app_id, org)
        if app.status not in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED):
            raise DomainError("not_editable", "申请已提交审核，不能再添加附件")
        if app.attachments.filter(sha256=digest).exists():
            raise DomainError("file_duplicate", "相同内容的附件已上传", field="file")
        stored = upload.save(f"attachments/{app.number}")
        att = Attachment.objects.create(
            application=app, file=stored, original_name=(name or f"附件.{upload.ext}")[:200], content_type=upload.content_type,
            size=upload.size, sha256=digest, uploaded_by=actor,
        )
        other_side = "debtor" if _side(app, org.pk) == "creditor" else "creditor"
        unconfirmed = app.status == ApplicationStatus.DRAFT and bool(getattr(app, f"{other_side}_confirmed_at"))
        if unconfirmed:
            _confirm_side(app, other_side, None, None)
            app.save(update_fields=[f"{other_side}_confirmed_by", f"{other_side}_confirmed_at"])
            notify(getattr(app, other_side), f"请重新确认凭证申请 {app.number}", f"{org.name} 上传了新的基础合同文件，请核对后重新确认。", obj=app)
        audit.record(actor, "certificate.attach", app, summary={"file": att.original_name, "sha256": digest, "size": upload.size,
                                                               "confirmation_undone": other_side if unconfirmed else None})
        return att


def _refuse_own_application(actor: User, app: Application) -> None:
    if actor.organisation_id in (app.creditor_id, app.debtor_id):
        raise PermissionDenied("运营机构不能审核本机构作为一方的申请", code="self_review")


def current_checks(app: Application) -> dict[str, ReviewCheck]:
    """The checklist items recorded for the application as it stands (superseded ones left out)."""
    rows = getattr(app, "current_checks", None)  # prefetched by queries.with_review_facts on lists
    if rows is None:
        rows = app.checks.filter(superseded_at__isnull=True).select_related("checked_by__organisation")
    return {c.item: c for c in rows}


def _require_approvable(app: Application) -> dict[str, ReviewCheck]:
    """An approval needs the contract document and every required checklist item."""
    _require_contract(app)
    checks = current_checks(app)
    if missing := missing_checks(checks):
        raise DomainError("review_check_missing", f"初审核查清单未完成：“{REVIEW_CHECKS[missing[0]]}”尚未核查记录，不能同意开具",
                          field=missing[0])
    return checks


def record_review_check(actor: User, app_id: int, item: str, note: str) -> ReviewCheck:
    """The operator's first reviewer records a checklist item — e.g. that the attached contract's
    settlement terms are non-cash — with the clause read; who and when are kept."""
    require_role(actor, Role.OPERATOR)
    if item not in REVIEW_CHECKS:
        raise DomainError("check_item_invalid", "核查项目不正确", field="item")
    note = (note or "").strip()
    if not note:
        raise DomainError("note_required", "请写明核查依据（如合同第几条约定以何种资产或消费抵付）", field="note")
    if len(note) > 300:
        raise DomainError("note_too_long", "核查依据不能超过300个字", field="note")
    with transaction.atomic():
        app = _lock_application(app_id, None)
        _refuse_own_application(actor, app)
        if app.status != ApplicationStatus.SUBMITTED:
            raise DomainError("not_submitted", f"申请当前状态为“{app.get_status_display()}”，不在待初审状态，不能记录核查")
        _require_contract(app)
        if item in current_checks(app):
            raise DomainError("check_recorded", f"“{REVIEW_CHECKS[item]}”已核查记录", field="item")
        check = ReviewCheck.objects.create(application=app, item=item, note=note, checked_by=actor)
        audit.record(actor, "certificate.review_check", app, summary={"item": item, "note": note})
        return check


def prepare_review(actor: User, app_id: int, action: str, reason: str = "") -> Application:
    """Operator reviewer (maker) prepares a decision; a different user decides."""
    require_role(actor, Role.OPERATOR)
    if action not in ReviewAction.values:
        raise DomainError("action_invalid", "审核意见不正确", field="action")
    reason = (reason or "").strip()
    if action != ReviewAction.APPROVE and not reason:
        raise DomainError("reason_required", "不予开具或退回时必须填写理由", field="reason")
    with transaction.atomic():
        app = _lock_application(app_id, None)
        _refuse_own_application(actor, app)
        if app.status != ApplicationStatus.SUBMITTED:
            raise DomainError("not_submitted", f"申请当前状态为“{app.get_status_display()}”，不在待初审状态")
        if not app.debtor_confirmed_at:  # defence in depth: SUBMITTED implies it
            raise DomainError("debtor_not_confirmed", "债务人尚未确认，不能审核")
        if action == ReviewAction.APPROVE:  # without them the maker may still reject or return it
            _require_approvable(app)
        app.prepared_by = actor
        app.prepared_action = action
        app.prepared_reason = reason
        app.prepared_at = timezone.now()
        app.status = ApplicationStatus.PREPARED
        app.save()
        notify_role(Role.OPERATOR, f"凭证申请 {app.number} 待复核", f"{actor.label} 初审意见：{app.get_prepared_action_display()}。复核人须为其他工作人员。", obj=app)
        audit.record(actor, "certificate.review_prepare", app, summary={"action": action, "reason": reason})
        return app


def decide_review(actor: User, app_id: int, agree: bool, reason: str = "") -> Application:
    """The checker agrees (the prepared decision takes effect) or sends it back to the maker."""
    require_role(actor, Role.OPERATOR)
    with transaction.atomic():
        app = _lock_application(app_id, None)
        _refuse_own_application(actor, app)
        if app.status != ApplicationStatus.PREPARED:
            raise DomainError("not_prepared", f"申请当前状态为“{app.get_status_display()}”，不在待复核状态")
        require_checker(app.prepared_by_id, actor)
        reason = (reason or "").strip()
        app.decided_by = actor
        app.decided_at = timezone.now()
        app.decision_reason = reason
        if not agree:
            if not reason:
                raise DomainError("reason_required", "复核不同意时必须填写理由", field="reason")
            app.status = ApplicationStatus.SUBMITTED
            app.save()
            audit.record(actor, "certificate.review_send_back", app, summary={"reason": reason})
            return app
        action = app.prepared_action
        if action == ReviewAction.APPROVE:
            for check in _require_approvable(app).values():  # the one who checked the contract does not approve it
                require_checker(check.checked_by_id, actor)
            if app.maturity_date <= today_china():  # checked at application; a review can outlast it
                raise DomainError("maturity_past", f"清偿期限 {app.maturity_date:%Y-%m-%d} 已到，不能开具；请退回申请修改清偿期限")
            # both parties confirmed earlier; either may have been suspended or closed since
            require_standing("开具凭证", Party(app.creditor_id, "债权人"), Party(app.debtor_id, "债务人"))
            app.status = ApplicationStatus.ISSUED
            app.save()
            cert, piece = _issue(actor, app)
            # the audit head is the last lock an action takes (see record_many)
            audit.record_many(actor, [
                audit.entry("certificate.review_approve", app, {"prepared_by": app.prepared_by_id}),
                audit.entry("certificate.issue", cert, {
                    "number": cert.number, "face_fen": cert.face_fen, "creditor": cert.creditor_id, "debtor": cert.debtor_id,
                    "maturity": cert.maturity_date.isoformat(), "piece": piece.number}),
            ])
        else:
            app.status = ApplicationStatus.REJECTED if action == ReviewAction.REJECT else ApplicationStatus.RETURNED
            app.save()
            for org in (app.creditor, app.debtor):
                notify(org, f"凭证申请 {app.number}：{app.get_status_display()}", app.prepared_reason, obj=app)
            audit.record(actor, f"certificate.review_{action}", app, summary={"reason": app.prepared_reason})
        return app


def _issue(actor: User, app: Application) -> tuple[Certificate, Piece]:
    """Create the certificate and its first piece, charge the issuance fee, notify; the caller audits."""
    today = today_china()
    cert = Certificate.objects.create(
        number=next_number("LZ", today.year), application=app, creditor=app.creditor, debtor=app.debtor,
        operator=actor.organisation, face_fen=app.amount_fen, maturity_date=app.maturity_date,
        issue_date=today, issued_by=actor, piece_count=1,
    )
    piece = Piece.objects.create(
        number=f"{cert.number}-001", certificate=cert, holder=app.creditor, amount_fen=cert.face_fen, origin="issue",
    )
    charge_fee(OperationType.ISSUANCE, cert, base_fen=cert.face_fen, payer_a=app.creditor, payer_b=app.debtor,
               reference=cert.number, today=today)
    for org in (app.creditor, app.debtor):
        notify(org, f"债权凭证 {cert.number} 已开具", f"凭证金额 {format_yuan(cert.face_fen)}，清偿期限 {cert.maturity_date:%Y-%m-%d}。", obj=cert)
    return cert, piece
