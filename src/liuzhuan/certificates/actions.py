"""Certificate business operations: the only code that changes applications, certificates,
pieces, transfers and fees. Each checks who is asking, validates, locks (certificate row, then
piece rows, in pk order), writes, appends an audit event and notifies — in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from liuzhuan.core.money import format_yuan
from liuzhuan.core.numbers import next_number, next_numbers
from liuzhuan.core.permissions import require_active_user, require_checker, require_role, require_write_access
from liuzhuan.core.roles import Role
from liuzhuan.core.sql import (
    build,
    columns,
    execute,
    fetch,
    for_update,
    in_list,
    insert_objects,
    insert_rows,
    keys,
    load,
    update_objects,
)
from liuzhuan.members.actions import Notice, notice, notify, notify_all, notify_role
from liuzhuan.members.models import Organisation, OrgStatus, User

from .fees import compute_fee, split_fee
from .models import (
    Application,
    ApplicationStatus,
    Attachment,
    Certificate,
    CertificateConfig,
    FeeCharge,
    FeeRule,
    OfferStatus,
    OperationType,
    Piece,
    PieceStatus,
    ReviewAction,
    Transfer,
)

ALLOWED_UPLOADS = {  # magic bytes → (content type, extension)
    b"%PDF-": ("application/pdf", "pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
}


def _ceiling() -> int:
    return settings.LIUZHUAN_AMOUNT_CEILING_FEN


def _member_actor(actor: User) -> Organisation:
    """Certificates are held and moved by members (会员) only; the organisation must be active."""
    require_write_access(actor)
    require_role(actor, Role.MEMBER)
    return actor.organisation


# --- applications ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationInput:
    counterparty_id: int
    role: str  # "creditor" or "debtor": the acting organisation's side
    contract_no: str
    contract_title: str
    contract_date: dt.date
    amount_fen: int
    maturity_date: dt.date
    settle_by_asset: bool
    settle_by_consumption: bool
    non_cash_declared: bool
    accepted_categories: str = ""
    extension_days: int | None = None
    extension_max: int | None = None
    guarantee_text: str = ""
    purchase_commitment_ref: str = ""


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
    if not (data.settle_by_asset or data.settle_by_consumption):
        raise DomainError("settlement_required", "请至少选择一种清偿方式（资产抵付或消费抵付）", field="settle_by_asset")
    if not (data.contract_no or "").strip():
        raise DomainError("contract_no_required", "请填写基础合同编号", field="contract_no")
    if not (data.contract_title or "").strip():
        raise DomainError("contract_title_required", "请填写基础合同名称", field="contract_title")
    for field, label, limit in (("contract_no", "合同编号", 60), ("contract_title", "合同名称", 200),
                                ("accepted_categories", "可抵付范围", 300), ("purchase_commitment_ref", "第三方收购承诺", 200)):
        if len(getattr(data, field) or "") > limit:
            raise DomainError(f"{field}_too_long", f"{label}不能超过{limit}个字", field=field)
    if data.contract_date > today:
        raise DomainError("contract_date_future", "合同签订日期不能晚于今天", field="contract_date")
    if data.amount_fen <= 0:
        raise DomainError("amount_not_positive", "债权金额必须大于零", field="amount_fen")
    if data.amount_fen > _ceiling():
        raise DomainError("amount_too_large", f"债权金额超过上限 {format_yuan(_ceiling())}", field="amount_fen")
    if data.maturity_date <= today:
        raise DomainError("maturity_past", "清偿期限必须晚于今天", field="maturity_date")
    if (data.extension_days is None) != (data.extension_max is None):
        raise DomainError("extension_incomplete", "展期条款须同时填写展期天数和最多展期次数", field="extension_days")
    if data.extension_days is not None:
        if not 1 <= data.extension_days <= 366:
            raise DomainError("extension_days_range", "展期天数应在 1–366 天之间", field="extension_days")
        if not 1 <= data.extension_max <= 12:
            raise DomainError("extension_max_range", "最多展期次数应在 1–12 次之间", field="extension_max")
    if data.role == "creditor":
        return org, counterparty
    return counterparty, org


def _side(app: Application, org_id: int) -> str:
    if app.creditor_id == org_id:
        return "creditor"
    if app.debtor_id == org_id:
        return "debtor"
    raise NotFound("申请不存在")


def _confirm_side(app: Application, side: str, actor: User, now) -> None:
    setattr(app, f"{side}_confirmed_by", actor)
    setattr(app, f"{side}_confirmed_at", now)


def create_application(actor: User, data: ApplicationInput) -> Application:
    """Either party starts the joint application; its own side counts as confirmed."""
    org = _member_actor(actor)
    today = today_china()
    creditor, debtor = _validate_application(org, data, today)
    with transaction.atomic():
        now = timezone.now()
        app = Application(
            number=next_number("SQ", today.year), creditor=creditor, debtor=debtor,
            contract_no=data.contract_no.strip(), contract_title=data.contract_title.strip(),
            contract_date=data.contract_date, amount_fen=data.amount_fen, maturity_date=data.maturity_date,
            settle_by_asset=data.settle_by_asset, settle_by_consumption=data.settle_by_consumption,
            accepted_categories=data.accepted_categories.strip(), non_cash_declared=True,
            extension_days=data.extension_days, extension_max=data.extension_max,
            guarantee_text=data.guarantee_text.strip(), purchase_commitment_ref=data.purchase_commitment_ref.strip(),
            created_by=actor,
        )
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


def confirm_application(actor: User, app_id: int) -> Application:
    """An authorised user of the creditor or the debtor confirms online."""
    org = _member_actor(actor)
    with transaction.atomic():
        app = _lock_application(app_id, org)
        if app.status != ApplicationStatus.DRAFT:
            raise DomainError("not_draft", f"申请当前状态为“{app.get_status_display()}”，不能确认")
        side = _side(app, org.pk)
        if getattr(app, f"{side}_confirmed_at"):
            raise DomainError("already_confirmed", "本机构已确认过该申请")
        _confirm_side(app, side, actor, timezone.now())
        if app.creditor_confirmed_at and app.debtor_confirmed_at:
            app.status = ApplicationStatus.SUBMITTED
        app.save()
        if app.status == ApplicationStatus.SUBMITTED:
            notify_role(Role.OPERATOR, f"凭证申请 {app.number} 待审核", f"债权人与债务人均已确认，金额 {format_yuan(app.amount_fen)}。", obj=app)
        audit.record(actor, "certificate.confirm", app, summary={"side": side, "status": app.status})
        return app


def withdraw_application(actor: User, app_id: int) -> Application:
    org = _member_actor(actor)
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
    org = _member_actor(actor)
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
        for f in ("contract_no", "contract_title", "contract_date", "amount_fen", "maturity_date", "settle_by_asset",
                  "settle_by_consumption", "accepted_categories", "extension_days", "extension_max", "guarantee_text",
                  "purchase_commitment_ref"):
            value = getattr(data, f)
            setattr(app, f, value.strip() if isinstance(value, str) else value)
        app.creditor_confirmed_by = app.debtor_confirmed_by = None
        app.creditor_confirmed_at = app.debtor_confirmed_at = None
        _confirm_side(app, side, actor, timezone.now())
        app.status = ApplicationStatus.DRAFT
        app.prepared_by = None
        app.prepared_action = ""
        app.prepared_at = None
        app.save()
        notify(app.debtor if side == "creditor" else app.creditor, f"请重新确认凭证申请 {app.number}", "申请内容已修改，需要贵机构重新确认。", obj=app)
        audit.record(actor, "certificate.resubmit", app, summary={"amount_fen": app.amount_fen, "side": side})
        return app


def add_attachment(actor: User, app_id: int, name: str, content: bytes) -> Attachment:
    """Underlying-contract attachment: PDF/PNG/JPEG checked by content, size-checked, SHA-256 kept."""
    org = _member_actor(actor)
    config = CertificateConfig.get()
    if not content:
        raise DomainError("file_empty", "附件为空", field="file")
    if len(content) > config.max_attachment_bytes:
        raise DomainError("file_too_large", f"附件大小 {len(content) // 1024} KB 超过上限 {config.max_attachment_bytes // 1024} KB", field="file")
    kind = next((v for magic, v in ALLOWED_UPLOADS.items() if content.startswith(magic)), None)
    if kind is None:
        raise DomainError("file_type", "附件只能是 PDF、PNG 或 JPEG 文件", field="file")
    content_type, ext = kind
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        app = _lock_application(app_id, org)
        if app.status not in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED):
            raise DomainError("not_editable", "申请已提交审核，不能再添加附件")
        if app.attachments.filter(sha256=digest).exists():
            raise DomainError("file_duplicate", "相同内容的附件已上传", field="file")
        # Written before commit: an orphan file on rollback is harmless; a row without its file is not.
        stored = default_storage.save(f"attachments/{app.number}/{digest[:16]}.{ext}", ContentFile(content))
        att = Attachment.objects.create(
            application=app, file=stored, original_name=(name or f"附件.{ext}")[:200], content_type=content_type,
            size=len(content), sha256=digest, uploaded_by=actor,
        )
        audit.record(actor, "certificate.attach", app, summary={"file": att.original_name, "sha256": digest, "size": len(content)})
        return att


def _refuse_own_application(actor: User, app: Application) -> None:
    if actor.organisation_id in (app.creditor_id, app.debtor_id):
        raise PermissionDenied("运营机构不能审核本机构作为一方的申请", code="self_review")


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
            if app.maturity_date <= today_china():  # checked at application; a review can outlast it
                raise DomainError("maturity_past", f"清偿期限 {app.maturity_date:%Y-%m-%d} 已到，不能开具；请退回申请修改清偿期限")
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


# --- fees --------------------------------------------------------------------------------------


def fee_rule_on(op_type: str, day: dt.date) -> FeeRule | None:
    """The schedule in force on ``day`` (the latest effective date not after it)."""
    return next(iter(load(FeeRule, f"SELECT {columns(FeeRule)} FROM certificates_feerule WHERE op_type = %s "  # noqa: S608
                              "AND effective_date <= %s ORDER BY effective_date DESC LIMIT 1",
                          [op_type, connection.ops.adapt_datefield_value(day)])), None)


def charge_fee(op_type: str, cert: Certificate, *, base_fen: int, payer_a: Organisation, payer_b: Organisation,
               reference: str, today: dt.date, transfer: Transfer | None = None) -> int:
    """Record the service fee per the schedule in force (payer_a = transferor/creditor side)."""
    fee, rows = fee_rows(fee_rule_on(op_type, today), base_fen=base_fen, payer_a_id=payer_a.pk, payer_b_id=payer_b.pk,
                         certificate_id=cert.pk, transfer_id=transfer.pk if transfer else None, reference=reference, today=today)
    insert_rows(FeeCharge, FEE_FIELDS, rows)
    return fee


#: the columns of a ``fee_rows`` row
FEE_FIELDS = ["org_id", "op_type", "rule_id", "base_fen", "amount_fen", "certificate_id", "transfer_id", "reference",
              "charged_on", "created_at"]


def fee_rows(rule: FeeRule | None, *, base_fen: int, payer_a_id: int, payer_b_id: int, certificate_id: int,
             transfer_id: int | None, reference: str, today: dt.date) -> tuple[int, list[tuple]]:
    """The fee under ``rule`` (None: no schedule, no fee) and its ``FeeCharge`` rows (``FEE_FIELDS``),
    one per paying side with a share > 0."""
    if rule is None:
        return 0, []
    fee = compute_fee(base_fen, rule.rate_per_10k, rule.min_fen, rule.max_fen)
    now = timezone.now()
    return fee, [(org_id, rule.op_type, rule.pk, base_fen, share, certificate_id, transfer_id, reference, today, now)
                 for org_id, share in zip((payer_a_id, payer_b_id), split_fee(fee, rule.payer), strict=True) if share > 0]


def set_fee_rule(actor: User, op_type: str, rate_per_10k, min_fen: int, max_fen: int | None, payer: str,
                 effective_date: dt.date) -> FeeRule:
    require_role(actor, Role.OPERATOR)
    if op_type not in OperationType.values:
        raise DomainError("op_type_invalid", "业务类型不正确", field="op_type")
    try:
        rate = Decimal(str(rate_per_10k))
    except InvalidOperation as exc:
        raise DomainError("rate_invalid", "费率格式不正确", field="rate_per_10k") from exc
    if not rate.is_finite() or rate < 0 or rate > 10000:
        raise DomainError("rate_range", "费率应在 0–10000‱ 之间", field="rate_per_10k")
    if rate != rate.quantize(Decimal("0.0001")):
        raise DomainError("rate_precision", "费率最多保留四位小数", field="rate_per_10k")
    if min_fen < 0:
        raise DomainError("min_negative", "最低收费不能为负", field="min_fen")
    if min_fen > _ceiling() or (max_fen is not None and max_fen > _ceiling()):
        raise DomainError("fee_too_large", f"收费金额超过上限 {format_yuan(_ceiling())}", field="max_fen" if max_fen and max_fen > _ceiling() else "min_fen")
    if max_fen is not None and max_fen < min_fen:
        raise DomainError("max_below_min", "最高收费不能低于最低收费", field="max_fen")
    if payer not in ("transferor", "transferee", "split"):
        raise DomainError("payer_invalid", "付费方不正确", field="payer")
    if effective_date < today_china():
        raise DomainError("effective_past", "生效日期不能早于今天（已生效的标准不能追溯修改）", field="effective_date")
    with transaction.atomic():
        existing = FeeRule.objects.select_for_update().filter(op_type=op_type, effective_date=effective_date).first()
        if existing is not None and existing.charges.exists():
            raise DomainError("rule_in_use", "该收费标准已有按其收取的费用，不能修改；请设置新的生效日期", field="effective_date")
        rule, created = FeeRule.objects.update_or_create(
            op_type=op_type, effective_date=effective_date,
            defaults={"rate_per_10k": rate, "min_fen": min_fen, "max_fen": max_fen, "payer": payer, "created_by": actor},
        )
        audit.record(actor, "fee.rule_set", rule, summary={
            "op_type": op_type, "rate_per_10k": str(rate), "min_fen": min_fen, "max_fen": max_fen, "payer": payer,
            "effective_date": effective_date.isoformat(), "replaced": not created,
        })
        return rule


def set_config(actor: User, *, min_unit_fen: int, offer_days: int) -> CertificateConfig:
    require_role(actor, Role.OPERATOR)
    if not 1 <= min_unit_fen <= _ceiling():
        raise DomainError("min_unit_range", f"最小拆分单位应在 ¥0.01 至 {format_yuan(_ceiling())} 之间", field="min_unit_fen")
    if not 1 <= offer_days <= 60:
        raise DomainError("offer_days_range", "接收期限应在 1–60 天之间", field="offer_days")
    with transaction.atomic():
        CertificateConfig.objects.bulk_create([CertificateConfig(id=1)], ignore_conflicts=True)
        config = CertificateConfig.objects.select_for_update().get(id=1)
        before = {"min_unit_fen": config.min_unit_fen, "offer_days": config.offer_days}
        config.min_unit_fen = min_unit_fen
        config.offer_days = offer_days
        config.updated_at = timezone.now()
        config.save()
        audit.record(actor, "certificate.config", config, summary={"before": before, "after": {"min_unit_fen": min_unit_fen, "offer_days": offer_days}})
        return config


# --- pieces: transfer and split ----------------------------------------------------------------


def _held_certificate_id(piece_id: int, org: Organisation) -> int:
    """The piece's certificate id if ``org`` holds it; outsiders get 404 (they learn nothing)."""
    cert_id = Piece.objects.filter(pk=piece_id, holder=org).values_list("certificate_id", flat=True).first()
    if cert_id is None:
        raise NotFound("凭证分段不存在")
    return cert_id


