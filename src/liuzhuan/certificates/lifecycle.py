"""Certificate lifecycle operations: pledge, purchase with lock-up, asset/consumption offset,
void, maturity and extension, market purchase of SME receivables.

Same contract as ``actions.py``: each function checks who is asking (objects the actor cannot
see are 404, a visible object acted on by the wrong party or role is 403), validates, locks the
certificate row and then the piece and the lifecycle row, writes, appends an audit event and
notifies — in one transaction. A ``DomainError`` means nothing changed. Design notes:
``docs/design/certificate-lifecycle.md``.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from liuzhuan.core.money import format_yuan
from liuzhuan.core.numbers import next_number
from liuzhuan.core.permissions import require_checker, require_role, require_write_access
from liuzhuan.core.roles import Role
from liuzhuan.members.actions import notify, notify_all
from liuzhuan.members.models import Organisation, OrgStatus, User
from liuzhuan.members.queries import active_counterparties, sees_all

from . import lifecycle_rules as rules
from .actions import (
    ApplicationInput,
    _ceiling,
    _held_certificate_id,
    _lock_piece_for_holder,
    _member_actor,
    _new_piece,
    _transfer_config,
    charge_fee,
    check_part,
    create_application,
    debtor_notice,
    refuse_debtor,
    require_live,
    split_off,
    unfreeze,
)
from .lifecycle_queries import is_certificate_party
from .models import (
    HOLDING_STATUSES,
    OPEN_OFFSET_STATUSES,
    AssetKind,
    AssetStatus,
    Certificate,
    CertificateExtension,
    CertificateStatus,
    CertificateVoid,
    CommitmentStatus,
    FeeCharge,
    OfferStatus,
    OffsetApplication,
    OffsetAsset,
    OffsetKind,
    OffsetStatus,
    OperationType,
    Piece,
    PieceStatus,
    Pledge,
    PledgedTransfer,
    PledgedTransferStatus,
    PledgeStatus,
    PriceKind,
    PurchaseCommitment,
    PurchaseProvider,
    PurchaseSale,
    ReceivablePurchase,
    ReceivablePurchaseStatus,
    SaleStatus,
    Transfer,
    VoidStatus,
)

REMINDER_DAYS = 7
MAX_TEXT = 300


# --- shared helpers ----------------------------------------------------------------------------


def _text(value: str | None, code: str, message: str, field: str, max_len: int = 100) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(code, message, field=field)
    if len(value) > max_len:
        raise DomainError(f"{field}_too_long", f"{message.removeprefix('请填写')}不能超过 {max_len} 个字", field=field)
    return value


def _active_org(org_id: int | None, field: str, label: str) -> Organisation:
    org = Organisation.objects.filter(pk=org_id, status=OrgStatus.ACTIVE).first() if org_id else None
    if org is None:  # one message for unknown and inactive: ids reveal nothing about other organisations
        raise DomainError(f"{field}_unavailable", f"{label}不存在或不是正常状态的机构，不能办理", field=field)
    return org


def _member_org(org_id: int | None, field: str, label: str) -> Organisation:
    """An active member: claims circulate, and are pledged or bought, only between members (seed 一、三)."""
    org = active_counterparties().filter(pk=org_id).first() if org_id else None
    if org is None:  # one message for unknown, inactive and non-member: ids reveal nothing
        raise DomainError(f"{field}_unavailable", f"{label}不存在或不是正常状态的会员，不能办理", field=field)
    return org


def _require_active_certificate(cert: Certificate, what: str) -> None:
    if cert.status != CertificateStatus.ACTIVE:
        raise DomainError("certificate_inactive", f"凭证 {cert.number} 当前状态为“{cert.get_status_display()}”，不能{what}")


def _check_amount(piece: Piece, amount_fen: int, what: str) -> int:
    """Whole piece or a part of at least the minimum unit; returns the unit (for split_off)."""
    min_unit, _days = _transfer_config()
    check_part(piece, amount_fen, min_unit, what)
    return min_unit


def _reserve(cert: Certificate, piece: Piece, amount_fen: int, status: str, what: str) -> Piece:
    """Freeze ``amount_fen`` of a live piece under ``status`` (splitting off the rest as a live piece)."""
    require_live(piece)
    min_unit = _check_amount(piece, amount_fen, what)
    reserved, _rest = split_off(cert, piece, amount_fen, status=status, min_unit=min_unit)
    return reserved


def _lock_cert_and_piece(cert_id: int, piece_id: int) -> tuple[Certificate, Piece]:
    cert = Certificate.objects.select_for_update(of=("self",)).select_related("debtor").get(pk=cert_id)
    piece = Piece.objects.select_for_update(of=("self",)).select_related("holder").get(pk=piece_id)
    return cert, piece


def _party_check(actor: User, parties: dict[str, int], allowed: tuple[str, ...], what: str, not_found: str) -> str:
    """Which party the actor is. Outsiders get 404; a visible object acted on by the wrong party, 403."""
    org_id = actor.organisation_id
    mine = [name for name, pk in parties.items() if pk == org_id]
    for name in allowed:
        if name in mine:
            return name
    if mine or sees_all(actor):
        labels = {"pledgor": "出质人", "pledgee": "质权人", "holder": "持有人", "debtor": "债务人", "provider": "收购服务提供方",
                  "entrusted_by": "委托方", "to_org": "受让方", "purchaser": "市场化收购主体", "owner": "资产权利人"}
        names = "或".join(labels.get(a, a) for a in allowed)
        raise PermissionDenied(f"只有{names}可以{what}", code="wrong_party")
    raise NotFound(not_found)


def _pass_title(actor: User, cert: Certificate, piece: Piece, to_org: Organisation, *, origin: str, agreement_ref: str,
                op_type: str, why: str) -> Transfer:
    """End ``piece`` and give its whole amount to ``to_org`` as a new live piece, recorded as a
    流转变更登记 (registration number, fee, debtor notified) exactly like an accepted transfer."""
    refuse_debtor(cert.debtor_id, to_org.pk, "to_org_id")  # every path checks first; this is the last guard
    today = today_china()
    now = timezone.now()
    from_org = piece.holder
    piece.status = PieceStatus.TRANSFERRED
    piece.ended_at = now
    piece.save(update_fields=["status", "ended_at"])
    new = _new_piece(cert, parent=piece, holder=to_org, amount_fen=piece.amount_fen, status=PieceStatus.LIVE, origin=origin)
    cert.save(update_fields=["piece_count"])
    t = Transfer.objects.create(
        piece=piece, from_org=from_org, to_org=to_org, amount_fen=piece.amount_fen, agreement_ref=agreement_ref[:100],
        status=OfferStatus.ACCEPTED, offered_by=actor, offered_at=now, deadline=today, decided_by=actor, decided_at=now,
        registration_no=next_number("BG", today.year), new_piece=new,
    )
    t.fee_fen = charge_fee(op_type, cert, base_fen=t.amount_fen, payer_a=from_org, payer_b=to_org,
                           reference=t.registration_no, today=today, transfer=t)
    t.save(update_fields=["fee_fen"])
    notify_all([debtor_notice(cert, t, from_org.name, to_org.name, why)])
    return t


def _holders_of(cert: Certificate) -> list[Organisation]:
    ids = set(Piece.objects.filter(certificate=cert, status__in=HOLDING_STATUSES).values_list("holder_id", flat=True))
    return list(Organisation.objects.filter(pk__in=ids).order_by("pk"))


def _settle_if_done(actor, cert: Certificate) -> bool:
    """A certificate with no held amount left is settled (注销 of its last piece)."""
    if Piece.objects.filter(certificate=cert, status__in=HOLDING_STATUSES).exists():
        return False
    cert.status = CertificateStatus.SETTLED
    cert.save(update_fields=["status"])
    audit.record(actor, "certificate.settled", cert, summary={"number": cert.number})
    return True


# === pledge (质押) ==============================================================================


def create_pledge(actor: User, piece_id: int, pledgee_id: int, amount_fen: int, contract_ref: str, secured_fen: int,
                  start_date: dt.date, end_date: dt.date, registration_required: bool = True) -> Pledge:
    """The holder pledges a piece (or part of it, split off first) to a pledgee member, usually a bank.

    The pledged amount is frozen at once; the pledge takes effect when the pledgee records the
    统一登记 registration (or confirms, outside the registration scope).
    """
    org = _member_actor(actor)
    cert_id = _held_certificate_id(piece_id, org)
    contract_ref = _text(contract_ref, "contract_ref_required", "请填写质押合同编号", "contract_ref")
    if secured_fen is None or secured_fen <= 0:
        raise DomainError("secured_not_positive", "担保主债权金额必须大于零", field="secured_fen")
    if secured_fen > _ceiling():
        raise DomainError("amount_too_large", f"担保主债权金额超过上限 {format_yuan(_ceiling())}", field="secured_fen")
    if start_date is None or end_date is None:
        raise DomainError("term_required", "请填写质押期限", field="end_date")
    if end_date < start_date:
        raise DomainError("term_reversed", "质押期限止日不能早于起日", field="end_date")
    today = today_china()
    if end_date < today:
        raise DomainError("term_ended", f"质押期限止日 {end_date:%Y-%m-%d} 已过", field="end_date")
    if pledgee_id == org.pk:
        raise DomainError("pledge_to_self", "不能向本机构出质", field="pledgee_id")
    pledgee = _active_org(pledgee_id, "pledgee_id", "质权人")
    if not pledgee.has_role(Role.MEMBER):  # it registers, releases and may take the piece itself: a member's acts
        raise DomainError("pledgee_not_member", f"质权人“{pledgee.name}”不是会员（合作银行须先登记为会员）", field="pledgee_id")
    with transaction.atomic():
        cert, piece = _lock_piece_for_holder(piece_id, org, cert_id)
        _require_active_certificate(cert, "质押")
        pledged = _reserve(cert, piece, amount_fen, PieceStatus.PLEDGED, "质押")
        pledge = Pledge.objects.create(
            number=next_number("ZY", today.year), certificate=cert, piece=pledged, pledgor=org, pledgee=pledgee,
            amount_fen=pledged.amount_fen, contract_ref=contract_ref, secured_fen=secured_fen, start_date=start_date,
            end_date=end_date, registration_required=bool(registration_required), created_by=actor,
        )
        audit.record(actor, "pledge.create", pledge, summary={
            "number": pledge.number, "piece": piece.number, "pledged_piece": pledged.number, "amount_fen": pledge.amount_fen,
            "pledgee": pledgee.pk, "contract_ref": contract_ref, "secured_fen": secured_fen,
            "term": [start_date.isoformat(), end_date.isoformat()], "registration_required": pledge.registration_required,
        })
        step = "在中征动产融资统一登记公示系统办理登记后录入登记编号" if pledge.registration_required else "确认后"
        notify(pledgee, f"收到质押：{format_yuan(pledge.amount_fen)}", (
            f"{org.name} 以凭证 {cert.number} 分段 {pledged.number} 项下债权 {format_yuan(pledge.amount_fen)} 出质（质押合同 "
            f"{contract_ref}），请{step}生效。"), obj=pledge)
        return pledge


def _lock_pledge(pledge_id: int, actor: User, allowed: tuple[str, ...], what: str) -> tuple[Certificate, Piece, Pledge, str]:
    row = Pledge.objects.filter(pk=pledge_id).values("certificate_id", "piece_id", "pledgor_id", "pledgee_id").first()
    if row is None:
        raise NotFound("质押不存在")
    side = _party_check(actor, {"pledgor": row["pledgor_id"], "pledgee": row["pledgee_id"]}, allowed, what, "质押不存在")
    cert, piece = _lock_cert_and_piece(row["certificate_id"], row["piece_id"])
    pledge = Pledge.objects.select_for_update(of=("self",)).select_related("pledgor", "pledgee").get(pk=pledge_id)
    return cert, piece, pledge, side


def _require_pledge_status(pledge: Pledge, *statuses: str) -> None:
    if pledge.status not in statuses:
        raise Conflict("pledge_state", f"质押 {pledge.number} 当前状态为“{pledge.get_status_display()}”，不能办理")


def register_pledge(actor: User, pledge_id: int, registration_no: str = "", registration_date: dt.date | None = None) -> Pledge:
    """The pledgee records the 统一登记 registration (number and date); the pledge takes effect."""
    _member_actor(actor)
    with transaction.atomic():
        cert, piece, pledge, _ = _lock_pledge(pledge_id, actor, ("pledgee",), "登记质押")
        _require_pledge_status(pledge, PledgeStatus.PENDING_REGISTRATION)
        today = today_china()
        if pledge.registration_required:
            registration_no = _text(registration_no, "registration_no_required",
                                    "请填写中征动产融资统一登记公示系统的登记编号", "registration_no", 40)
            if registration_date is None:
                raise DomainError("registration_date_required", "请填写登记日期", field="registration_date")
            if registration_date > today:
                raise DomainError("registration_date_future", "登记日期不能晚于今天", field="registration_date")
            pledge.registration_no = registration_no
            pledge.registration_date = registration_date
        pledge.status = PledgeStatus.EFFECTIVE
        pledge.effective_by = actor
        pledge.effective_at = timezone.now()
        pledge.fee_fen = charge_fee(OperationType.PLEDGE, cert, base_fen=pledge.amount_fen, payer_a=pledge.pledgor,
                                    payer_b=pledge.pledgee, reference=pledge.number, today=today)
        pledge.save()
        audit.record(actor, "pledge.effective", pledge, summary={
            "number": pledge.number, "piece": piece.number, "registration_no": pledge.registration_no,
            "registration_date": pledge.registration_date.isoformat() if pledge.registration_date else None, "fee_fen": pledge.fee_fen,
        })
        notify(pledge.pledgor, f"质押已生效：{pledge.number}", f"{pledge.pledgee.name} 已确认质押 {format_yuan(pledge.amount_fen)}"
               + (f"，统一登记编号 {pledge.registration_no}" if pledge.registration_no else "") + "。", obj=pledge)
        notify(cert.debtor, f"债权质押通知：凭证 {cert.number}", (
            f"{pledge.pledgor.name} 已将凭证 {cert.number} 分段 {piece.number} 项下债权 {format_yuan(pledge.amount_fen)} 出质给 "
            f"{pledge.pledgee.name}（质押编号 {pledge.number}）。质押期间该债权未经质权人同意不得转让或抵付。"),
            obj=pledge, kind="pledge_notice", requires_ack=True)
        return pledge


def cancel_pledge(actor: User, pledge_id: int, reason: str = "") -> Pledge:
    """Before it takes effect, either party may call the pledge off; the piece is live again."""
    _member_actor(actor)
    with transaction.atomic():
        _cert, piece, pledge, side = _lock_pledge(pledge_id, actor, ("pledgor", "pledgee"), "撤销质押")
        _require_pledge_status(pledge, PledgeStatus.PENDING_REGISTRATION)
        unfreeze(piece, PieceStatus.PLEDGED)
        pledge.status = PledgeStatus.CANCELLED
        pledge.closed_by = actor
        pledge.closed_at = timezone.now()
        pledge.close_reason = (reason or "").strip()[:MAX_TEXT]
        pledge.save()
        audit.record(actor, "pledge.cancel", pledge, summary={"number": pledge.number, "by": side, "reason": pledge.close_reason})
        other = pledge.pledgee if side == "pledgor" else pledge.pledgor
        notify(other, f"质押已撤销：{pledge.number}", pledge.close_reason or "未说明原因", obj=pledge)
        return pledge


def _close_open_pledged_transfers(actor: User, pledge: Pledge, why: str) -> None:
    """Open transfer requests end with the pledge: each is audited, and its transferee told."""
    for req in PledgedTransfer.objects.select_for_update().filter(pledge=pledge, status__in=[
            PledgedTransferStatus.REQUESTED, PledgedTransferStatus.CONSENTED]):
        req.status = PledgedTransferStatus.WITHDRAWN
        req.decided_by = actor
        req.decided_at = timezone.now()
        req.reason = why
        req.save()
        notify(req.to_org_id, f"质押债权转让已终止：{pledge.number}", f"{why}，该转让申请不再办理。", obj=req)
        audit.record(actor, "pledge.transfer_withdraw", req, summary={"pledge": pledge.number, "reason": why})


def release_pledge(actor: User, pledge_id: int, reason: str = "") -> Pledge:
    """解押: the pledgee releases; the piece is live and free again."""
    _member_actor(actor)
    with transaction.atomic():
        cert, piece, pledge, _ = _lock_pledge(pledge_id, actor, ("pledgee",), "解除质押")
        _require_pledge_status(pledge, PledgeStatus.EFFECTIVE)
        unfreeze(piece, PieceStatus.PLEDGED)
        _close_open_pledged_transfers(actor, pledge, "质押已解除")
        pledge.status = PledgeStatus.RELEASED
        pledge.closed_by = actor
        pledge.closed_at = timezone.now()
        pledge.close_reason = (reason or "解押").strip()[:MAX_TEXT]
        pledge.save()
        audit.record(actor, "pledge.release", pledge, summary={"number": pledge.number, "piece": piece.number, "reason": pledge.close_reason})
        notify(pledge.pledgor, f"质押已解除：{pledge.number}", f"分段 {piece.number} 已解押，可以继续流转或申请抵付。", obj=pledge)
        notify(cert.debtor, f"债权解押通知：凭证 {cert.number}", f"质押 {pledge.number}（分段 {piece.number}）已由 {pledge.pledgee.name} 解除。",
               obj=pledge, kind="pledge_notice")
        return pledge


def enforce_pledge(actor: User, pledge_id: int, *, default_date: dt.date, reason: str, agreement_ref: str,
                   buyer_org_id: int | None = None) -> Pledge:
    """质权实现 after the secured debt defaulted: the pledged claim passes to the pledgee (折价) or to
    the buyer it names (变卖); a 流转变更登记 is recorded and the debtor notified."""
    _member_actor(actor)
    reason = _text(reason, "reason_required", "请填写违约情况说明", "reason", MAX_TEXT)
    agreement_ref = _text(agreement_ref, "agreement_required", "请填写折价或变卖协议编号", "agreement_ref")
    today = today_china()
    if default_date is None:
        raise DomainError("default_date_required", "请填写违约日", field="default_date")
    if default_date > today:
        raise DomainError("default_date_future", "违约日不能晚于今天：质权只能在债务人不履行到期债务后实现", field="default_date")
    with transaction.atomic():
        cert, piece, pledge, _ = _lock_pledge(pledge_id, actor, ("pledgee",), "实现质权")
        _require_pledge_status(pledge, PledgeStatus.EFFECTIVE)
        if buyer_org_id and buyer_org_id != pledge.pledgee_id:
            if buyer_org_id == pledge.pledgor_id:
                raise DomainError("buyer_is_pledgor", "受让人不能是出质人本身", field="buyer_org_id")
            to_org = _member_org(buyer_org_id, "buyer_org_id", "受让人")
        else:
            to_org = pledge.pledgee
        refuse_debtor(cert.debtor_id, to_org.pk, "buyer_org_id", "通过质权实现受让")
        _close_open_pledged_transfers(actor, pledge, "质权已实现")
        why = "质权实现：质权人折价受让" if to_org.pk == pledge.pledgee_id else f"质权实现：质权人变卖给 {to_org.name}"
        t = _pass_title(actor, cert, piece, to_org, origin="enforcement", agreement_ref=agreement_ref, op_type=OperationType.TRANSFER, why=why)
        pledge.status = PledgeStatus.ENFORCED
        pledge.closed_by = actor
        pledge.closed_at = timezone.now()
        pledge.close_reason = reason
        pledge.default_date = default_date
        pledge.enforcement = t
        pledge.save()
        audit.record(actor, "pledge.enforce", pledge, summary={
            "number": pledge.number, "piece": piece.number, "new_piece": t.new_piece.number, "to": to_org.pk,
            "registration_no": t.registration_no, "default_date": default_date.isoformat(), "reason": reason,
            "agreement_ref": agreement_ref, "fee_fen": t.fee_fen,
        })
        notify(pledge.pledgor, f"质权已实现：{pledge.number}", f"因 {reason}，分段 {piece.number} 项下债权已转让给 {to_org.name}（登记 {t.registration_no}）。", obj=pledge)
        if to_org.pk != pledge.pledgee_id:
            notify(to_org, f"受让债权：{format_yuan(t.amount_fen)}", f"{pledge.pledgee.name} 实现质权，凭证 {cert.number} 项下债权已登记至贵机构（{t.registration_no}）。", obj=t)
        return pledge


def request_pledged_transfer(actor: User, pledge_id: int, to_org_id: int, agreement_ref: str) -> PledgedTransfer:
    """The pledgor asks to transfer a pledged piece; it needs the pledgee's consent, then the
    transferee's acceptance. Until then the piece stays pledged."""
    org = _member_actor(actor)
    agreement_ref = _text(agreement_ref, "agreement_required", "请填写债权转让协议编号", "agreement_ref")
    with transaction.atomic():
        cert, _piece, pledge, _ = _lock_pledge(pledge_id, actor, ("pledgor",), "申请转让质押分段")
        _require_pledge_status(pledge, PledgeStatus.EFFECTIVE)
        if to_org_id == org.pk:
            raise DomainError("transfer_to_self", "不能转让给本机构", field="to_org_id")
        to_org = _member_org(to_org_id, "to_org_id", "受让方")
        refuse_debtor(cert.debtor_id, to_org.pk, "to_org_id")
        if PledgedTransfer.objects.filter(pledge=pledge, status__in=[PledgedTransferStatus.REQUESTED, PledgedTransferStatus.CONSENTED]).exists():
            raise Conflict("pledged_transfer_open", f"质押 {pledge.number} 已有办理中的转让申请")
        req = PledgedTransfer.objects.create(pledge=pledge, to_org=to_org, agreement_ref=agreement_ref, requested_by=actor)
        audit.record(actor, "pledge.transfer_request", req, summary={"pledge": pledge.number, "to": to_org.pk, "agreement_ref": agreement_ref})
        notify(pledge.pledgee, f"出质人申请转让质押债权：{pledge.number}", (
            f"{org.name} 申请将已质押的 {format_yuan(pledge.amount_fen)} 转让给 {to_org.name}。同意后质押随转让完成而解除，"
            f"转让所得价款应按约定提前清偿或提存（《民法典》第四百四十五条）。"), obj=req)
        return req


