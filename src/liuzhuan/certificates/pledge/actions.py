"""Pledge (质押): the holder pledges a piece (or a part, split off first) to a member, usually a
bank; the pledgee registers it (统一登记) and it takes effect; then it is released, enforced after a
default, or the piece is transferred with the pledgee's consent and the pledge released.

While pledged the piece is frozen: ``ledger.rules.require_live`` refuses any other business on it.
Each action runs in one transaction; a ``DomainError`` means nothing changed.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import Conflict, DomainError, NotFound
from liuzhuan.core.money import format_yuan
from liuzhuan.core.numbers import next_number
from liuzhuan.members.actions import notify
from liuzhuan.members.models import User

from ..circulation.title import pass_title
from ..fees.charges import agreed_term, charge_fee, stored_term
from ..fees.models import OperationType
from ..ledger.checks import (
    MAX_TEXT,
    Party,
    active_org,
    ceiling,
    member_actor,
    member_org,
    party_check,
    require_standing,
    required_text,
)
from ..ledger.locks import held_certificate_id, lock_cert_and_piece, lock_piece_for_holder
from ..ledger.models import Certificate, Piece, PieceStatus
from ..ledger.pieces import reserve, unfreeze
from ..ledger.rules import refuse_debtor, require_active_certificate, require_not_legacy
from . import rules
from .models import Pledge, PledgedTransfer, PledgedTransferStatus, PledgeStatus


def create_pledge(actor: User, piece_id: int, pledgee_id: int, amount_fen: int, contract_ref: str, secured_fen: int,
                  start_date: dt.date, end_date: dt.date, fee_payer: str | None = None, fee_share_pct=None) -> Pledge:
    """The holder pledges a piece (or part of it, split off first) to a pledgee member, usually a bank.

    The pledged amount is frozen at once; the pledge takes effect when the pledgee records the
    统一登记 registration. Whether registration is needed is the rules' decision
    (``rules.registration_required``: receivable pledges are in scope), not the pledgor's. The
    pledge contract's fee term (who pays the pledge fee, and the pledgor's share of a split) is
    recorded as entered, or the schedule's default when left blank.
    """
    org = member_actor(actor)
    cert_id = held_certificate_id(piece_id, org)
    contract_ref = required_text(contract_ref, "contract_ref_required", "请填写质押合同编号", "contract_ref")
    if secured_fen is None or secured_fen <= 0:
        raise DomainError("secured_not_positive", "担保主债权金额必须大于零", field="secured_fen")
    if secured_fen > ceiling():
        raise DomainError("amount_too_large", f"担保主债权金额超过上限 {format_yuan(ceiling())}", field="secured_fen")
    if start_date is None or end_date is None:
        raise DomainError("term_required", "请填写质押期限", field="end_date")
    if end_date < start_date:
        raise DomainError("term_reversed", "质押期限止日不能早于起日", field="end_date")
    today = today_china()
    if end_date < today:
        raise DomainError("term_ended", f"质押期限止日 {end_date:%Y-%m-%d} 已过", field="end_date")
    if pledgee_id == org.pk:
        raise DomainError("pledge_to_self", "不能向本机构出质", field="pledgee_id")
    payer, share = agreed_term(OperationType.PLEDGE, today, fee_payer, fee_share_pct)
    pledgee = active_org(pledgee_id, "pledgee_id", "质权人")
    # it registers, releases and may take the piece itself: a member's acts (a partner bank registers as a member first)
    require_standing("质押", Party(pledgee.pk, "质权人", "pledgee_id"))
    with transaction.atomic():
        cert, piece = lock_piece_for_holder(piece_id, org, cert_id)
        require_active_certificate(cert, "质押")
        require_not_legacy(cert, "质押")
        pledged = reserve(cert, piece, amount_fen, PieceStatus.PLEDGED, "质押")
        pledge = Pledge.objects.create(
            number=next_number("ZY", today.year), certificate=cert, piece=pledged, pledgor=org, pledgee=pledgee,
            amount_fen=pledged.amount_fen, contract_ref=contract_ref, secured_fen=secured_fen, start_date=start_date,
            end_date=end_date, registration_required=rules.registration_required(rules.RECEIVABLE), created_by=actor,
            fee_payer=payer, fee_share_pct=share,
        )
        audit.record(actor, "pledge.create", pledge, summary={
            "number": pledge.number, "piece": piece.number, "pledged_piece": pledged.number, "amount_fen": pledge.amount_fen,
            "pledgee": pledgee.pk, "contract_ref": contract_ref, "secured_fen": secured_fen,
            "term": [start_date.isoformat(), end_date.isoformat()], "registration_required": pledge.registration_required,
            "registration_basis": rules.REGISTRATION_BASIS, "fee_payer": payer, "fee_share_pct": str(share),
        })
        step = "在中征动产融资统一登记公示系统办理登记后录入登记编号"
        notify(pledgee, f"收到质押：{format_yuan(pledge.amount_fen)}", (
            f"{org.name} 以凭证 {cert.number} 分段 {pledged.number} 项下债权 {format_yuan(pledge.amount_fen)} 出质（质押合同 "
            f"{contract_ref}），请{step}生效。"), obj=pledge)
        return pledge


def _lock_pledge(pledge_id: int, actor: User, allowed: tuple[str, ...], what: str) -> tuple[Certificate, Piece, Pledge, str]:
    row = Pledge.objects.filter(pk=pledge_id).values("certificate_id", "piece_id", "pledgor_id", "pledgee_id").first()
    if row is None:
        raise NotFound("质押不存在")
    side = party_check(actor, {"pledgor": row["pledgor_id"], "pledgee": row["pledgee_id"]}, allowed, what, "质押不存在")
    cert, piece = lock_cert_and_piece(row["certificate_id"], row["piece_id"])
    pledge = Pledge.objects.select_for_update(of=("self",)).select_related("pledgor", "pledgee").get(pk=pledge_id)
    return cert, piece, pledge, side


def _require_pledge_status(pledge: Pledge, *statuses: str) -> None:
    if pledge.status not in statuses:
        raise Conflict("pledge_state", f"质押 {pledge.number} 当前状态为“{pledge.get_status_display()}”，不能办理")


def register_pledge(actor: User, pledge_id: int, registration_no: str = "", registration_date: dt.date | None = None) -> Pledge:
    """The pledgee records the 统一登记 registration (number and date); the pledge takes effect. Always
    required: the scope is the rules' (receivable pledges are in it), decided again here."""
    member_actor(actor)
    with transaction.atomic():
        cert, piece, pledge, _ = _lock_pledge(pledge_id, actor, ("pledgee",), "登记质押")
        _require_pledge_status(pledge, PledgeStatus.PENDING_REGISTRATION)
        require_standing("使质押生效", Party(pledge.pledgor_id, "出质人"), Party(pledge.pledgee_id, "质权人"))
        today = today_china()
        registration_no = required_text(registration_no, "registration_no_required",
                                        "请填写中征动产融资统一登记公示系统的登记编号", "registration_no", 40)
        if registration_date is None:
            raise DomainError("registration_date_required", "请填写登记日期", field="registration_date")
        if registration_date > today:
            raise DomainError("registration_date_future", "登记日期不能晚于今天", field="registration_date")
        pledge.registration_required = rules.registration_required(rules.RECEIVABLE)
        pledge.registration_no = registration_no
        pledge.registration_date = registration_date
        pledge.status = PledgeStatus.EFFECTIVE
        pledge.effective_by = actor
        pledge.effective_at = timezone.now()
        pledge.fee_fen = charge_fee(OperationType.PLEDGE, cert, base_fen=pledge.amount_fen, payer_a=pledge.pledgor,
                                    payer_b=pledge.pledgee, reference=pledge.number, today=today,
                                    term=stored_term(pledge))
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
    member_actor(actor)
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
    member_actor(actor)
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
    member_actor(actor)
    reason = required_text(reason, "reason_required", "请填写违约情况说明", "reason", MAX_TEXT)
    agreement_ref = required_text(agreement_ref, "agreement_required", "请填写折价或变卖协议编号", "agreement_ref")
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
            to_org = member_org(buyer_org_id, "buyer_org_id", "受让人")
        else:
            to_org = pledge.pledgee
        refuse_debtor(cert.debtor_id, to_org.pk, "buyer_org_id", "通过质权实现受让")
        require_standing("实现质权", Party(to_org.pk, "受让人", "buyer_org_id"))
        _close_open_pledged_transfers(actor, pledge, "质权已实现")
        why = "质权实现：质权人折价受让" if to_org.pk == pledge.pledgee_id else f"质权实现：质权人变卖给 {to_org.name}"
        t = pass_title(actor, cert, piece, to_org, origin="enforcement", agreement_ref=agreement_ref, op_type=OperationType.TRANSFER, why=why)
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
    org = member_actor(actor)
    agreement_ref = required_text(agreement_ref, "agreement_required", "请填写债权转让协议编号", "agreement_ref")
    with transaction.atomic():
        cert, _piece, pledge, _ = _lock_pledge(pledge_id, actor, ("pledgor",), "申请转让质押分段")
        _require_pledge_status(pledge, PledgeStatus.EFFECTIVE)
        if to_org_id == org.pk:
            raise DomainError("transfer_to_self", "不能转让给本机构", field="to_org_id")
        to_org = member_org(to_org_id, "to_org_id", "受让方")
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
    side = party_check(actor, {"pledgor": row["pledge__pledgor_id"], "pledgee": row["pledge__pledgee_id"], "to_org": row["to_org_id"]},
                       allowed, what, "转让申请不存在")
    cert, piece = lock_cert_and_piece(row["pledge__certificate_id"], row["pledge__piece_id"])
    pledge = Pledge.objects.select_for_update(of=("self",)).select_related("pledgor", "pledgee").get(pk=row["pledge_id"])
    req = PledgedTransfer.objects.select_for_update(of=("self",)).select_related("to_org").get(pk=req_id)
    return cert, piece, pledge, req, side