def _lock_piece_for_holder(piece_id: int, org: Organisation, cert_id: int | None = None) -> tuple[Certificate, Piece]:
    """Lock the certificate row, then the piece (the order every certificate action uses)."""
    cert_id = cert_id or _held_certificate_id(piece_id, org)
    cert = Certificate.objects.select_for_update(of=("self",)).select_related("debtor").get(pk=cert_id)
    piece = Piece.objects.select_for_update().get(pk=piece_id)
    if piece.holder_id != org.pk:  # changed between the two reads
        raise NotFound("凭证分段不存在")
    return cert, piece


def _new_piece(cert: Certificate, *, parent: Piece, holder: Organisation, amount_fen: int, status: str, origin: str) -> Piece:
    piece = _piece_row(cert, parent=parent, holder_id=holder.pk, amount_fen=amount_fen, status=status, origin=origin)
    piece.save(force_insert=True)
    return piece


def _piece_row(cert: Certificate, *, parent: Piece, holder_id: int, amount_fen: int, status: str, origin: str,
               now: dt.datetime | None = None) -> Piece:
    """The certificate's next piece, numbered but unsaved (batch actions insert many at once).

    The parent is referenced by id, not cached: a piece that kept its parent alive would keep the
    whole chain of title in memory in a long-running process (the bench's clients, a daily job).
    """
    cert.piece_count += 1
    return build(
        Piece, number=f"{cert.number}-{cert.piece_count:03d}", certificate=cert, parent_id=parent.pk, holder_id=holder_id,
        amount_fen=amount_fen, status=status, origin=origin, created_at=now or timezone.now(),
    )