def _lock_pledged_transfer(req_id: int, actor: User, allowed: tuple[str, ...], what: str):
    row = PledgedTransfer.objects.filter(pk=req_id).values(
        "pledge_id", "pledge__certificate_id", "pledge__piece_id", "pledge__pledgor_id", "pledge__pledgee_id", "to_org_id").first()
    if row is None:
        raise NotFound("转让申请不存在")
    side = _party_check(actor, {"pledgor": row["pledge__pledgor_id"], "pledgee": row["pledge__pledgee_id"], "to_org": row["to_org_id"]},
                        allowed, what, "转让申请不存在")
    cert, piece = _lock_cert_and_piece(row["pledge__certificate_id"], row["pledge__piece_id"])
    pledge = Pledge.objects.select_for_update(of=("self",)).select_related("pledgor", "pledgee").get(pk=row["pledge_id"])
    req = PledgedTransfer.objects.select_for_update(of=("self",)).select_related("to_org").get(pk=req_id)
    return cert, piece, pledge, req, side


def consent_pledged_transfer(actor: User, req_id: int, agree: bool, note: str = "") -> PledgedTransfer:
    """The pledgee consents (stating how the proceeds are applied: 提前清偿 or 提存) or refuses."""
    _member_actor(actor)
    with transaction.atomic():
        _cert, _piece, pledge, req, _ = _lock_pledged_transfer(req_id, actor, ("pledgee",), "同意转让质押债权")
        if req.status != PledgedTransferStatus.REQUESTED:
            raise Conflict("pledged_transfer_state", f"该转让申请当前状态为“{req.get_status_display()}”，不能办理")
        if agree:
            req.proceeds_arrangement = _text(note, "proceeds_required", "请填写转让价款安排（提前清偿或提存）", "note", MAX_TEXT)
            req.status = PledgedTransferStatus.CONSENTED
            req.consented_by = actor
            req.consented_at = timezone.now()
        else:
            req.reason = _text(note, "reason_required", "请填写不同意的理由", "note", MAX_TEXT)
            req.status = PledgedTransferStatus.REFUSED
            req.decided_by = actor
            req.decided_at = timezone.now()
        req.save()
        audit.record(actor, "pledge.transfer_consent" if agree else "pledge.transfer_refuse", req,
                     summary={"pledge": pledge.number, "note": note.strip()[:MAX_TEXT]})
        if agree:
            notify(req.to_org, f"请接收债权转让：{format_yuan(pledge.amount_fen)}", (
                f"{pledge.pledgor.name} 经质权人 {pledge.pledgee.name} 同意，向贵机构转让凭证债权 {format_yuan(pledge.amount_fen)}"
                f"（协议 {req.agreement_ref}）。接收后质押解除，贵机构取得不附质押的债权。"), obj=req)
        notify(pledge.pledgor, f"质权人{'同意' if agree else '不同意'}转让：{pledge.number}", note.strip()[:MAX_TEXT], obj=req)
        return req


