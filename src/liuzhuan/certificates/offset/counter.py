"""消费抵付 at a shop counter: the hook a special merchant (特约商户, seed 二(四)) uses when it is
the certificate's debtor and a holder pays for its published goods or services with the claim.

The ordinary consumption offset (actions.py) takes seven steps among holder, debtor and operator
because the price and the consumption are agreed case by case. At a counter both are fixed: the
debtor published the price in its catalogue, the holder's order accepts it, and the debtor's
settlement is the consumption. So the same record (``OffsetApplication``, kind consumption) goes
through two steps, with the same guards and the same ledger writes:

1. ``open_counter_offset`` (the holder): the order's amount is reserved (piece ``offsetting``);
   the record is *agreed* at the published price, which must not exceed the reserved claim —
   the counter never needs a cash top-up nor leaves a remainder inside the record.
2. ``settle_counter_offset`` (the debtor): records the settlement number with the settlement
   slip (the receipt PDF) as evidence, the holder's order standing as its receipt. The record is
   then 待注销登记 (``received``), exactly where the seven-step offset stands after the holder
   confirms receipt: cancellation is the operator's act (债权管理服务机构办理注销, seed 二(一)1),
   done through ``actions.register_offset_cancellation`` like any other offset — a merchant
   settling its own counter never cancels a claim on the register by itself.

Before step 2 either side closes it through the merchant's order (``actions.close_offset`` with
``managed=True``; withdraw / refuse): the piece is live again. After it the operator cannot
return it for correction: the slip is the platform's own receipt and the consumption is done. Nothing here bypasses the ledger: reserve, status guards and conservation hold.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import Conflict, DomainError
from liuzhuan.core.money import format_yuan
from liuzhuan.core.numbers import next_number
from liuzhuan.core.roles import Role
from liuzhuan.members.actions import notify, notify_role
from liuzhuan.members.models import User

from ..ledger import scope
from ..ledger.checks import MAX_TEXT, Party, member_actor, require_standing, required_text
from ..ledger.locks import held_certificate_id, lock_piece_for_holder
from ..ledger.models import PieceStatus
from ..ledger.pieces import reserve
from ..ledger.rules import require_active_certificate
from ..ledger.uploads import check_upload
from .actions import _lock_offset, _require_offset_status
from .models import EvidenceKind, OffsetApplication, OffsetEvidence, OffsetKind, OffsetStatus


def open_counter_offset(actor: User, piece_id: int, debtor_id: int, price_fen: int, *, reference: str,
                        consumption_scope: str) -> OffsetApplication:
    """The holder pays the certificate's own debtor ``price_fen`` of the claim for its published
    goods or services: reserved now, cancelled when the debtor settles. Runs inside the caller's
    transaction when there is one (the merchant's order)."""
    org = member_actor(actor)
    cert_id = held_certificate_id(piece_id, org)
    reference = required_text(reference, "reference_required", "请填写订单编号", "reference", 100)
    consumption_scope = required_text(consumption_scope, "scope_required", "请填写可消费范围", "consumption_scope", MAX_TEXT)
    today = today_china()
    with transaction.atomic():
        cert, piece = lock_piece_for_holder(piece_id, org, cert_id)
        if cert.debtor_id != debtor_id:
            raise DomainError("not_the_debtor", f"凭证 {cert.number} 的债务人不是该商户，不能以消费抵付支付；请改用凭证债权转让",
                              field="piece_id")
        if cert.debtor_id == org.pk:  # pragma: no cover - a debtor never holds its own certificate (混同)
            raise DomainError("holder_is_debtor", "持有人即债务人，债权因混同消灭，无需抵付")
        if not scope.manners(cert.application.offset_scope)[1]:
            raise DomainError("offset_kind_not_agreed", f"凭证 {cert.number} 约定的可抵付范围（{cert.application.offset_scope_label}）"
                              "不含消费，不能消费抵付", field="piece_id")
        require_active_certificate(cert, "消费抵付")
        require_standing("消费抵付", Party(org.pk, "持有人"), Party(debtor_id, "债务人"))
        if price_fen is None or price_fen <= 0:
            raise DomainError("amount_not_positive", "抵付金额必须大于零", field="amount_fen")
        reserved = reserve(cert, piece, price_fen, PieceStatus.OFFSETTING, "消费抵付")
        now = timezone.now()
        off = OffsetApplication.objects.create(
            number=next_number("DF", today.year), kind=OffsetKind.CONSUMPTION, certificate=cert, piece=reserved, holder=org,
            debtor=cert.debtor, amount_fen=reserved.amount_fen, note=f"特约商户消费抵付，订单 {reference}"[:MAX_TEXT],
            status=OffsetStatus.AGREED, consumption_scope=consumption_scope, price_fen=price_fen, proposed_by_org=cert.debtor,
            applied_by=actor, applied_at=now, agreed_by=actor, agreed_at=now, managed_by=f"特约商户订单 {reference}"[:60],
        )
        audit.record(actor, "piece.offset_counter_open", off, summary={
            "number": off.number, "piece": piece.number, "reserved_piece": reserved.number, "price_fen": price_fen,
            "reference": reference, "scope": consumption_scope})
        return off


def settle_counter_offset(actor: User, offset_id: int, *, settlement_ref: str, slip_name: str, slip: bytes) -> OffsetApplication:
    """The debtor settles the consumption at its counter: the settlement slip is kept as evidence
    and the offset waits for the operator's 注销登记; the piece stays reserved until then."""
    member_actor(actor)
    settlement_ref = required_text(settlement_ref, "settlement_required", "请填写消费结算单号", "settlement_ref")
    upload = check_upload(slip, "消费结算单")
    with transaction.atomic():
        _cert, piece, off, _ = _lock_offset(offset_id, actor, ("debtor",), "办理消费结算")
        _require_offset_status(off, OffsetStatus.AGREED, what="办理消费结算")
        if not off.is_counter or off.checked_by_id is not None:
            raise Conflict("not_counter_offset", f"抵付申请 {off.number} 不是柜台消费抵付，请按抵付流程办理")
        if piece.status != PieceStatus.OFFSETTING or piece.holder_id != off.holder_id:  # pragma: no cover - locked
            raise Conflict("piece_state", f"凭证分段 {piece.number} 状态异常，不能办理抵付")
        require_standing("办理消费抵付", Party(off.holder_id, "持有人"), Party(off.debtor_id, "债务人"))
        stored = upload.save(f"offsets/{off.number}")
        OffsetEvidence.objects.create(offset=off, kind=EvidenceKind.SETTLEMENT, file=stored, original_name=(slip_name or "结算单.pdf")[:200],
                                      content_type=upload.content_type, size=upload.size, sha256=upload.sha256, uploaded_by=actor)
        now = timezone.now()
        off.settlement_ref = settlement_ref
        off.delivery_ref = settlement_ref
        off.delivered_by, off.delivered_at = actor, now
        off.received_by, off.received_at = off.applied_by, off.applied_at  # the holder's order at the published price
        off.checked_by, off.checked_at = actor, now
        off.status = OffsetStatus.RECEIVED
        off.save()
        audit.record(actor, "piece.offset_counter_settle", off, summary={
            "number": off.number, "piece": piece.number, "price_fen": off.price_fen, "settlement_ref": settlement_ref,
            "slip_sha256": upload.sha256})
        notify(off.holder, f"消费结算已办理，待注销登记：{off.number}", (
            f"{off.debtor.name} 已办理消费结算（{settlement_ref}），金额 {format_yuan(off.price_fen)}。"
            "该笔债权已锁定，待债权管理服务机构办理注销登记。"), obj=off)
        notify_role(Role.OPERATOR, f"消费抵付待注销登记：{off.number}", (
            f"{off.debtor.name}（特约商户）已为 {off.holder.name} 办理柜台消费结算 {settlement_ref}，"
            f"价款 {format_yuan(off.price_fen)}，请核对结算单后办理注销登记。"), obj=off)
        return off