def consent_pledged_transfer(actor: User, req_id: int, agree: bool, note: str = "") -> PledgedTransfer:
    """The pledgee consents (stating how the proceeds are applied: 提前清偿 or 提存) or refuses."""
    member_actor(actor)
    with transaction.atomic():
        _cert, _piece, pledge, req, _ = _lock_pledged_transfer(req_id, actor, ("pledgee",), "同意转让质押债权")
        if req.status != PledgedTransferStatus.REQUESTED:
            raise Conflict("pledged_transfer_state", f"该转让申请当前状态为“{req.get_status_display()}”，不能办理")
        if agree:
            req.proceeds_arrangement = required_text(note, "proceeds_required", "请填写转让价款安排（提前清偿或提存）", "note", MAX_TEXT)
            req.status = PledgedTransferStatus.CONSENTED
            req.consented_by = actor
            req.consented_at = timezone.now()
        else:
            req.reason = required_text(note, "reason_required", "请填写不同意的理由", "note", MAX_TEXT)
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
    member_actor(actor)
    with transaction.atomic():
        cert, piece, pledge, req, _ = _lock_pledged_transfer(req_id, actor, ("to_org",), "接收该转让")
        if req.status != PledgedTransferStatus.CONSENTED:
            raise Conflict("pledged_transfer_state", f"该转让申请当前状态为“{req.get_status_display()}”，不能接收")
        _require_pledge_status(pledge, PledgeStatus.EFFECTIVE)
        if agree:  # the pledgor may have been suspended since it asked
            require_standing("转让质押债权", Party(pledge.pledgor_id, "出质人"), Party(req.to_org_id, "受让方"))
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
        t = pass_title(actor, cert, piece, req.to_org, origin="transfer", agreement_ref=req.agreement_ref,
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
    member_actor(actor)
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