def accept_pledged_transfer(actor: User, req_id: int, agree: bool = True, reason: str = "") -> PledgedTransfer:
    """The transferee accepts: title passes, the pledge is released (质押随经同意的转让解除)."""
    _member_actor(actor)
    with transaction.atomic():
        cert, piece, pledge, req, _ = _lock_pledged_transfer(req_id, actor, ("to_org",), "接收该转让")
        if req.status != PledgedTransferStatus.CONSENTED:
            raise Conflict("pledged_transfer_state", f"该转让申请当前状态为“{req.get_status_display()}”，不能接收")
        _require_pledge_status(pledge, PledgeStatus.EFFECTIVE)
        now = timezone.now()
        req.decided_by = actor
        req.decided_at = now
        if not agree:
            req.status = PledgedTransferStatus.DECLINED
            req.reason = (reason or "").strip()[:MAX_TEXT]
            req.save()
            audit.record(actor, "pledge.transfer_decline", req, summary={"pledge": pledge.number, "reason": req.reason})
            notify(pledge.pledgor, "受让方拒收质押债权转让", req.reason or "未说明原因", obj=req)
            return req
        t = _pass_title(actor, cert, piece, req.to_org, origin="transfer", agreement_ref=req.agreement_ref,
                        op_type=OperationType.TRANSFER, why=f"经质权人 {pledge.pledgee.name} 同意转让，质押 {pledge.number} 解除")
        req.status = PledgedTransferStatus.COMPLETED
        req.transfer = t
        req.save()
        pledge.status = PledgeStatus.RELEASED
        pledge.closed_by = actor
        pledge.closed_at = now
        pledge.close_reason = f"经质权人同意转让给 {req.to_org.name}（登记 {t.registration_no}），价款安排：{req.proceeds_arrangement}"[:MAX_TEXT]
        pledge.save()
        audit.record(actor, "pledge.transfer_complete", req, summary={
            "pledge": pledge.number, "from_piece": piece.number, "new_piece": t.new_piece.number, "registration_no": t.registration_no,
            "to": req.to_org_id, "amount_fen": t.amount_fen, "fee_fen": t.fee_fen,
        })
        for org in (pledge.pledgor, pledge.pledgee):
            notify(org, f"质押债权已转让，质押解除：{pledge.number}", f"{req.to_org.name} 已接收 {format_yuan(t.amount_fen)}（登记 {t.registration_no}）。", obj=req)
        return req


def withdraw_pledged_transfer(actor: User, req_id: int) -> PledgedTransfer:
    _member_actor(actor)
    with transaction.atomic():
        _cert, _piece, pledge, req, _ = _lock_pledged_transfer(req_id, actor, ("pledgor",), "撤回转让申请")
        if req.status not in (PledgedTransferStatus.REQUESTED, PledgedTransferStatus.CONSENTED):
            raise Conflict("pledged_transfer_state", f"该转让申请当前状态为“{req.get_status_display()}”，不能撤回")
        req.status = PledgedTransferStatus.WITHDRAWN
        req.decided_by = actor
        req.decided_at = timezone.now()
        req.save()
        audit.record(actor, "pledge.transfer_withdraw", req, summary={"pledge": pledge.number})
        notify(pledge.pledgee, f"出质人撤回转让申请：{pledge.number}", "", obj=req)
        return req


# === purchase with lock-up (附带锁定期的收购) ====================================================


def prepare_provider(actor: User, org_id: int, capacity_fen: int, note: str = "") -> PurchaseProvider:
    """Operator (maker) proposes approving an organisation as purchase-service provider, or a new capacity."""
    require_write_access(actor)
    require_role(actor, Role.OPERATOR)
    if capacity_fen is None or capacity_fen < 0:
        raise DomainError("capacity_negative", "收购承诺额度不能为负（填 0 即暂停）", field="capacity_fen")
    if capacity_fen > _ceiling():
        raise DomainError("amount_too_large", f"收购承诺额度超过上限 {format_yuan(_ceiling())}", field="capacity_fen")
    org = _member_org(org_id, "org_id", "服务提供方")
    if org.has_any_role([Role.REGULATOR, Role.BUREAU]):
        raise DomainError("provider_role", f"“{org.name}”为监管或财政部门，不能提供收购服务", field="org_id")
    with transaction.atomic():
        PurchaseProvider.objects.bulk_create([PurchaseProvider(org=org)], ignore_conflicts=True)
        provider = PurchaseProvider.objects.select_for_update().get(org=org)
        if provider.proposed_capacity_fen is not None:
            raise Conflict("provider_pending", f"“{org.name}”已有待复核的额度调整")
        provider.proposed_capacity_fen = capacity_fen
        provider.proposed_by = actor
        provider.proposed_at = timezone.now()
        provider.note = (note or "").strip()[:MAX_TEXT]
        provider.save()
        audit.record(actor, "purchase.provider_prepare", provider, summary={
            "org": org.pk, "capacity_fen": capacity_fen, "current_fen": provider.capacity_fen, "note": provider.note})
        return provider


