"""Purchase with lock-up (附带锁定期的收购): the operator approves providers and their capacity
(maker-checker); a party entrusts a provider with a commitment on a certificate, the provider
accepts within its capacity; after the lock-up a holder applies to sell, the provider pays and
title passes to it. Commitments expire (daily job).

Each action runs in one transaction; a ``DomainError`` means nothing changed.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from liuzhuan.core.money import format_yuan
from liuzhuan.core.numbers import next_number
from liuzhuan.core.permissions import require_checker, require_role, require_write_access
from liuzhuan.core.roles import Role
from liuzhuan.members.actions import notify
from liuzhuan.members.models import Organisation, OrgStatus, User
from liuzhuan.members.queries import sees_all

from ..circulation.title import pass_title
from ..escrow.models import EscrowScope
from ..escrow.queries import receiving_account
from ..fees.models import OperationType
from ..ledger.checks import (
    MAX_TEXT,
    Party,
    ceiling,
    member_actor,
    party_check,
    require_standing,
    required_text,
)
from ..ledger.locks import held_certificate_id, lock_cert_and_piece, lock_piece_for_holder
from ..ledger.models import Certificate, PieceStatus
from ..ledger.pieces import reserve, unfreeze
from ..ledger.queries import holders_of, is_certificate_party
from ..ledger.rules import refuse_debtor, require_active_certificate, require_not_legacy
from . import rules
from .models import (
    CommitmentStatus,
    PriceKind,
    PurchaseCommitment,
    PurchaseProvider,
    PurchaseSale,
    SaleStatus,
)
from .queries import provider_outstanding_fen


def _provider_actor(actor: User) -> Organisation:
    """Provider steps (accept or decline a commitment, confirm or refuse a sale) are taken by an
    approved provider: a member, or the operator itself (受托收购, seed 三(四)「委托债权管理服务机构或经
    债权管理服务机构认可的其他第三方」). Holder and entrusting-party steps stay with members
    (``party_check`` decides which side the actor is)."""
    require_write_access(actor)
    require_role(actor, Role.MEMBER, Role.OPERATOR)
    return actor.organisation


def _eligible_provider(org_id: int | None) -> Organisation:
    """An active member, or the operator organisation itself; one message otherwise (ids reveal nothing)."""
    org = Organisation.objects.filter(pk=org_id, status=OrgStatus.ACTIVE).first() if org_id else None
    if org is None or not org.has_any_role([Role.MEMBER, Role.OPERATOR]):
        raise DomainError("org_id_unavailable", "服务提供方不存在或不是正常状态的会员或债权管理服务机构，不能办理", field="org_id")
    return org


def prepare_provider(actor: User, org_id: int, capacity_fen: int, note: str = "") -> PurchaseProvider:
    """Operator (maker) proposes approving an organisation as purchase-service provider, or a new capacity."""
    require_write_access(actor)
    require_role(actor, Role.OPERATOR)
    if capacity_fen is None or capacity_fen < 0:
        raise DomainError("capacity_negative", "收购承诺额度不能为负（填 0 即暂停）", field="capacity_fen")
    if capacity_fen > ceiling():
        raise DomainError("amount_too_large", f"收购承诺额度超过上限 {format_yuan(ceiling())}", field="capacity_fen")
    org = _eligible_provider(org_id)
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


def request_commitment(actor: User, cert_id: int, provider_org_id: int, *, price_kind: str, price_bp: int | None = None,
                       fixed_price_fen: int | None = None, lockup_end: dt.date, expiry: dt.date, conditions: str = "",
                       agreement_ref: str = "", on: dt.date | None = None) -> PurchaseCommitment:
    """A holder (or the creditor or debtor) entrusts an approved provider with a purchase commitment
    on the certificate: price, lock-up end, expiry, conditions. The provider then accepts. ``on``
    fixes the business date (the demo's commitment made months ago); default today in China."""
    org = member_actor(actor)
    cert = Certificate.objects.filter(pk=cert_id).first()
    if cert is None or not is_certificate_party(cert, org.pk):
        if cert is not None and sees_all(actor):
            raise PermissionDenied("只有凭证持有人、债权人或债务人可以委托收购承诺", code="wrong_party")
        raise NotFound("凭证不存在")
    agreement_ref = required_text(agreement_ref, "agreement_required", "请填写委托协议编号", "agreement_ref")
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
        if fixed_price_fen > ceiling():
            raise DomainError("amount_too_large", f"收购价格超过上限 {format_yuan(ceiling())}", field="fixed_price_fen")
        if fixed_price_fen > cert.face_fen:
            raise DomainError("price_above_face", f"固定收购价 {format_yuan(fixed_price_fen)} 高于凭证面额 {format_yuan(cert.face_fen)}",
                              field="fixed_price_fen")
        price_bp = None
    today = on or today_china()
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
        require_active_certificate(cert, "办理收购承诺")
        require_not_legacy(cert, "办理收购承诺")
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
    side = party_check(actor, {"provider": row["provider_id"], "entrusted_by": row["entrusted_by_id"]}, allowed, what, "收购承诺不存在")
    cert = Certificate.objects.select_for_update(of=("self",)).get(pk=row["certificate_id"])
    c = PurchaseCommitment.objects.select_for_update(of=("self",)).select_related("provider", "entrusted_by").get(pk=commitment_id)
    return cert, c, side


def accept_commitment(actor: User, commitment_id: int) -> PurchaseCommitment:
    """The provider accepts; its outstanding commitments may not exceed its approved capacity."""
    _provider_actor(actor)
    with transaction.atomic():
        cert, c, _ = _lock_commitment(commitment_id, actor, ("provider",), "接受收购承诺")
        if c.status != CommitmentStatus.REQUESTED:
            raise Conflict("commitment_state", f"收购承诺 {c.number} 当前状态为“{c.get_status_display()}”，不能接受")
        require_active_certificate(cert, "接受收购承诺")
        require_not_legacy(cert, "接受收购承诺")
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
        for holder in holders_of(cert):
            if holder.pk != c.entrusted_by_id:
                notify(holder, f"凭证 {cert.number} 获得收购承诺", (
                    f"{c.provider.name} 承诺在锁定期（至 {c.lockup_end:%Y-%m-%d}）满后按 {c.price_label} 收购，有效期至 {c.expiry:%Y-%m-%d}。"), obj=c)
        return c


def close_commitment(actor: User, commitment_id: int, reason: str = "") -> PurchaseCommitment:
    """Before acceptance: the provider declines, or the entrusting party withdraws."""
    _provider_actor(actor)
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


def _provider_party(provider: Organisation) -> Party:
    """The provider receives the claim: an active member, or the operator itself (受托收购, active)."""
    return Party(provider.pk, "收购服务提供方", member=not provider.has_role(Role.OPERATOR))


def apply_sale(actor: User, piece_id: int, commitment_id: int, amount_fen: int) -> PurchaseSale:
    """After lock-up the current holder of a covered piece applies to sell it to the provider.

    Refused before lock-up ends (the message gives the first day) and after the commitment expires.
    """
    org = member_actor(actor)
    cert_id = held_certificate_id(piece_id, org)
    c = PurchaseCommitment.objects.filter(pk=commitment_id, certificate_id=cert_id).first()
    if c is None:
        raise NotFound("收购承诺不存在")
    today = today_china()
    with transaction.atomic():
        cert, piece = lock_piece_for_holder(piece_id, org, cert_id)
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
        require_standing("申请收购", _provider_party(c.provider))
        require_active_certificate(cert, "申请收购")
        require_not_legacy(cert, "申请收购")
        reserved = reserve(cert, piece, amount_fen, PieceStatus.SELLING, "收购")
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
    side = party_check(actor, {"holder": row["holder_id"], "provider": row["commitment__provider_id"]}, allowed, what, "收购申请不存在")
    cert, piece = lock_cert_and_piece(row["certificate_id"], row["piece_id"])
    sale = PurchaseSale.objects.select_for_update(of=("self",)).select_related("holder").get(pk=sale_id)
    c = PurchaseCommitment.objects.select_for_update(of=("self",)).select_related("provider").get(pk=sale.commitment_id)
    if sale.status != SaleStatus.APPLIED:
        raise Conflict("sale_state", f"收购申请 {sale.number} 当前状态为“{sale.get_status_display()}”，不能办理")
    return cert, piece, sale, c, side


def confirm_sale(actor: User, sale_id: int, *, payment_fen: int, payment_date: dt.date, payment_ref: str,
                 payment_account_no: str = "") -> PurchaseSale:
    """The provider confirms payment (made outside the platform); title passes to the provider.
    While a 资金监管 agreement covers sale proceeds, the payment names its supervised account."""
    _provider_actor(actor)
    payment_ref = required_text(payment_ref, "payment_ref_required", "请填写付款银行流水号", "payment_ref", 60)
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
        require_standing("办理收购", Party(sale.holder_id, "持有人"), _provider_party(c.provider))
        sale.payment_account = receiving_account(EscrowScope.SALE_PROCEEDS, payment_account_no, payment_date, "payment_account_no")
        t = pass_title(actor, cert, piece, c.provider, origin="purchase", agreement_ref=c.agreement_ref,
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
            "payment_account": sale.payment_account.account_no if sale.payment_account_id else None,
        })
        notify(sale.holder, f"收购已完成：{sale.number}", (
            f"{c.provider.name} 已支付 {format_yuan(payment_fen)}（{payment_date:%Y-%m-%d}，流水 {payment_ref}），"
            f"债权 {format_yuan(sale.amount_fen)} 已登记至收购方（{t.registration_no}）。"), obj=sale)
        return sale


def close_sale(actor: User, sale_id: int, reason: str = "") -> PurchaseSale:
    """The provider refuses (reason required), or the holder withdraws; the piece is live again."""
    _provider_actor(actor)
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