#: holding statuses that freeze a piece, with the rule each refusal names (see lifecycle.py)
FROZEN_RULES = {
    PieceStatus.PLEDGED: ("piece_pledged", "已质押，未经质权人同意不得转让、抵付或抵销"),
    PieceStatus.OFFSETTING: ("piece_reserved_offset", "已申请抵付并被锁定，抵付完成或撤回前不能办理其他业务"),
    PieceStatus.SELLING: ("piece_reserved_sale", "已申请收购并被锁定，收购完成或撤回前不能办理其他业务"),
}


def require_live(piece: Piece) -> None:
    if piece.status != PieceStatus.LIVE:
        if piece.status in FROZEN_RULES:
            code, rule = FROZEN_RULES[piece.status]
            raise Conflict(code, f"凭证分段 {piece.number} {rule}")
        raise Conflict("piece_not_live", f"凭证分段 {piece.number} 当前状态为“{piece.get_status_display()}”，不能办理")


def split_off(cert: Certificate, piece: Piece, amount_fen: int, *, status: str, min_unit: int) -> tuple[Piece, Piece | None]:
    """End ``piece`` and create (part of ``amount_fen`` with ``status``, live remainder) — or reuse it whole."""
    if amount_fen == piece.amount_fen:
        _set_piece_status([piece], PieceStatus.LIVE, status)
        piece.status = status
        return piece, None
    (part,), rest = split_rows(cert, piece, [amount_fen], status=status, min_unit=min_unit)
    _write_splits([piece], [part, rest], [cert])
    return part, rest