def decide_provider(actor: User, provider_id: int, agree: bool, reason: str = "") -> PurchaseProvider:
    """A different operator user (checker) approves the proposal, or sends it back."""
    require_write_access(actor)
    require_role(actor, Role.OPERATOR)
    with transaction.atomic():
        provider = PurchaseProvider.objects.select_for_update(of=("self",)).select_related("org").filter(pk=provider_id).first()
        if provider is None:
            raise NotFound("服务提供方不存在")
        if provider.proposed_capacity_fen is None:
            raise Conflict("provider_not_pending", "没有待复核的额度调整")
        require_checker(provider.proposed_by_id, actor)
        proposed = provider.proposed_capacity_fen
        if agree:
            before = provider.capacity_fen
            provider.capacity_fen = proposed
            provider.approved_at = timezone.now()
            provider.approved_by = actor
        elif not (reason or "").strip():
            raise DomainError("reason_required", "复核不同意时必须填写理由", field="reason")
        provider.proposed_capacity_fen = None
        provider.proposed_by = None
        provider.proposed_at = None
        provider.save()
        audit.record(actor, "purchase.provider_approve" if agree else "purchase.provider_send_back", provider, summary={
            "org": provider.org_id, "capacity_fen": proposed, "reason": (reason or "").strip()[:MAX_TEXT],
            **({"before_fen": before} if agree else {}),
        })
        if agree:
            notify(provider.org, "收购服务提供方认可", f"债权管理服务机构认可贵机构提供附带锁定期的收购服务，收购承诺额度 {format_yuan(proposed)}。", obj=provider)
        return provider


def provider_outstanding_fen(org_id: int) -> int:
    """Purchase price the provider may still have to pay under its commitments."""
    return providers_outstanding_fen([org_id])[org_id]


def providers_outstanding_fen(org_ids: list[int]) -> dict[int, int]:
    """``provider_outstanding_fen`` for many providers in two grouped queries (list pages)."""
    out = dict.fromkeys(org_ids, 0)
    for row in PurchaseCommitment.objects.filter(provider_id__in=org_ids, status=CommitmentStatus.ACTIVE).values("provider_id").annotate(
            t=Sum(F("limit_fen") - F("used_fen"))):
        out[row["provider_id"]] += row["t"] or 0
    for row in PurchaseSale.objects.filter(commitment__provider_id__in=org_ids, status=SaleStatus.APPLIED).exclude(
            commitment__status=CommitmentStatus.ACTIVE).values("commitment__provider_id").annotate(t=Sum("price_fen")):
        out[row["commitment__provider_id"]] += row["t"] or 0
    return out


def request_commitment(actor: User, cert_id: int, provider_org_id: int, *, price_kind: str, price_bp: int | None = None,
                       fixed_price_fen: int | None = None, lockup_end: dt.date, expiry: dt.date, conditions: str = "",
                       agreement_ref: str = "") -> PurchaseCommitment:
    """A holder (or the creditor or debtor) entrusts an approved provider with a purchase commitment
    on the certificate: price, lock-up end, expiry, conditions. The provider then accepts."""
    org = _member_actor(actor)
    cert = Certificate.objects.filter(pk=cert_id).first()
    if cert is None or not is_certificate_party(cert, org.pk):
        if cert is not None and sees_all(actor):
            raise PermissionDenied("只有凭证持有人、债权人或债务人可以委托收购承诺", code="wrong_party")
        raise NotFound("凭证不存在")
    agreement_ref = _text(agreement_ref, "agreement_required", "请填写委托协议编号", "agreement_ref")
    if price_kind not in PriceKind.values:
        raise DomainError("price_kind_invalid", "请选择价格方式（按比例或固定价格）", field="price_kind")
    if price_kind == PriceKind.PERCENT:
        if price_bp is None or price_bp <= 0:
            raise DomainError("price_not_positive", "收购价格必须大于零", field="price_bp")
        if price_bp > rules.BP_PER_WHOLE:
            raise DomainError("price_above_face", "收购价格不能高于债权金额的 100%", field="price_bp")
        fixed_price_fen = None
    else:
        if fixed_price_fen is None or fixed_price_fen <= 0:
            raise DomainError("price_not_positive", "收购价格必须大于零", field="fixed_price_fen")
        if fixed_price_fen > _ceiling():
            raise DomainError("amount_too_large", f"收购价格超过上限 {format_yuan(_ceiling())}", field="fixed_price_fen")
        if fixed_price_fen > cert.face_fen:
            raise DomainError("price_above_face", f"固定收购价 {format_yuan(fixed_price_fen)} 高于凭证面额 {format_yuan(cert.face_fen)}",
                              field="fixed_price_fen")
        price_bp = None
    today = today_china()
    if lockup_end is None or lockup_end < today:
        raise DomainError("lockup_past", "锁定期截止日不能早于今天", field="lockup_end")
    if expiry is None or expiry <= lockup_end:
        raise DomainError("expiry_not_after_lockup", "承诺有效期必须晚于锁定期截止日，否则持有人无法在锁定期满后申请", field="expiry")
    if provider_org_id == org.pk:
        raise DomainError("provider_self", "不能委托本机构为自己提供收购承诺", field="provider_org_id")
    refuse_debtor(cert.debtor_id, provider_org_id, "provider_org_id", "收购")
    provider = PurchaseProvider.objects.select_related("org").filter(org_id=provider_org_id).first()
    if provider is None or not provider.is_approved:
        name = provider.org.name if provider else "该机构"
        raise DomainError("provider_not_approved", f"{name}不是经债权管理服务机构认可的收购服务提供方", field="provider_org_id")
    limit = rules.purchase_price(cert.face_fen, cert.face_fen, kind=price_kind, price_bp=price_bp, fixed_price_fen=fixed_price_fen)
    with transaction.atomic():
        cert = Certificate.objects.select_for_update(of=("self",)).get(pk=cert_id)
        _require_active_certificate(cert, "办理收购承诺")
        c = PurchaseCommitment.objects.create(
            number=next_number("SG", today.year), certificate=cert, provider=provider.org, entrusted_by=org, price_kind=price_kind,
            price_bp=price_bp, fixed_price_fen=fixed_price_fen, limit_fen=limit, lockup_end=lockup_end, expiry=expiry,
            conditions=(conditions or "").strip()[:2000], agreement_ref=agreement_ref, created_by=actor,
        )
        audit.record(actor, "purchase.commitment_request", c, summary={
            "number": c.number, "certificate": cert.number, "provider": provider.org_id, "price_kind": price_kind, "price_bp": price_bp,
            "fixed_price_fen": fixed_price_fen, "limit_fen": limit, "lockup_end": lockup_end.isoformat(), "expiry": expiry.isoformat(),
        })
        notify(provider.org, f"收购承诺委托：凭证 {cert.number}", (
            f"{org.name} 委托贵机构为凭证 {cert.number}（面额 {format_yuan(cert.face_fen)}）提供附带锁定期的收购承诺：{c.price_label}，"
            f"锁定期至 {lockup_end:%Y-%m-%d}，有效期至 {expiry:%Y-%m-%d}。请接受或拒绝。"), obj=c)
        return c


def _lock_commitment(commitment_id: int, actor: User, allowed: tuple[str, ...], what: str):
    row = PurchaseCommitment.objects.filter(pk=commitment_id).values("certificate_id", "provider_id", "entrusted_by_id").first()
    if row is None:
        raise NotFound("收购承诺不存在")
    side = _party_check(actor, {"provider": row["provider_id"], "entrusted_by": row["entrusted_by_id"]}, allowed, what, "收购承诺不存在")
    cert = Certificate.objects.select_for_update(of=("self",)).get(pk=row["certificate_id"])
    c = PurchaseCommitment.objects.select_for_update(of=("self",)).select_related("provider", "entrusted_by").get(pk=commitment_id)
    return cert, c, side


def accept_commitment(actor: User, commitment_id: int) -> PurchaseCommitment:
    """The provider accepts; its outstanding commitments may not exceed its approved capacity."""
    _member_actor(actor)
    with transaction.atomic():
        cert, c, _ = _lock_commitment(commitment_id, actor, ("provider",), "接受收购承诺")
        if c.status != CommitmentStatus.REQUESTED:
            raise Conflict("commitment_state", f"收购承诺 {c.number} 当前状态为“{c.get_status_display()}”，不能接受")
        _require_active_certificate(cert, "接受收购承诺")
        refuse_debtor(cert.debtor_id, c.provider_id, None, "收购")  # a commitment to the debtor from before the rule
        if c.expiry < today_china():
            raise DomainError("commitment_expired", f"承诺有效期 {c.expiry:%Y-%m-%d} 已过")
        provider = PurchaseProvider.objects.select_for_update().filter(org_id=c.provider_id).first()
        if provider is None or not provider.is_approved:
            raise PermissionDenied("贵机构不是经债权管理服务机构认可的收购服务提供方（或额度已暂停）", code="provider_not_approved")
        outstanding = provider_outstanding_fen(c.provider_id)
        if outstanding + c.limit_fen > provider.capacity_fen:
            raise DomainError("capacity_exceeded", (
                f"接受后未履行的收购承诺将达 {format_yuan(outstanding + c.limit_fen)}，超过认可额度 {format_yuan(provider.capacity_fen)}"
                f"（现有 {format_yuan(outstanding)}，本笔 {format_yuan(c.limit_fen)}）"))
        c.status = CommitmentStatus.ACTIVE
        c.decided_by = actor
        c.decided_at = timezone.now()
        c.save()
        audit.record(actor, "purchase.commitment_accept", c, summary={"number": c.number, "limit_fen": c.limit_fen,
                                                                      "outstanding_after_fen": outstanding + c.limit_fen})
        notify(c.entrusted_by, f"收购承诺已生效：{c.number}", f"{c.provider.name} 已接受凭证 {cert.number} 的收购承诺。", obj=c)
        for holder in _holders_of(cert):
            if holder.pk != c.entrusted_by_id:
                notify(holder, f"凭证 {cert.number} 获得收购承诺", (
                    f"{c.provider.name} 承诺在锁定期（至 {c.lockup_end:%Y-%m-%d}）满后按 {c.price_label} 收购，有效期至 {c.expiry:%Y-%m-%d}。"), obj=c)
        return c


