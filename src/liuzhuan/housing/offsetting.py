"""凭证抵付 in the pool: holders take a unit with certificate credit, pooled from several pieces
and several holders, the rest of each piece left live, any shortfall paid in cash.

It runs on certificates' own offset actions — nothing here touches a piece directly:
- a holder opens the transaction on a unit (the unit and its certificates asset are reserved);
- each holder (the lead one and the co-holders it named) puts a piece, or part of one, toward it:
  ``apply_offset`` reserves that amount as an asset-offset application (the rest stays live);
- the housing entity — the debtor of those certificates — agrees: ``agree_pooled_offset``;
- it records the registration steps and any cash top-up, then the delivery with the documents
  (``add_offset_evidence`` + ``record_offset_delivery`` per application);
- each holder confirms receipt (``confirm_offset_receipt``); the operator completes:
  ``register_offset_cancellation`` per application cancels the credit, and the unit is sold.
Cancelling before delivery closes every application (``close_offset``): pieces live again, the
unit back in the pool — in one transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from liuzhuan.certificates.escrow.models import EscrowScope
from liuzhuan.certificates.escrow.queries import receiving_account
from liuzhuan.certificates.ledger.checks import MAX_TEXT, member_actor, member_org, required_text
from liuzhuan.certificates.ledger.models import Piece
from liuzhuan.certificates.offset import actions as offset_actions
from liuzhuan.certificates.offset.models import AssetStatus, OffsetAsset, OffsetKind, OffsetStatus
from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from liuzhuan.core.money import format_yuan
from liuzhuan.core.permissions import require_role
from liuzhuan.core.roles import Role
from liuzhuan.members.actions import notify, notify_role
from liuzhuan.members.models import User

from . import rules
from .actions import (
    housing_actor,
    lock_tx,
    lock_unit,
    new_tx,
    release_unit,
    require_managed,
    require_steps,
    require_tx_status,
    reserve_unit,
)
from .models import HousingTransaction, OffsetShare, TxKind, TxStatus, UnitStatus

MAX_CO_HOLDERS = 20


def _holder_side(actor: User, tx: HousingTransaction) -> None:
    org_id = actor.organisation_id
    if org_id == tx.counterparty_id or tx.co_holders.filter(pk=org_id).exists():
        return
    if org_id == tx.manager_id or actor.organisation.has_any_role([Role.OPERATOR, Role.REGULATOR, Role.BUREAU]):
        raise PermissionDenied("只有该笔凭证抵付的持有人可以办理", code="wrong_party")
    raise NotFound("盘活业务不存在")


def _lock_offset_tx(tx_id: int) -> HousingTransaction:
    tx = lock_tx(tx_id)
    if tx.kind != TxKind.CERTIFICATE_OFFSET:
        raise Conflict("housing_tx_kind", f"盘活业务 {tx.number} 不是凭证抵付")
    return tx


def credit_fen(tx: HousingTransaction) -> int:
    return tx.shares.aggregate(t=Sum("amount_fen"))["t"] or 0


def open_offset(actor: User, unit_id: int, co_holder_ids: list[int] | None = None) -> HousingTransaction:
    """A holder takes a pool unit at its valuation with certificate credit; it may name co-holders
    who pool their pieces with its own (their shares are theirs; the title goes to the lead holder
    unless the parties' own agreement says otherwise)."""
    org = member_actor(actor)
    ids = sorted(set(co_holder_ids or []) - {org.pk})
    if len(ids) > MAX_CO_HOLDERS:
        raise DomainError("too_many_co_holders", f"共同抵付持有人最多 {MAX_CO_HOLDERS} 家", field="co_holder_ids")
    co = [member_org(pk, "co_holder_ids", "共同抵付持有人") for pk in ids]
    with transaction.atomic():
        unit = lock_unit(unit_id)
        if unit.manager_id == org.pk:
            raise DomainError("buyer_is_manager", "盘活主体不能以凭证抵付认购本机构管理的房源", field="unit_id")
        reserve_unit(unit)
        tx = new_tx(actor, TxKind.CERTIFICATE_OFFSET, unit, org, unit.valuation_fen)
        tx.co_holders.set(co)
        audit.record(actor, "housing.offset_open", tx, summary={"number": tx.number, "unit": unit.number, "price_fen": tx.price_fen,
                                                                "co_holders": ids})
        notify(unit.manager, f"凭证抵付认购：{tx.number}", f"{org.name} 以凭证债权认购房源 {unit.address}（价款 {format_yuan(tx.price_fen)}）。",
               obj=tx)
        return tx


def add_piece(actor: User, tx_id: int, piece_id: int, amount_fen: int) -> OffsetShare:
    """A holder puts ``amount_fen`` of a piece toward the unit: an asset-offset application on it
    (certificates reserve that amount; the rest of the piece stays live). The certificate's debtor
    must be the housing entity, and the credit cannot exceed the price."""
    member_actor(actor)
    with transaction.atomic():
        tx = _lock_offset_tx(tx_id)
        _holder_side(actor, tx)
        require_tx_status(tx, TxStatus.OPEN, what="加入凭证")
        piece = Piece.objects.select_related("certificate").filter(pk=piece_id, holder_id=actor.organisation_id).first()
        if piece is None:
            raise NotFound("凭证分段不存在")
        if piece.certificate.debtor_id != tx.manager_id:
            raise DomainError("debtor_not_manager", f"凭证 {piece.certificate.number} 的债务人不是该房源的盘活主体，不能抵付此房源",
                              field="piece_id")
        room = tx.price_fen - credit_fen(tx)
        if amount_fen is None or amount_fen <= 0:
            raise DomainError("amount_not_positive", "抵付金额必须大于零", field="amount_fen")
        if amount_fen > room:
            raise DomainError("credit_over_price", f"凭证抵付合计不能超过房源价款，尚可抵付 {format_yuan(room)}", field="amount_fen")
        off = offset_actions.apply_offset(actor, piece_id, OffsetKind.ASSET, amount_fen, note=f"存量房凭证抵付 {tx.number}",
                                           managed_by=f"房源业务 {tx.number}")
        share = OffsetShare.objects.create(transaction=tx, offset=off, holder=actor.organisation, amount_fen=amount_fen, added_by=actor)
        audit.record(actor, "housing.offset_piece", tx, summary={"number": tx.number, "offset": off.number, "piece": piece.number,
                                                                 "amount_fen": amount_fen})
        return share


def agree(actor: User, tx_id: int) -> HousingTransaction:
    """The housing entity (debtor of the pooled certificates) agrees: each application is agreed at
    its reserved amount for this unit; the rest of the price is the holders' cash top-up."""
    housing_actor(actor)
    with transaction.atomic():
        tx = _lock_offset_tx(tx_id)
        require_managed(tx.manager_id, actor, "盘活业务不存在")
        require_tx_status(tx, TxStatus.OPEN, what="确认抵付")
        ids = list(tx.shares.values_list("offset_id", flat=True))
        if not ids:
            raise DomainError("shares_required", "尚无持有人加入凭证，不能确认", field="piece_id")
        offset_actions.agree_pooled_offset(actor, ids, tx.unit.asset_id)
        tx.status = TxStatus.AGREED
        tx.save(update_fields=["status"])
        credit = credit_fen(tx)
        audit.record(actor, "housing.offset_agree", tx, summary={"number": tx.number, "credit_fen": credit,
                                                                 "top_up_fen": rules.top_up_fen(tx.price_fen, credit)})
        return tx


def record_top_up(actor: User, tx_id: int, *, payer: str, bank_ref: str, paid_on: dt.date, account_no: str = "") -> HousingTransaction:
    """The holders' cash beside their credit (price − credit), into the supervised account when an
    escrow agreement for offset top-ups is active (资金监管)."""
    housing_actor(actor)
    payer = required_text(payer, "payer_required", "请填写付款人", "payer", 100)
    bank_ref = required_text(bank_ref, "bank_ref_required", "请填写银行流水号", "bank_ref", 60)
    if paid_on is None or paid_on > today_china():
        raise DomainError("paid_on_invalid", "请填写到账日期（不能晚于今天）", field="paid_on")
    with transaction.atomic():
        tx = _lock_offset_tx(tx_id)
        require_managed(tx.manager_id, actor, "盘活业务不存在")
        require_tx_status(tx, TxStatus.AGREED, what="登记补足款")
        top_up = rules.top_up_fen(tx.price_fen, credit_fen(tx))
        if not top_up:
            raise Conflict("no_top_up", "凭证债权已足额抵付价款，无需补足")
        if tx.payment_ref:
            raise Conflict("payment_recorded", f"盘活业务 {tx.number} 已登记补足款")
        account = receiving_account(EscrowScope.OFFSET_TOP_UP, account_no, paid_on, "account_no")
        tx.payment_fen, tx.payer, tx.payment_ref, tx.payment_date, tx.payment_account = top_up, payer, bank_ref, paid_on, account
        tx.save(update_fields=["payment_fen", "payer", "payment_ref", "payment_date", "payment_account"])
        audit.record(actor, "housing.offset_top_up", tx, summary={"number": tx.number, "amount_fen": top_up, "payer": payer,
                                                                  "bank_ref": bank_ref, "account": account.account_no if account else None})
        return tx


def deliver(actor: User, tx_id: int, *, delivery_doc: bytes, title_doc: bytes, delivery_name: str = "交付确认书.pdf",
            title_name: str = "登记证明.pdf") -> HousingTransaction:
    """The housing entity hands the unit over: every registration step and any top-up on record,
    the delivery confirmation and the title (or pre-registration) document filed with each
    application, delivery recorded on each; the holders then confirm receipt."""
    housing_actor(actor)
    with transaction.atomic():
        tx = _lock_offset_tx(tx_id)
        require_managed(tx.manager_id, actor, "盘活业务不存在")
        require_tx_status(tx, TxStatus.AGREED, what="登记交付")
        require_steps(tx)
        if rules.top_up_fen(tx.price_fen, credit_fen(tx)) and not tx.payment_ref:
            raise DomainError("top_up_missing", "请先登记持有人的现金补足款", field="bank_ref")
        title_ref = tx.steps.get(step=rules.title_step(tx.unit.kind)).ref_no
        for share in tx.shares.order_by("offset_id"):
            offset_actions.add_offset_evidence(actor, share.offset_id, "delivery", delivery_name, delivery_doc)
            offset_actions.add_offset_evidence(actor, share.offset_id, "title", title_name, title_doc)
            offset_actions.record_offset_delivery(actor, share.offset_id, delivery_ref=tx.number, title_registration_ref=title_ref)
        tx.status = TxStatus.DELIVERED
        tx.save(update_fields=["status"])
        audit.record(actor, "housing.offset_deliver", tx, summary={"number": tx.number, "title_ref": title_ref})
        return tx


def confirm_receipt(actor: User, tx_id: int) -> HousingTransaction:
    """A holder confirms receipt for each of its applications in this transaction."""
    member_actor(actor)
    with transaction.atomic():
        tx = _lock_offset_tx(tx_id)
        _holder_side(actor, tx)
        require_tx_status(tx, TxStatus.DELIVERED, what="确认收到")
        mine = list(tx.shares.filter(holder_id=actor.organisation_id, offset__status=OffsetStatus.DELIVERED)
                    .order_by("offset_id").values_list("offset_id", flat=True))
        if not mine:
            raise Conflict("nothing_to_confirm", "本机构在该笔抵付中没有待确认的凭证")
        for offset_id in mine:
            offset_actions.confirm_offset_receipt(actor, offset_id)
        audit.record(actor, "housing.offset_receipt", tx, summary={"number": tx.number, "offsets": mine})
        if not tx.shares.exclude(offset__status=OffsetStatus.RECEIVED).exists():
            notify_role(Role.OPERATOR, f"存量房凭证抵付待注销登记：{tx.number}", f"房源 {tx.unit.address}，各持有人均已确认收到。", obj=tx)
        return tx


def complete(actor: User, tx_id: int) -> HousingTransaction:
    """The operator registers the cancellation of every pooled application; the unit is sold."""
    require_role(actor, Role.OPERATOR)
    with transaction.atomic():
        tx = _lock_offset_tx(tx_id)
        require_tx_status(tx, TxStatus.DELIVERED, what="办理注销登记")
        require_steps(tx)
        if tx.shares.exclude(offset__status=OffsetStatus.RECEIVED).exists():
            raise Conflict("receipt_missing", "尚有持有人未确认收到房产")
        ids = list(tx.shares.order_by("offset_id").values_list("offset_id", flat=True))
        done = [offset_actions.register_offset_cancellation(actor, pk) for pk in ids]
        unit = lock_unit(tx.unit_id)
        OffsetAsset.objects.filter(pk=unit.asset_id).update(status=AssetStatus.DELIVERED)
        unit.status = UnitStatus.SOLD
        unit.save(update_fields=["status"])
        tx.status, tx.completed_by, tx.completed_at = TxStatus.COMPLETED, actor, timezone.now()
        tx.save(update_fields=["status", "completed_by", "completed_at"])
        audit.record(actor, "housing.complete", tx, summary={"number": tx.number, "kind": tx.kind, "unit": unit.number,
                                                             "cancellations": [o.cancellation_no for o in done],
                                                             "credit_fen": credit_fen(tx), "top_up_fen": tx.payment_fen})
        notify(tx.counterparty, f"凭证抵付已办结：{tx.number}", f"房源 {unit.address} 已办结，凭证债权已注销登记。", obj=tx)
        return tx


def cancel(actor: User, tx_id: int, reason: str) -> HousingTransaction:
    """Before delivery the lead holder withdraws or the housing entity refuses (reason required):
    every application is closed (pieces live again), the unit and its asset back in the pool."""
    reason = (reason or "").strip()[:MAX_TEXT]
    member_actor(actor)
    with transaction.atomic():
        tx = _lock_offset_tx(tx_id)
        if actor.organisation_id == tx.manager_id:
            side = "housing"
            housing_actor(actor)
            reason = required_text(reason, "reason_required", "请说明不予办理的理由", "reason", MAX_TEXT)
        elif actor.organisation_id == tx.counterparty_id:
            side = "holder"
        else:
            _holder_side(actor, tx)  # a co-holder: visible, not allowed
            raise PermissionDenied("只有牵头持有人或盘活主体可以撤销", code="wrong_party")
        require_tx_status(tx, TxStatus.OPEN, TxStatus.AGREED, what="撤销")
        for share in tx.shares.select_related("holder").order_by("offset_id"):
            # the debtor (housing entity) refuses each; the lead holder can only withdraw its own
            closer = actor if side == "housing" or share.holder_id == actor.organisation_id else None
            if closer is None:
                raise Conflict("co_holder_shares", "共同持有人已加入凭证，须由盘活主体办理撤销")
            offset_actions.close_offset(closer, share.offset_id, reason or "牵头持有人撤回", managed=True)
        release_unit(lock_unit(tx.unit_id), tx)
        tx.status, tx.closed_reason = TxStatus.CANCELLED, reason
        tx.save(update_fields=["status", "closed_reason"])
        audit.record(actor, "housing.cancel", tx, summary={"number": tx.number, "kind": tx.kind, "reason": reason, "by": side})
        return tx