def split_rows(cert: Certificate, piece: Piece, amounts: list[int], *, status: str, min_unit: int,
               now: dt.datetime | None = None) -> tuple[list[Piece], Piece | None]:
    """Plan the split of ``piece`` into parts of ``amounts`` (with ``status``, in order) and a live
    remainder: unsaved rows, numbered on from the certificate. The remainder must be nothing or at
    least ``min_unit``. ``_write_splits`` stores the plan."""
    now = now or timezone.now()
    remainder = piece.amount_fen - sum(amounts)
    if 0 < remainder < min_unit:
        raise DomainError("remainder_below_min", f"拆分后剩余金额 {format_yuan(remainder)} 低于最小拆分单位 {format_yuan(min_unit)}", field="amount_fen")
    piece.status, piece.ended_at = PieceStatus.SPLIT, now
    parts = [_piece_row(cert, parent=piece, holder_id=piece.holder_id, amount_fen=a, status=status, origin="split", now=now) for a in amounts]
    rest = _piece_row(cert, parent=piece, holder_id=piece.holder_id, amount_fen=remainder, status=PieceStatus.LIVE, origin="split", now=now) if remainder else None
    return parts, rest


def _write_splits(ended: list[Piece], created: list[Piece | None], certs) -> None:
    """End the split pieces (they must still be live), insert the new rows, store the piece counts."""
    if ended:
        _set_piece_status(ended, PieceStatus.LIVE, PieceStatus.SPLIT, ended[0].ended_at)
    insert_objects([p for p in created if p is not None])
    _save_piece_counts(certs)


def check_part(piece: Piece, amount_fen: int | None, min_unit: int, what: str) -> None:
    """The whole piece, or a part of at least the minimum unit (the remainder: ``split_rows``)."""
    if amount_fen is None or amount_fen <= 0:
        raise DomainError("amount_not_positive", f"{what}金额必须大于零", field="amount_fen")
    if amount_fen > piece.amount_fen:
        raise DomainError("amount_exceeds_available",
                          f"{what}金额 {format_yuan(amount_fen)} 超过该分段可用金额 {format_yuan(piece.amount_fen)}", field="amount_fen")
    if amount_fen < piece.amount_fen and amount_fen < min_unit:
        raise DomainError("amount_below_min", f"{what}金额 {format_yuan(amount_fen)} 低于最小拆分单位 {format_yuan(min_unit)}", field="amount_fen")


def refuse_debtor(debtor_id: int, to_org_id: int, field: str | None, what: str = "受让") -> None:
    """混同: a claim that reaches its own debtor ends (《民法典》第五百七十六条), and this one is to be
    settled in assets or consumption, never bought back for cash; so the debtor never takes title to
    a piece of its own certificate. It settles through an offset (抵付) instead."""
    if to_org_id == debtor_id:
        raise DomainError("transferee_is_debtor", f"债务人不能{what}本凭证项下债权：债权债务同归一人即告终止（《民法典》第五百七十六条），"
                          "债务人清偿请通过资产或消费抵付办理", field=field)


#: the most transfers one batch call may carry (larger supplier lists go in several calls)
MAX_BATCH = 500


@dataclass(frozen=True)
class OfferItem:
    piece_id: int
    to_org_id: int
    amount_fen: int
    agreement_ref: str


@contextmanager
def _item(index: int, batch: bool, name: str = "items"):
    """In a batch, an error names the item: "第 3 笔：…" with field ``items[2].amount_fen``."""
    try:
        yield
    except DomainError as exc:
        if batch:
            exc.message = f"第 {index + 1} 笔：{exc.message}"
            exc.args = (exc.message,)
            exc.field = f"{name}[{index}].{exc.field}" if exc.field else f"{name}[{index}]"
        raise