def close_commitment(actor: User, commitment_id: int, reason: str = "") -> PurchaseCommitment:
    """Before acceptance: the provider declines, or the entrusting party withdraws."""
    _member_actor(actor)
    with transaction.atomic():
        _cert, c, side = _lock_commitment(commitment_id, actor, ("provider", "entrusted_by"), "处理收购承诺")
        if c.status != CommitmentStatus.REQUESTED:
            raise Conflict("commitment_state", f"收购承诺 {c.number} 当前状态为“{c.get_status_display()}”，不能{'拒绝' if side == 'provider' else '撤回'}")
        c.status = CommitmentStatus.DECLINED if side == "provider" else CommitmentStatus.WITHDRAWN
        c.decided_by = actor
        c.decided_at = timezone.now()
        c.decision_reason = (reason or "").strip()[:MAX_TEXT]
        c.save()
        audit.record(actor, f"purchase.commitment_{c.status}", c, summary={"number": c.number, "reason": c.decision_reason})
        notify(c.entrusted_by if side == "provider" else c.provider, f"收购承诺{c.get_status_display()}：{c.number}", c.decision_reason, obj=c)
        return c


def apply_sale(actor: User, piece_id: int, commitment_id: int, amount_fen: int) -> PurchaseSale:
    """After lock-up the current holder of a covered piece applies to sell it to the provider.

    Refused before lock-up ends (the message gives the first day) and after the commitment expires.
    """
    org = _member_actor(actor)
    cert_id = _held_certificate_id(piece_id, org)
    c = PurchaseCommitment.objects.filter(pk=commitment_id, certificate_id=cert_id).first()
    if c is None:
        raise NotFound("收购承诺不存在")
    today = today_china()
    with transaction.atomic():
        cert, piece = _lock_piece_for_holder(piece_id, org, cert_id)
        c = PurchaseCommitment.objects.select_for_update(of=("self",)).select_related("provider").get(pk=commitment_id)
        if c.status != CommitmentStatus.ACTIVE:
            raise DomainError("commitment_not_active", f"收购承诺 {c.number} 当前状态为“{c.get_status_display()}”，不能申请收购")
        if today < rules.first_sale_day(c.lockup_end):
            raise DomainError("locked_until", (
                f"收购承诺 {c.number} 的锁定期至 {c.lockup_end:%Y-%m-%d}（含）届满，"
                f"{rules.first_sale_day(c.lockup_end):%Y-%m-%d} 起方可申请收购"))
        if today > c.expiry:
            raise DomainError("commitment_expired", f"收购承诺 {c.number} 有效期至 {c.expiry:%Y-%m-%d}，已过期")
        if c.provider_id == org.pk:
            raise DomainError("seller_is_provider", "持有人即收购服务提供方，无需申请收购")
        refuse_debtor(cert.debtor_id, c.provider_id, None, "收购")  # before the piece is frozen and the price paid
        _require_active_certificate(cert, "申请收购")
        reserved = _reserve(cert, piece, amount_fen, PieceStatus.SELLING, "收购")
        price = rules.purchase_price(reserved.amount_fen, cert.face_fen, kind=c.price_kind, price_bp=c.price_bp,
                                     fixed_price_fen=c.fixed_price_fen)
        pending = PurchaseSale.objects.filter(commitment=c, status=SaleStatus.APPLIED).aggregate(t=Sum("price_fen"))["t"] or 0
        room = c.limit_fen - c.used_fen - pending
        if room <= 0:
            raise DomainError("commitment_exhausted", f"收购承诺 {c.number} 的承诺总价已用完")
        price = min(price, room)  # rounding of many small pieces never exceeds the committed total
        sale = PurchaseSale.objects.create(
            number=next_number("SS", today.year), commitment=c, certificate=cert, piece=reserved, holder=org,
            amount_fen=reserved.amount_fen, price_fen=price, applied_by=actor,
        )
        audit.record(actor, "purchase.sale_apply", sale, summary={
            "number": sale.number, "commitment": c.number, "piece": piece.number, "reserved_piece": reserved.number,
            "amount_fen": sale.amount_fen, "price_fen": price,
        })
        notify(c.provider, f"收购申请：{format_yuan(sale.amount_fen)}", (
            f"{org.name} 依据收购承诺 {c.number} 申请转让凭证 {cert.number} 项下债权 {format_yuan(sale.amount_fen)}，"
            f"收购价款 {format_yuan(price)}。请付款后确认。"), obj=sale)
        return sale


def _lock_sale(sale_id: int, actor: User, allowed: tuple[str, ...], what: str):
    row = PurchaseSale.objects.filter(pk=sale_id).values("certificate_id", "piece_id", "holder_id", "commitment__provider_id").first()
    if row is None:
        raise NotFound("收购申请不存在")
    side = _party_check(actor, {"holder": row["holder_id"], "provider": row["commitment__provider_id"]}, allowed, what, "收购申请不存在")
    cert, piece = _lock_cert_and_piece(row["certificate_id"], row["piece_id"])
    sale = PurchaseSale.objects.select_for_update(of=("self",)).select_related("holder").get(pk=sale_id)
    c = PurchaseCommitment.objects.select_for_update(of=("self",)).select_related("provider").get(pk=sale.commitment_id)
    if sale.status != SaleStatus.APPLIED:
        raise Conflict("sale_state", f"收购申请 {sale.number} 当前状态为“{sale.get_status_display()}”，不能办理")
    return cert, piece, sale, c, side


def confirm_sale(actor: User, sale_id: int, *, payment_fen: int, payment_date: dt.date, payment_ref: str) -> PurchaseSale:
    """The provider confirms payment (made outside the platform); title passes to the provider."""
    _member_actor(actor)
    payment_ref = _text(payment_ref, "payment_ref_required", "请填写付款银行流水号", "payment_ref", 60)
    today = today_china()
    with transaction.atomic():
        cert, piece, sale, c, _ = _lock_sale(sale_id, actor, ("provider",), "确认收购")
        if payment_fen is None or payment_fen <= 0:
            raise DomainError("payment_not_positive", "付款金额必须大于零", field="payment_fen")
        if payment_fen != sale.price_fen:
            raise DomainError("payment_mismatch", f"付款金额 {format_yuan(payment_fen)} 与约定收购价款 {format_yuan(sale.price_fen)} 不一致",
                              field="payment_fen")
        if payment_date is None or payment_date > today:
            raise DomainError("payment_date_invalid", "付款日期不能晚于今天", field="payment_date")
        t = _pass_title(actor, cert, piece, c.provider, origin="purchase", agreement_ref=c.agreement_ref,
                        op_type=OperationType.PURCHASE, why=f"依收购承诺 {c.number} 收购")
        PurchaseCommitment.objects.filter(pk=c.pk).update(used_fen=F("used_fen") + sale.price_fen)
        sale.status = SaleStatus.COMPLETED
        sale.decided_by = actor
        sale.decided_at = timezone.now()
        sale.payment_fen = payment_fen
        sale.payment_date = payment_date
        sale.payment_ref = payment_ref
        sale.transfer = t
        sale.save()
        audit.record(actor, "purchase.sale_complete", sale, summary={
            "number": sale.number, "commitment": c.number, "piece": piece.number, "new_piece": t.new_piece.number,
            "registration_no": t.registration_no, "payment_fen": payment_fen, "payment_date": payment_date.isoformat(),
            "payment_ref": payment_ref, "fee_fen": t.fee_fen,
        })
        notify(sale.holder, f"收购已完成：{sale.number}", (
            f"{c.provider.name} 已支付 {format_yuan(payment_fen)}（{payment_date:%Y-%m-%d}，流水 {payment_ref}），"
            f"债权 {format_yuan(sale.amount_fen)} 已登记至收购方（{t.registration_no}）。"), obj=sale)
        return sale


def close_sale(actor: User, sale_id: int, reason: str = "") -> PurchaseSale:
    """The provider refuses (reason required), or the holder withdraws; the piece is live again."""
    _member_actor(actor)
    with transaction.atomic():
        _cert, piece, sale, c, side = _lock_sale(sale_id, actor, ("provider", "holder"), "处理收购申请")
        reason = (reason or "").strip()[:MAX_TEXT]
        if side == "provider" and not reason:
            raise DomainError("reason_required", "拒绝收购时必须说明理由（例如不符合收购条件）", field="reason")
        unfreeze(piece, PieceStatus.SELLING)
        sale.status = SaleStatus.REFUSED if side == "provider" else SaleStatus.WITHDRAWN
        sale.decided_by = actor
        sale.decided_at = timezone.now()
        sale.reason = reason
        sale.save()
        audit.record(actor, f"purchase.sale_{sale.status}", sale, summary={"number": sale.number, "piece": piece.number, "reason": reason})
        notify(sale.holder if side == "provider" else c.provider, f"收购申请{sale.get_status_display()}：{sale.number}", reason, obj=sale)
        return sale


# === offset (资产抵付 / 消费抵付) and cancellation ================================================


def add_asset(actor: User, *, kind: str, name: str, list_price_fen: int, location: str = "", title_no: str = "") -> OffsetAsset:
    """A debtor lists an asset for asset offset; a housing-revitalisation entity lists pool units."""
    org = _member_actor(actor)
    if not org.has_any_role([Role.MEMBER, Role.HOUSING]):
        raise PermissionDenied("只有会员或存量房盘活主体可以登记抵付资产", code="role_required")
    if kind not in AssetKind.values:
        raise DomainError("asset_kind_invalid", "资产类别不正确", field="kind")
    name = _text(name, "asset_name_required", "请填写资产名称", "name", 200)
    if list_price_fen is None or list_price_fen <= 0:
        raise DomainError("price_not_positive", "挂牌价必须大于零", field="list_price_fen")
    if list_price_fen > _ceiling():
        raise DomainError("amount_too_large", f"挂牌价超过上限 {format_yuan(_ceiling())}", field="list_price_fen")
    with transaction.atomic():
        asset = OffsetAsset.objects.create(owner=org, kind=kind, name=name, list_price_fen=list_price_fen,
                                           location=(location or "").strip()[:300], title_no=(title_no or "").strip()[:100], created_by=actor)
        audit.record(actor, "asset.add", asset, summary={"name": name, "kind": kind, "list_price_fen": list_price_fen, "title_no": asset.title_no})
        return asset


def withdraw_asset(actor: User, asset_id: int) -> OffsetAsset:
    _member_actor(actor)
    with transaction.atomic():
        asset = OffsetAsset.objects.select_for_update().filter(pk=asset_id).first()
        if asset is None:
            raise NotFound("资产不存在")
        _party_check(actor, {"owner": asset.owner_id}, ("owner",), "下架该资产", "资产不存在")
        if asset.status != AssetStatus.AVAILABLE:
            raise Conflict("asset_state", f"资产“{asset.name}”当前状态为“{asset.get_status_display()}”，不能下架")
        asset.status = AssetStatus.WITHDRAWN
        asset.save(update_fields=["status"])
        audit.record(actor, "asset.withdraw", asset, summary={"name": asset.name})
        return asset


def apply_offset(actor: User, piece_id: int, kind: str, amount_fen: int, note: str = "") -> OffsetApplication:
    """The holder applies to the debtor for asset or consumption offset; the amount is reserved."""
    org = _member_actor(actor)
    cert_id = _held_certificate_id(piece_id, org)
    if kind not in OffsetKind.values:
        raise DomainError("offset_kind_invalid", "请选择资产抵付或消费抵付", field="kind")
    today = today_china()
    with transaction.atomic():
        cert, piece = _lock_piece_for_holder(piece_id, org, cert_id)
        app = cert.application
        agreed = app.settle_by_asset if kind == OffsetKind.ASSET else app.settle_by_consumption
        if not agreed:
            raise DomainError("offset_kind_not_agreed", f"凭证 {cert.number} 约定的清偿方式为“{app.settlement_label}”，不能申请{OffsetKind(kind).label}",
                              field="kind")
        if cert.debtor_id == org.pk:
            raise DomainError("holder_is_debtor", "持有人即债务人，债权因混同消灭，无需抵付")
        _require_active_certificate(cert, "申请抵付")
        reserved = _reserve(cert, piece, amount_fen, PieceStatus.OFFSETTING, "抵付")
        off = OffsetApplication.objects.create(
            number=next_number("DF", today.year), kind=kind, certificate=cert, piece=reserved, holder=org, debtor=cert.debtor,
            amount_fen=reserved.amount_fen, note=(note or "").strip()[:MAX_TEXT], applied_by=actor,
        )
        audit.record(actor, "piece.offset_apply", off, summary={
            "number": off.number, "kind": kind, "piece": piece.number, "reserved_piece": reserved.number, "amount_fen": off.amount_fen})
        notify(cert.debtor, f"{off.get_kind_display()}申请：{format_yuan(off.amount_fen)}", (
            f"{org.name} 以凭证 {cert.number} 项下债权 {format_yuan(off.amount_fen)} 申请{off.get_kind_display()}。请核查持有人身份及债权状态后"
            f"提供可选{'资产清单' if kind == OffsetKind.ASSET else '消费范围'}。"), obj=off)
        return off


def _lock_offset(offset_id: int, actor: User, allowed: tuple[str, ...], what: str):
    row = OffsetApplication.objects.filter(pk=offset_id).values("certificate_id", "piece_id", "holder_id", "debtor_id").first()
    if row is None:
        raise NotFound("抵付申请不存在")
    side = _party_check(actor, {"holder": row["holder_id"], "debtor": row["debtor_id"]}, allowed, what, "抵付申请不存在")
    cert, piece = _lock_cert_and_piece(row["certificate_id"], row["piece_id"])
    off = OffsetApplication.objects.select_for_update(of=("self",)).select_related("holder", "debtor").get(pk=offset_id)
    return cert, piece, off, side


def _require_offset_status(off: OffsetApplication, *statuses: str, what: str) -> None:
    if off.status not in statuses:
        raise Conflict("offset_state", f"抵付申请 {off.number} 当前状态为“{off.get_status_display()}”，不能{what}")


def _eligible_assets(debtor_id: int):
    """The debtor's own available assets and the housing pool (存量房盘活主体的房源)."""
    return OffsetAsset.objects.filter(status=AssetStatus.AVAILABLE).filter(
        Q(owner_id=debtor_id) | Q(owner__roles__role=Role.HOUSING, owner__status=OrgStatus.ACTIVE)).distinct()


def offer_offset_options(actor: User, offset_id: int, *, asset_ids: list[int] | None = None, consumption_scope: str = "") -> OffsetApplication:
    """The debtor checks the holder and the piece, then offers a list of assets or a consumption scope."""
    _member_actor(actor)
    with transaction.atomic():
        _cert, piece, off, _ = _lock_offset(offset_id, actor, ("debtor",), "提供抵付清单")
        _require_offset_status(off, OffsetStatus.APPLIED, OffsetStatus.OPTIONS_OFFERED, what="提供清单")
        if piece.status != PieceStatus.OFFSETTING or piece.holder_id != off.holder_id:  # pragma: no cover - locked
            raise Conflict("piece_state", f"凭证分段 {piece.number} 状态异常，不能办理抵付")
        if off.holder.status != OrgStatus.ACTIVE:
            raise DomainError("holder_inactive", f"持有人“{off.holder.name}”当前状态为“{off.holder.get_status_display()}”，不能办理抵付")
        if off.kind == OffsetKind.ASSET:
            ids = sorted(set(asset_ids or []))
            if not ids:
                raise DomainError("assets_required", "请至少选择一项可抵付资产", field="asset_ids")
            assets = list(_eligible_assets(off.debtor_id).filter(pk__in=ids))
            if len(assets) != len(ids):
                raise DomainError("asset_not_eligible", "所选资产须为债务人本机构或存量房盘活主体名下、当前可抵付的资产", field="asset_ids")
            off.offered_assets.set(assets)
            summary = {"assets": ids}
        else:
            off.consumption_scope = _text(consumption_scope, "scope_required", "请填写可消费范围", "consumption_scope", MAX_TEXT)
            summary = {"scope": off.consumption_scope}
        off.status = OffsetStatus.OPTIONS_OFFERED
        off.checked_by = actor
        off.checked_at = timezone.now()
        off.save()
        audit.record(actor, "piece.offset_options", off, summary={"number": off.number, **summary})
        notify(off.holder, f"债务人已提供{'资产清单' if off.kind == OffsetKind.ASSET else '消费范围'}：{off.number}", "请与债务人商定抵付价款。", obj=off)
        return off


def propose_offset_price(actor: User, offset_id: int, price_fen: int, asset_id: int | None = None) -> OffsetApplication:
    """Either party proposes the offset price (and, for asset offset, the chosen asset); the other confirms."""
    org = _member_actor(actor)
    with transaction.atomic():
        _cert, _piece, off, side = _lock_offset(offset_id, actor, ("holder", "debtor"), "商定抵付价款")
        _require_offset_status(off, OffsetStatus.OPTIONS_OFFERED, OffsetStatus.PRICE_PROPOSED, what="商定价款")
        if price_fen is None or price_fen <= 0:
            raise DomainError("price_not_positive", "抵付价款必须大于零", field="price_fen")
        if price_fen > _ceiling():
            raise DomainError("price_too_large", f"抵付价款超过上限 {format_yuan(_ceiling())}", field="price_fen")
        asset = None
        if off.kind == OffsetKind.ASSET:
            asset = off.offered_assets.filter(pk=asset_id).first() if asset_id else None
            if asset is None:
                raise DomainError("asset_not_offered", "请从债务人提供的资产清单中选择资产", field="asset_id")
            if asset.status != AssetStatus.AVAILABLE:
                raise DomainError("asset_unavailable", f"资产“{asset.name}”当前状态为“{asset.get_status_display()}”", field="asset_id")
        off.price_fen = price_fen
        off.asset = asset
        off.proposed_by_org = org
        off.status = OffsetStatus.PRICE_PROPOSED
        off.save()
        audit.record(actor, "piece.offset_propose", off, summary={"number": off.number, "price_fen": price_fen, "asset": asset_id, "by": side})
        notify(off.debtor if side == "holder" else off.holder, f"抵付价款待确认：{off.number}",
               f"{org.name} 提出抵付价款 {format_yuan(price_fen)}" + (f"（资产：{asset.name}）" if asset else "") + "。", obj=off)
        return off


def accept_offset_price(actor: User, offset_id: int) -> OffsetApplication:
    """The other party confirms the proposed price; a chosen asset is reserved for this offset."""
    org = _member_actor(actor)
    with transaction.atomic():
        _cert, _piece, off, side = _lock_offset(offset_id, actor, ("holder", "debtor"), "确认抵付价款")
        _require_offset_status(off, OffsetStatus.PRICE_PROPOSED, what="确认价款")
        if off.proposed_by_org_id == org.pk:
            raise DomainError("own_proposal", "价款由本方提出，须由对方确认")
        if off.asset_id:
            changed = OffsetAsset.objects.filter(pk=off.asset_id, status=AssetStatus.AVAILABLE).update(status=AssetStatus.RESERVED)
            if changed != 1:
                raise Conflict("asset_unavailable", "所选资产已被其他抵付占用，请重新商定")
        off.status = OffsetStatus.AGREED
        off.agreed_by = actor
        off.agreed_at = timezone.now()
        off.save()
        outcome = rules.offset_outcome(off.amount_fen, off.price_fen)
        audit.record(actor, "piece.offset_agree", off, summary={
            "number": off.number, "price_fen": off.price_fen, "asset": off.asset_id, "by": side,
            "offset_fen": outcome.offset_fen, "remainder_fen": outcome.remainder_fen, "top_up_fen": outcome.top_up_fen})
        notify(off.debtor if side == "holder" else off.holder, f"抵付价款已商定：{off.number}", (
            f"价款 {format_yuan(off.price_fen)}：注销债权 {format_yuan(outcome.offset_fen)}"
            + (f"，剩余 {format_yuan(outcome.remainder_fen)} 继续持有" if outcome.remainder_fen else "")
            + (f"，持有人须以货币资金补足 {format_yuan(outcome.top_up_fen)}" if outcome.top_up_fen else "") + "。"), obj=off)
        return off