def _check_batch_size(n: int, field: str, empty_message: str) -> None:
    if n == 0:
        raise DomainError("batch_empty", empty_message, field=field)
    if n > MAX_BATCH:
        raise DomainError("batch_too_large", f"一次最多办理 {MAX_BATCH} 笔，本次 {n} 笔，请分批提交", field=field)


# The transfer actions run their fixed-shape queries as written SQL (core/sql.py): on this kind of
# hardware Django compiles a queryset in ~0.3 ms against ~0.02 ms to run the same statement, and
# an accepted transfer needs about twenty of them (bench/README.md). Model instances come back
# through ``load()`` where the caller needs them.


def _lock_certificates(cert_ids) -> dict[int, Certificate]:
    """Row-lock certificates in ascending pk order (every multi-certificate action uses this order).

    """
    ids = keys(cert_ids)
    return {c.pk: c for c in load(Certificate, f"SELECT {columns(Certificate)} FROM certificates_certificate "  # noqa: S608
                                  f"WHERE id IN {in_list(ids)} ORDER BY id{for_update()}", ids)}


def _lock_pieces(piece_ids) -> dict[int, Piece]:
    ids = keys(piece_ids)
    sql = f"SELECT {columns(Piece)} FROM certificates_piece WHERE id IN {in_list(ids)} ORDER BY id"  # noqa: S608 - placeholders only
    return {p.pk: p for p in load(Piece, sql + for_update(), ids)}


def _transfer_config() -> tuple[int, int]:
    """(minimum unit in fen, days the transferee has to decide): the operator's setting or the defaults."""
    rows = fetch("SELECT min_unit_fen, offer_days FROM certificates_certificateconfig WHERE id = 1")
    if rows:
        return rows[0]
    default = CertificateConfig()
    return default.min_unit_fen, default.offer_days


def _set_piece_status(pieces: list[Piece], expected: str, status: str, ended_at: dt.datetime | None = None) -> None:
    """Move locked pieces from ``expected`` to ``status``; a row not in ``expected`` is a conflict."""
    if not pieces:
        return
    ids = [p.pk for p in pieces]
    sets, params = ("status = %s, ended_at = %s", [status, connection.ops.adapt_datetimefield_value(ended_at)]) if ended_at else ("status = %s", [status])
    if execute(f"UPDATE certificates_piece SET {sets} WHERE id IN {in_list(ids)} AND status = %s",  # noqa: S608 - placeholders only
               [*params, *ids, expected]) != len(ids):
        raise Conflict("piece_not_live", "凭证分段已被其他操作占用")


def _save_piece_counts(certs) -> None:
    update_objects(list(certs), ["piece_count"])


def offer_transfer(actor: User, piece_id: int, to_org_id: int, amount_fen: int, agreement_ref: str) -> Transfer:
    """转让: offer a piece whole or in part; the offered amount is reserved until the transferee decides."""
    return offer_transfers(actor, [OfferItem(piece_id, to_org_id, amount_fen, agreement_ref)])[0]