def complete_offset(actor: User, offset_id: int, *, delivery_ref: str, title_registration_ref: str = "", settlement_ref: str = "",
                    cash_top_up_ref: str = "", cash_top_up_date: dt.date | None = None) -> OffsetApplication:
    """The debtor records delivery and title registration (asset) or the settlement (consumption);
    the agreed amount is cancelled (注销), any remainder stays live with the holder, a shortfall is
    paid by the holder in cash (recorded)."""
    _member_actor(actor)
    delivery_ref = _text(delivery_ref, "delivery_required", "请填写交付确认编号", "delivery_ref")
    today = today_china()
    with transaction.atomic():
        cert, piece, off, _ = _lock_offset(offset_id, actor, ("debtor",), "确认抵付完成")
        _require_offset_status(off, OffsetStatus.AGREED, what="确认完成")
        if off.kind == OffsetKind.ASSET:
            off.title_registration_ref = _text(title_registration_ref, "title_registration_required",
                                               "请填写资产权属转移登记编号", "title_registration_ref")
        else:
            off.settlement_ref = _text(settlement_ref, "settlement_required", "请填写消费结算单号", "settlement_ref")
        outcome = rules.offset_outcome(piece.amount_fen, off.price_fen)
        if outcome.top_up_fen:
            off.cash_top_up_ref = _text(cash_top_up_ref, "top_up_required",
                                        f"抵付价款高于债权金额，请填写持有人补足 {format_yuan(outcome.top_up_fen)} 的银行流水号", "cash_top_up_ref", 60)
            if cash_top_up_date is None or cash_top_up_date > today:
                raise DomainError("top_up_date_invalid", "请填写补足款到账日期（不能晚于今天）", field="cash_top_up_date")
            off.cash_top_up_date = cash_top_up_date
            off.cash_top_up_fen = outcome.top_up_fen
        now = timezone.now()
        if outcome.remainder_fen == 0:
            Piece.objects.filter(pk=piece.pk).update(status=PieceStatus.OFFSET, ended_at=now)
            offset_piece, remainder = piece, None
        else:
            Piece.objects.filter(pk=piece.pk).update(status=PieceStatus.SPLIT, ended_at=now)
            offset_piece = _new_piece(cert, parent=piece, holder=off.holder, amount_fen=outcome.offset_fen, status=PieceStatus.OFFSET, origin="offset")
            Piece.objects.filter(pk=offset_piece.pk).update(ended_at=now)
            remainder = _new_piece(cert, parent=piece, holder=off.holder, amount_fen=outcome.remainder_fen, status=PieceStatus.LIVE, origin="split")
            cert.save(update_fields=["piece_count"])
        if off.asset_id:
            OffsetAsset.objects.filter(pk=off.asset_id).update(status=AssetStatus.DELIVERED)
        off.status = OffsetStatus.COMPLETED
        off.completed_by = actor
        off.completed_at = now
        off.delivery_ref = delivery_ref
        off.offset_fen = outcome.offset_fen
        off.offset_piece = offset_piece
        off.remainder_piece = remainder
        off.fee_fen = charge_fee(OperationType.OFFSET, cert, base_fen=outcome.offset_fen, payer_a=off.holder, payer_b=off.debtor,
                                 reference=off.number, today=today)
        off.save()
        settled = _settle_if_done(actor, cert)
        audit.record(actor, "piece.offset_complete", off, summary={
            "number": off.number, "kind": off.kind, "piece": piece.number, "offset_piece": offset_piece.number,
            "remainder_piece": remainder.number if remainder else None, "price_fen": off.price_fen, "offset_fen": outcome.offset_fen,
            "remainder_fen": outcome.remainder_fen, "top_up_fen": outcome.top_up_fen, "delivery_ref": delivery_ref,
            "title_registration_ref": off.title_registration_ref, "settlement_ref": off.settlement_ref,
            "cash_top_up_ref": off.cash_top_up_ref, "fee_fen": off.fee_fen, "certificate_settled": settled,
        })
        notify(off.holder, f"{off.get_kind_display()}已完成：{off.number}", (
            f"已注销债权 {format_yuan(outcome.offset_fen)}"
            + (f"，剩余 {format_yuan(outcome.remainder_fen)} 为分段 {remainder.number}，可继续流转或再次申请抵付" if remainder else "")
            + (f"，补足款 {format_yuan(outcome.top_up_fen)} 已记录" if outcome.top_up_fen else "") + "。"), obj=off)
        return off


def close_offset(actor: User, offset_id: int, reason: str = "") -> OffsetApplication:
    """Before completion the debtor refuses (reason required) or the holder withdraws; the piece
    is live again and a reserved asset is available again."""
    _member_actor(actor)
    with transaction.atomic():
        _cert, piece, off, side = _lock_offset(offset_id, actor, ("debtor", "holder"), "处理抵付申请")
        _require_offset_status(off, *OPEN_OFFSET_STATUSES, what="撤回或不予办理")
        reason = (reason or "").strip()[:MAX_TEXT]
        if side == "debtor" and not reason:
            raise DomainError("reason_required", "不予办理时必须说明理由", field="reason")
        unfreeze(piece, PieceStatus.OFFSETTING)
        if off.status == OffsetStatus.AGREED and off.asset_id:
            OffsetAsset.objects.filter(pk=off.asset_id, status=AssetStatus.RESERVED).update(status=AssetStatus.AVAILABLE)
        off.status = OffsetStatus.REFUSED if side == "debtor" else OffsetStatus.WITHDRAWN
        off.closed_reason = reason
        off.save()
        audit.record(actor, f"piece.offset_{off.status}", off, summary={"number": off.number, "piece": piece.number, "reason": reason})
        notify(off.holder if side == "debtor" else off.debtor, f"抵付申请{off.get_status_display()}：{off.number}", reason, obj=off)
        return off


# === void (作废) ================================================================================


def _unmoved_piece(cert: Certificate) -> Piece:
    """The certificate's only piece if nothing has moved since issue; otherwise the refusal says why."""
    pieces = list(Piece.objects.select_for_update(of=("self",)).filter(certificate=cert).order_by("pk"))
    if cert.status != CertificateStatus.ACTIVE:
        raise DomainError("certificate_inactive", f"凭证 {cert.number} 当前状态为“{cert.get_status_display()}”，不能作废")
    if len(pieces) != 1 or pieces[0].origin != "issue" or pieces[0].holder_id != cert.creditor_id:
        raise DomainError("piece_moved", f"凭证 {cert.number} 已有分段拆分或流转（共 {len(pieces)} 个分段），不能作废；请按流转记录办理更正")
    if pieces[0].status != PieceStatus.LIVE:
        raise DomainError("piece_moved", f"凭证 {cert.number} 的分段当前状态为“{pieces[0].get_status_display()}”，不能作废")
    return pieces[0]


def prepare_void(actor: User, cert_id: int, reason: str) -> CertificateVoid:
    """Operator maker proposes voiding a certificate issued in error, with the reason."""
    require_write_access(actor)
    require_role(actor, Role.OPERATOR)
    reason = _text(reason, "reason_required", "请填写作废理由", "reason", 500)
    with transaction.atomic():
        cert = Certificate.objects.select_for_update(of=("self",)).filter(pk=cert_id).first()
        if cert is None:
            raise NotFound("凭证不存在")
        _unmoved_piece(cert)
        if CertificateVoid.objects.filter(certificate=cert, status=VoidStatus.PREPARED).exists():
            raise Conflict("void_pending", f"凭证 {cert.number} 已有待复核的作废申请")
        v = CertificateVoid.objects.create(certificate=cert, reason=reason, prepared_by=actor)
        audit.record(actor, "certificate.void_prepare", v, summary={"certificate": cert.number, "reason": reason})
        return v


def decide_void(actor: User, void_id: int, agree: bool, reason: str = "") -> CertificateVoid:
    """A different operator user confirms (the certificate and its piece are voided) or sends back."""
    require_write_access(actor)
    require_role(actor, Role.OPERATOR)
    row = CertificateVoid.objects.filter(pk=void_id).values_list("certificate_id", flat=True).first()
    if row is None:
        raise NotFound("作废申请不存在")
    with transaction.atomic():
        cert = Certificate.objects.select_for_update(of=("self",)).select_related("creditor", "debtor").get(pk=row)
        v = CertificateVoid.objects.select_for_update().get(pk=void_id)
        if v.status != VoidStatus.PREPARED:
            raise Conflict("void_state", f"作废申请当前状态为“{v.get_status_display()}”")
        require_checker(v.prepared_by_id, actor)
        v.decided_by = actor
        v.decided_at = timezone.now()
        v.decision_reason = (reason or "").strip()[:MAX_TEXT]
        if not agree:
            if not v.decision_reason:
                raise DomainError("reason_required", "复核不同意时必须填写理由", field="reason")
            v.status = VoidStatus.SENT_BACK
            v.save()
            audit.record(actor, "certificate.void_send_back", v, summary={"certificate": cert.number, "reason": v.decision_reason})
            return v
        piece = _unmoved_piece(cert)
        Piece.objects.filter(pk=piece.pk).update(status=PieceStatus.VOIDED, ended_at=timezone.now())
        cert.status = CertificateStatus.VOIDED
        cert.save(update_fields=["status"])
        closed = list(PurchaseCommitment.objects.select_for_update().filter(
            certificate=cert, status__in=[CommitmentStatus.REQUESTED, CommitmentStatus.ACTIVE]).select_related("provider"))
        PurchaseCommitment.objects.filter(pk__in=[c.pk for c in closed]).update(status=CommitmentStatus.VOIDED)
        v.status = VoidStatus.VOIDED
        v.save()
        refunds = _reverse_issuance_fees(cert)
        for org in (cert.creditor, cert.debtor, *[c.provider for c in closed]):
            refund = f"\n已冲销贵机构就该凭证缴纳的开具服务费 {format_yuan(refunds[org.pk])}。" if refunds.get(org.pk) else ""
            notify(org, f"凭证 {cert.number} 已作废", f"该凭证系错误开具，已由债权管理服务机构作废。理由：{v.reason}{refund}", obj=cert)
        audit.record(actor, "certificate.void", v, summary={
            "certificate": cert.number, "piece": piece.number, "reason": v.reason, "prepared_by": v.prepared_by_id,
            "commitments_closed": [c.number for c in closed], "issuance_fee_reversed_fen": sum(refunds.values())})
        return v


def _reverse_issuance_fees(cert: Certificate) -> dict[int, int]:
    """红字冲销 of the issuance fee of a certificate issued in error: one row of the opposite sign per
    charge, pointing at it (the charge itself is never changed). Returns fen reversed per payer."""
    today, now = today_china(), timezone.now()
    # a charge (not itself a reversal) not yet reversed; the sign follows from feecharge_sign_by_kind
    charges = list(FeeCharge.objects.filter(certificate=cert, op_type=OperationType.ISSUANCE, reverses__isnull=True,
                                            reversal__isnull=True, amount_fen__gt=0).order_by("pk"))
    FeeCharge.objects.bulk_create([
        FeeCharge(org_id=c.org_id, op_type=c.op_type, rule_id=c.rule_id, base_fen=c.base_fen, amount_fen=-c.amount_fen,
                  certificate=cert, reference=f"ZF-{cert.number}", charged_on=today, created_at=now, reverses=c)
        for c in charges])
    refunds: dict[int, int] = {}
    for c in charges:
        refunds[c.org_id] = refunds.get(c.org_id, 0) + c.amount_fen
    return refunds


# === maturity and extension (展期) — daily job =================================================


def _outstanding(cert: Certificate) -> int:
    return Piece.objects.filter(certificate=cert, status__in=HOLDING_STATUSES).aggregate(t=Sum("amount_fen"))["t"] or 0


def _notify_cert_parties(cert: Certificate, title: str, body: str, kind: str) -> None:
    seen = set()
    for org in [*_holders_of(cert), cert.debtor]:
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
                settled += _settle_if_done("system:daily", cert)
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


def expire_commitments(today: dt.date) -> int:
    """Active commitments past their expiry end; applications already made stay open."""
    n = 0
    for c_id, cert_id in PurchaseCommitment.objects.filter(status=CommitmentStatus.ACTIVE, expiry__lt=today).order_by("pk").values_list("pk", "certificate_id"):
        with transaction.atomic():
            Certificate.objects.select_for_update(of=("self",)).get(pk=cert_id)
            c = PurchaseCommitment.objects.select_for_update(of=("self",)).select_related("entrusted_by").get(pk=c_id)
            if c.status != CommitmentStatus.ACTIVE or c.expiry >= today:
                continue
            c.status = CommitmentStatus.EXPIRED
            c.save(update_fields=["status"])
            audit.record("system:daily", "purchase.commitment_expire", c, summary={"number": c.number, "expiry": c.expiry.isoformat()})
            notify(c.entrusted_by, f"收购承诺已到期：{c.number}", f"有效期至 {c.expiry:%Y-%m-%d}。", obj=c)
            n += 1
    return n


# === market purchase of SME receivables (化解债务风险) ===========================================


def record_receivable_purchase(actor: User, *, seller_id: int, original_debtor_name: str, receivable_fen: int, price_fen: int,
                               agreement_ref: str, agreement_date: dt.date, description: str = "",
                               original_debtor_id: int | None = None) -> ReceivablePurchase:
    """The market purchaser records a purchase of an SME's hard-to-collect receivable."""
    require_write_access(actor)
    require_role(actor, Role.PURCHASER)
    org = actor.organisation
    if seller_id == org.pk:
        raise DomainError("seller_self", "出让方不能是本机构", field="seller_id")
    seller = _active_org(seller_id, "seller_id", "出让债权的企业")
    name = _text(original_debtor_name, "original_debtor_required", "请填写原债务人名称", "original_debtor_name", 200)
    original = None
    if original_debtor_id:
        original = Organisation.objects.filter(pk=original_debtor_id).first()
        if original is None:
            raise DomainError("original_debtor_unknown", "原债务人机构不存在", field="original_debtor_id")
    agreement_ref = _text(agreement_ref, "agreement_required", "请填写收购协议编号", "agreement_ref")
    if receivable_fen is None or receivable_fen <= 0:
        raise DomainError("amount_not_positive", "应收账款金额必须大于零", field="receivable_fen")
    if receivable_fen > _ceiling():
        raise DomainError("amount_too_large", f"应收账款金额超过上限 {format_yuan(_ceiling())}", field="receivable_fen")
    if price_fen is None or price_fen <= 0:
        raise DomainError("price_not_positive", "收购价款必须大于零", field="price_fen")
    if price_fen > _ceiling():
        raise DomainError("amount_too_large", f"收购价款超过上限 {format_yuan(_ceiling())}", field="price_fen")
    if price_fen > receivable_fen:
        raise DomainError("price_above_amount", f"收购价款 {format_yuan(price_fen)} 高于应收账款金额 {format_yuan(receivable_fen)}", field="price_fen")
    today = today_china()
    if agreement_date is None or agreement_date > today:
        raise DomainError("agreement_date_future", "协议日期不能晚于今天", field="agreement_date")
    with transaction.atomic():
        rp = ReceivablePurchase.objects.create(
            number=next_number("SJ", today.year), purchaser=org, seller=seller, original_debtor_name=name, original_debtor=original,
            description=(description or "").strip()[:MAX_TEXT], receivable_fen=receivable_fen, price_fen=price_fen,
            agreement_ref=agreement_ref, agreement_date=agreement_date, created_by=actor,
        )
        audit.record(actor, "receivable.purchase", rp, summary={
            "number": rp.number, "seller": seller.pk, "original_debtor": name, "receivable_fen": receivable_fen, "price_fen": price_fen,
            "agreement_ref": agreement_ref})
        notify(seller, f"应收账款收购已登记：{rp.number}", (
            f"{org.name} 收购贵机构对 {name} 的应收账款 {format_yuan(receivable_fen)}，价款 {format_yuan(price_fen)}（协议 {agreement_ref}）。"
            f"收购方将申请向贵机构开具债权凭证。"), obj=rp)
        return rp


def _lock_receivable_purchase(rp_id: int, actor: User, what: str) -> ReceivablePurchase:
    row = ReceivablePurchase.objects.filter(pk=rp_id).values("purchaser_id", "seller_id").first()
    if row is None:
        raise NotFound("收购记录不存在")
    _party_check(actor, {"purchaser": row["purchaser_id"], "seller": row["seller_id"]}, ("purchaser",), what, "收购记录不存在")
    return ReceivablePurchase.objects.select_for_update(of=("self",)).select_related("seller").get(pk=rp_id)


def apply_for_purchase_certificate(actor: User, rp_id: int, *, maturity_date: dt.date, settle_by_asset: bool = True,
                                   settle_by_consumption: bool = False, accepted_categories: str = "",
                                   extension_days: int | None = None, extension_max: int | None = None,
                                   guarantee_text: str = "") -> ReceivablePurchase:
    """Through the normal joint-application path: the purchaser (as debtor) applies for a
    certificate to the SME for the agreed price; the SME confirms and the operator reviews."""
    require_write_access(actor)
    require_role(actor, Role.PURCHASER)
    with transaction.atomic():
        rp = _lock_receivable_purchase(rp_id, actor, "申请开具凭证")
        if rp.status != ReceivablePurchaseStatus.RECORDED:
            raise Conflict("purchase_state", f"收购记录 {rp.number} 当前状态为“{rp.get_status_display()}”，不能申请开具凭证")
        app = create_application(actor, ApplicationInput(
            counterparty_id=rp.seller_id, role="debtor", contract_no=rp.agreement_ref,
            contract_title=f"应收账款收购协议（原债务人：{rp.original_debtor_name}）", contract_date=rp.agreement_date,
            amount_fen=rp.price_fen, maturity_date=maturity_date, settle_by_asset=settle_by_asset,
            settle_by_consumption=settle_by_consumption, non_cash_declared=True, accepted_categories=accepted_categories,
            extension_days=extension_days, extension_max=extension_max, guarantee_text=guarantee_text,
        ))
        rp.application = app
        rp.status = ReceivablePurchaseStatus.APPLIED
        rp.save(update_fields=["application", "status"])
        audit.record(actor, "receivable.apply", rp, summary={"number": rp.number, "application": app.number, "amount_fen": rp.price_fen})
        return rp


def cancel_receivable_purchase(actor: User, rp_id: int, reason: str) -> ReceivablePurchase:
    """Only before a certificate application exists, or after it was withdrawn or rejected."""
    require_write_access(actor)
    require_role(actor, Role.PURCHASER)
    reason = _text(reason, "reason_required", "请填写撤销理由", "reason", MAX_TEXT)
    with transaction.atomic():
        rp = _lock_receivable_purchase(rp_id, actor, "撤销收购记录")
        app_status = rp.application.status if rp.application_id else None
        if rp.status == ReceivablePurchaseStatus.CANCELLED or app_status not in (None, "withdrawn", "rejected"):
            raise Conflict("purchase_state", f"收购记录 {rp.number} 已申请开具凭证（{rp.application.get_status_display() if app_status else rp.get_status_display()}），不能撤销")
        rp.status = ReceivablePurchaseStatus.CANCELLED
        rp.cancel_reason = reason
        rp.save(update_fields=["status", "cancel_reason"])
        audit.record(actor, "receivable.cancel", rp, summary={"number": rp.number, "reason": reason})
        notify(rp.seller, f"应收账款收购已撤销：{rp.number}", reason, obj=rp)
        return rp