def offer_transfers(actor: User, items: list[OfferItem]) -> list[Transfer]:
    """批量转让: several offers in one atomic step, e.g. paying many suppliers out of one piece.

    Items may draw several parts from the same piece: it is split once into the offered parts
    (in item order) and a live remainder. All or nothing: the first bad item refuses the whole
    batch, and the message names it ("第 3 笔：…", field ``items[2].amount_fen``).
    """
    org = _member_actor(actor)
    items = list(items)
    _check_batch_size(len(items), "items", "请至少填写一笔转让")
    batch = len(items) > 1
    piece_ids = keys(i.piece_id for i in items)
    # by primary key only, the holder compared here: a planner that chose the holder index instead
    # would walk every piece the member ever held
    held, debtor_of = {}, {}
    for pk, cert_id, holder_id, debtor_id in fetch(
            "SELECT p.id, p.certificate_id, p.holder_id, c.debtor_id FROM certificates_piece p "  # noqa: S608
            f"JOIN certificates_certificate c ON c.id = p.certificate_id WHERE p.id IN {in_list(piece_ids)}", piece_ids):
        if holder_id == org.pk:
            held[pk], debtor_of[pk] = cert_id, debtor_id
    refs = []
    for n, item in enumerate(items):
        with _item(n, batch):
            if item.piece_id not in held:  # before any validation: outsiders learn nothing
                raise NotFound("凭证分段不存在")
            ref = (item.agreement_ref or "").strip()
            if not ref:
                raise DomainError("agreement_required", "请填写债权转让协议编号", field="agreement_ref")
            if len(ref) > 100:
                raise DomainError("agreement_too_long", "转让协议编号不能超过100个字", field="agreement_ref")
            if not ref.isprintable():
                raise DomainError("agreement_invalid", "转让协议编号不能含有控制字符", field="agreement_ref")
            if item.amount_fen <= 0:
                raise DomainError("amount_not_positive", "转让金额必须大于零", field="amount_fen")
            if item.to_org_id == org.pk:
                raise DomainError("transfer_to_self", "不能转让给本机构", field="to_org_id")
            refs.append(ref)
    to_ids = keys(i.to_org_id for i in items)
    to_orgs = {row[0] for row in fetch(
        "SELECT o.id FROM members_organisation o JOIN members_organisationrole r ON r.organisation_id = o.id "  # noqa: S608
        f"WHERE o.id IN {in_list(to_ids)} AND o.status = %s AND r.role = %s", [*to_ids, OrgStatus.ACTIVE.value, Role.MEMBER.value])}
    for n, item in enumerate(items):
        with _item(n, batch):
            if item.to_org_id not in to_orgs:  # one message for unknown and inactive: ids reveal nothing
                raise DomainError("transferee_unavailable", "受让方不存在或不是正常状态的会员，不能受让", field="to_org_id")
            refuse_debtor(debtor_of[item.piece_id], item.to_org_id, "to_org_id")  # a certificate's debtor never changes
    min_unit, offer_days = _transfer_config()
    today = today_china()
    deadline = today + dt.timedelta(days=offer_days)
    by_piece: dict[int, list[int]] = {}
    for n, item in enumerate(items):
        by_piece.setdefault(item.piece_id, []).append(n)
    with transaction.atomic():
        now = timezone.now()
        certs = _lock_certificates(held.values())  # certificate, then pieces: the order every action uses
        pieces = _lock_pieces(by_piece)
        offered: list[Piece | None] = [None] * len(items)
        remainder_of: dict[int, Piece] = {}
        whole, split, created, grown = [], [], [], {}
        for piece_id, idxs in by_piece.items():
            piece, cert = pieces[piece_id], certs[held[piece_id]]
            with _item(idxs[0], batch):
                if piece.holder_id != org.pk:  # changed between the two reads
                    raise NotFound("凭证分段不存在")
                require_live(piece)
                if cert.status != "active":
                    raise DomainError("certificate_inactive", f"凭证 {cert.number} 当前状态为“{cert.get_status_display()}”，不能转让")
                if len(idxs) == 1:
                    check_part(piece, items[idxs[0]].amount_fen, min_unit, "转让")
            if len(idxs) == 1 and items[idxs[0]].amount_fen == piece.amount_fen:  # whole piece: reserved as it is
                piece.status = PieceStatus.OFFERED
                whole.append(piece)
                offered[idxs[0]] = piece
                continue
            total = 0
            for n in idxs if len(idxs) > 1 else ():  # several parts of one piece: together within it, each a valid part
                total += items[n].amount_fen
                with _item(n, batch):
                    if total > piece.amount_fen:
                        raise DomainError("amount_exceeds_available", f"本批从该分段转让合计 {format_yuan(total)} 超过该分段可用金额 "
                                          f"{format_yuan(piece.amount_fen)}", field="amount_fen")
                    check_part(piece, items[n].amount_fen, min_unit, "转让")
            with _item(idxs[-1], batch):
                parts, rest = split_rows(cert, piece, [items[n].amount_fen for n in idxs], status=PieceStatus.OFFERED,
                                         min_unit=min_unit, now=now)
            split.append(piece)
            grown[cert.pk] = cert
            for n, part in zip(idxs, parts, strict=True):
                offered[n] = part
            created += [*parts, rest]
            if rest:
                remainder_of[piece_id] = rest
        _set_piece_status(whole, PieceStatus.LIVE, PieceStatus.OFFERED)  # the rows must still be live: the last guard
        _write_splits(split, created, grown.values())
        offers = [
            build(Transfer, piece=offered[n], from_org=org, to_org_id=item.to_org_id, amount_fen=item.amount_fen,
                  agreement_ref=refs[n], offered_by=actor, offered_at=now, deadline=deadline)
            for n, item in enumerate(items)
        ]
        insert_objects(offers)
        cert_no = {offer.pk: certs[held[item.piece_id]].number for item, offer in zip(items, offers, strict=True)}
        notices = []
        for group in _grouped(offers, "to_org_id"):
            if len(group) == 1:
                offer = group[0]
                notices.append(notice(offer.to_org_id, f"收到凭证转让：{format_yuan(offer.amount_fen)}",
                                      f"{org.name} 向贵机构转让凭证 {cert_no[offer.pk]} 项下债权 "
                                      f"{format_yuan(offer.amount_fen)}，请于 {deadline:%Y-%m-%d} 前接收或拒收。", obj=offer))
            else:  # one notice per transferee for a batch, not one per line
                total = format_yuan(sum(o.amount_fen for o in group))
                numbers = "、".join(sorted({cert_no[o.pk] for o in group}))
                notices.append(notice(group[0].to_org_id, f"收到 {len(group)} 笔凭证转让：合计 {total}",
                                      f"{org.name} 向贵机构转让 {len(group)} 笔凭证债权，合计 {total}（凭证 {numbers}），"
                                      f"请于 {deadline:%Y-%m-%d} 前逐笔或批量接收、拒收。", kind="transfer_batch"))
        notify_all(notices)
        # the audit head is the last lock an action takes (see record_many)
        audit.record_many(actor, [audit.entry("piece.offer", offer, {
            "piece": pieces[item.piece_id].number, "offered_piece": offer.piece.number,
            "remainder_piece": remainder_of[item.piece_id].number if item.piece_id in remainder_of else None,
            "amount_fen": item.amount_fen, "to": item.to_org_id, "agreement_ref": offer.agreement_ref, "deadline": deadline.isoformat(),
        }) for item, offer in zip(items, offers, strict=True)])
        return offers


def debtor_notice(cert: Certificate, registration: Transfer, from_name: str, to_name: str, why: str = "") -> Notice:
    """The notice of assignment to the debtor (债权转让通知), one per registration, to acknowledge."""
    basis = f"{registration.registration_no}（{why}）" if why else registration.registration_no
    return notice(cert.debtor_id, f"债权转让通知：凭证 {cert.number}", (
        f"依据流转变更登记 {basis}，{from_name} 已将凭证 {cert.number} 项下债权 {format_yuan(registration.amount_fen)} "
        f"转让给 {to_name}。债务人的清偿义务及方式不变，请向新持有人履行。"
    ), obj=registration, kind="transfer_notice", requires_ack=True)


def _grouped(offers: list[Transfer], attr: str) -> list[list[Transfer]]:
    """Offers grouped by a counterparty id, groups in first-seen order."""
    groups: dict[int, list[Transfer]] = {}
    for offer in offers:
        groups.setdefault(getattr(offer, attr), []).append(offer)
    return list(groups.values())


def _lock_offers(transfer_ids: list[int], org: Organisation, side: str, batch: bool = False) -> tuple[dict[int, Certificate], list[Transfer]]:
    """Lock the offers' certificates (pk order), then the offers with their pieces; all must be open."""
    column = "to_org_id" if side == "to" else "from_org_id"
    ids = keys(transfer_ids)
    cert_of = {pk: cert_id for pk, cert_id, party in fetch(  # by primary key, the party compared here (as for pieces)
        f"SELECT t.id, p.certificate_id, t.{column} FROM certificates_transfer t JOIN certificates_piece p ON p.id = t.piece_id "  # noqa: S608
        f"WHERE t.id IN {in_list(ids)}", ids) if party == org.pk}
    for n, transfer_id in enumerate(transfer_ids):
        if transfer_id not in cert_of:
            with _item(n, batch, "transfer_ids"):
                raise NotFound("转让不存在")
    certs = _lock_certificates(cert_of.values())  # certificates, then transfers, then pieces
    sql = f"SELECT {columns(Transfer)} FROM certificates_transfer WHERE id IN {in_list(ids)} ORDER BY id"  # noqa: S608 - placeholders only
    locked = {t.pk: t for t in load(Transfer, sql + for_update(), ids)}
    pieces = _lock_pieces(t.piece_id for t in locked.values())
    piece_field, own_field = Transfer._meta.get_field("piece"), Transfer._meta.get_field(column.removesuffix("_id"))
    offers = [locked[i] for i in transfer_ids]
    for n, offer in enumerate(offers):
        piece_field.set_cached_value(offer, pieces[offer.piece_id])
        own_field.set_cached_value(offer, org)  # the counterparty loads on first use
        if offer.status != OfferStatus.OFFERED:
            with _item(n, batch, "transfer_ids"):
                raise Conflict("offer_closed", f"该转让当前状态为“{offer.get_status_display()}”，不能再处理")
    return certs, offers


def _lock_offer(transfer_id: int, org: Organisation, side: str) -> tuple[Certificate, Transfer, Piece]:
    certs, (offer,) = _lock_offers([transfer_id], org, side)
    return certs[offer.piece.certificate_id], offer, offer.piece


def _transfer_ids(transfer_ids) -> list[int]:
    ids = list(transfer_ids)
    _check_batch_size(len(ids), "transfer_ids", "请选择要接收的转让")
    if len(set(ids)) != len(ids):
        raise DomainError("transfer_ids_duplicate", "同一笔转让不能重复提交", field="transfer_ids")
    return ids


def accept_offer(actor: User, transfer_id: int) -> Transfer:
    """受让方签收: a new piece for the transferee; registration number; debtor notified; fee recorded."""
    return accept_offers(actor, [transfer_id])[0]


def accept_offers(actor: User, transfer_ids: list[int]) -> list[Transfer]:
    """批量签收: accept several offers in one atomic step; each still gets its own registration
    number, fee, debtor notice and audit event. All or nothing; an error names the offer."""
    org = _member_actor(actor)
    ids = _transfer_ids(transfer_ids)
    batch = len(ids) > 1
    today = today_china()
    with transaction.atomic():
        certs, offers = _lock_offers(ids, org, "to", batch)
        for n, offer in enumerate(offers):
            with _item(n, batch, "transfer_ids"):
                if offer.deadline < today:
                    raise DomainError("offer_expired", f"已超过接收截止日 {offer.deadline:%Y-%m-%d}，该转让失效")
                refuse_debtor(certs[offer.piece.certificate_id].debtor_id, org.pk, None)
        now = timezone.now()
        _set_piece_status([o.piece for o in offers], PieceStatus.OFFERED, PieceStatus.TRANSFERRED, now)
        new_pieces = []
        for offer in offers:
            offer.piece.status, offer.piece.ended_at = PieceStatus.TRANSFERRED, now
            new_pieces.append(_piece_row(certs[offer.piece.certificate_id], parent=offer.piece, holder_id=org.pk,
                                         amount_fen=offer.piece.amount_fen, status=PieceStatus.LIVE, origin="transfer", now=now))
        insert_objects(new_pieces)
        _save_piece_counts(certs.values())
        rule = fee_rule_on(OperationType.TRANSFER, today)
        charges = []
        for offer, new, number in zip(offers, new_pieces, next_numbers("BG", today.year, len(offers)), strict=True):
            offer.status = OfferStatus.ACCEPTED
            offer.decided_by = actor
            offer.decided_at = now
            offer.registration_no = number
            offer.new_piece = new
            offer.fee_fen, rows = fee_rows(rule, base_fen=offer.amount_fen, payer_a_id=offer.from_org_id, payer_b_id=org.pk,
                                           certificate_id=new.certificate_id, transfer_id=offer.pk, reference=number, today=today)
            charges += rows
        update_objects(offers, ["status", "decided_by", "decided_at", "registration_no", "new_piece", "fee_fen"])
        insert_rows(FeeCharge, FEE_FIELDS, charges)
        from_ids = keys(o.from_org_id for o in offers)
        names = dict(fetch(f"SELECT id, name FROM members_organisation WHERE id IN {in_list(from_ids)}", from_ids))  # noqa: S608
        notices = []
        for offer in offers:
            cert = certs[offer.piece.certificate_id]
            notices.append(debtor_notice(cert, offer, names[offer.from_org_id], org.name))
        position = {o.pk: n for n, o in enumerate(offers)}
        for group in _grouped(offers, "from_org_id"):
            if len(group) == 1:
                offer = group[0]
                notices.append(notice(offer.from_org_id, f"转让已被接收：{offer.registration_no}", f"{org.name} 已接收 {format_yuan(offer.amount_fen)}。", obj=offer))
            else:
                total = format_yuan(sum(o.amount_fen for o in group))
                numbers = [o.registration_no for o in group]
                # one block of numbers in ``offers`` order: consecutive exactly when the positions are
                places = [position[o.pk] for o in group]
                listed = f"{numbers[0]} 至 {numbers[-1]}" if places[-1] - places[0] == len(places) - 1 else "、".join(numbers)
                notices.append(notice(group[0].from_org_id, f"{len(group)} 笔转让已被接收：合计 {total}",
                                      f"{org.name} 已接收 {len(group)} 笔转让，合计 {total}；流转变更登记编号 {listed}。",
                                      kind="transfer_batch"))
        notify_all(notices)
        # the audit head is the last lock an action takes (see record_many)
        audit.record_many(actor, [audit.entry("piece.transfer_accept", offer, {
            "registration_no": offer.registration_no, "from_piece": offer.piece.number, "new_piece": offer.new_piece.number,
            "amount_fen": offer.amount_fen, "from": offer.from_org_id, "to": org.pk, "fee_fen": offer.fee_fen,
        }) for offer in offers])
        return offers


def unfreeze(piece: Piece, expected: str) -> None:
    """A reserved piece (offered, pledged, offsetting, selling) goes back to its holder as a live
    piece: same piece, same holder. It must still be in ``expected``."""
    _set_piece_status([piece], expected, PieceStatus.LIVE)
    piece.status = PieceStatus.LIVE


def decline_offer(actor: User, transfer_id: int, reason: str = "") -> Transfer:
    org = _member_actor(actor)
    with transaction.atomic():
        _cert, offer, piece = _lock_offer(transfer_id, org, "to")
        unfreeze(piece, PieceStatus.OFFERED)  # the reserved amount goes back to the transferor
        offer.status = OfferStatus.DECLINED
        offer.decided_by = actor
        offer.decided_at = timezone.now()
        offer.decline_reason = (reason or "").strip()[:300]
        offer.save()
        notify(offer.from_org_id, "转让被拒收", f"{org.name} 拒收了 {format_yuan(offer.amount_fen)}（{offer.decline_reason or '未说明原因'}），金额已退回分段 {piece.number}。", obj=offer)
        audit.record(actor, "piece.transfer_decline", offer, summary={"piece": piece.number, "reason": offer.decline_reason})
        return offer


def cancel_offer(actor: User, transfer_id: int) -> Transfer:
    org = _member_actor(actor)
    with transaction.atomic():
        _cert, offer, piece = _lock_offer(transfer_id, org, "from")
        unfreeze(piece, PieceStatus.OFFERED)  # the reserved amount goes back to the transferor
        offer.status = OfferStatus.CANCELLED
        offer.decided_by = actor
        offer.decided_at = timezone.now()
        offer.save()
        notify(offer.to_org_id, "转让已撤回", f"{org.name} 撤回了 {format_yuan(offer.amount_fen)} 的转让。", obj=offer)
        audit.record(actor, "piece.transfer_cancel", offer, summary={"piece": piece.number})
        return offer


def lapse_expired_offers(today: dt.date) -> int:
    """Offers past their deadline lapse; the amount returns to the transferor (daily job)."""
    n = 0
    for offer_id in Transfer.objects.filter(status=OfferStatus.OFFERED, deadline__lt=today).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            # certificate → transfer → piece, the order accept_offer uses, so the two never deadlock
            cert_id = Transfer.objects.filter(pk=offer_id).values_list("piece__certificate_id", flat=True).get()
            Certificate.objects.select_for_update().get(pk=cert_id)
            offer = Transfer.objects.select_for_update().get(pk=offer_id)
            if offer.status != OfferStatus.OFFERED:
                continue
            piece = Piece.objects.select_for_update().get(pk=offer.piece_id)
            unfreeze(piece, PieceStatus.OFFERED)
            offer.status = OfferStatus.LAPSED
            offer.decided_at = timezone.now()
            offer.save(update_fields=["status", "decided_at"])
            notify(offer.from_org, "转让已逾期失效", f"{offer.to_org.name} 未在 {offer.deadline:%Y-%m-%d} 前接收，{format_yuan(offer.amount_fen)} 已退回分段 {piece.number}。", obj=offer)
            audit.record("system:daily", "piece.transfer_lapse", offer, summary={"piece": piece.number, "deadline": offer.deadline.isoformat()})
            n += 1
    return n


def print_piece(actor: User, piece_id: int) -> tuple[Piece, int]:
    """A paper copy (纸质凭证) for the holder or the operator; each gets the next reprint number."""
    from .queries import can_view_piece

    require_active_user(actor)
    piece = Piece.objects.select_related("certificate", "holder", "certificate__debtor", "certificate__creditor",
                                         "certificate__operator", "certificate__application").filter(pk=piece_id).first()
    if piece is None or not can_view_piece(actor, piece):
        raise NotFound("凭证分段不存在")
    if piece.holder_id != actor.organisation_id and not actor.organisation.has_role(Role.OPERATOR):
        raise PermissionDenied("只有持有人或运营机构可以打印纸质凭证")
    with transaction.atomic():
        Piece.objects.filter(pk=piece.pk).update(prints=F("prints") + 1)
        piece.refresh_from_db(fields=["prints"])
        audit.record(actor, "piece.print", piece, summary={"reprint_no": piece.prints})
        return piece, piece.prints
