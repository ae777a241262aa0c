"""Market purchase of SME receivables (化解债务风险): the market purchaser records a purchase of an
SME's hard-to-collect receivable, then applies, as debtor, for a certificate to the SME through
the normal joint application (issuance). Each action runs in one transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import Conflict, DomainError, NotFound
from liuzhuan.core.money import format_yuan
from liuzhuan.core.numbers import next_number
from liuzhuan.core.permissions import require_role, require_write_access
from liuzhuan.core.roles import Role
from liuzhuan.members.actions import notify
from liuzhuan.members.classification import UNKNOWN, is_sme_or_private
from liuzhuan.members.models import Organisation, User

from ..issuance.actions import ApplicationInput, create_application
from ..ledger.checks import MAX_TEXT, active_org, ceiling, party_check, required_text
from .models import ReceivablePurchase, ReceivablePurchaseStatus


def record_receivable_purchase(actor: User, *, seller_id: int, original_debtor_name: str, receivable_fen: int, price_fen: int,
                               agreement_ref: str, agreement_date: dt.date, description: str = "",
                               original_debtor_id: int | None = None) -> ReceivablePurchase:
    """The market purchaser records a purchase of an SME's hard-to-collect receivable."""
    require_write_access(actor)
    require_role(actor, Role.PURCHASER)
    org = actor.organisation
    if seller_id == org.pk:
        raise DomainError("seller_self", "出让方不能是本机构", field="seller_id")
    seller = active_org(seller_id, "seller_id", "出让债权的企业")
    if not is_sme_or_private(seller.enterprise_size, seller.ownership):  # 收购中小微企业等主体持有的…债权 (四(二))
        size = seller.get_enterprise_size_display() or UNKNOWN
        raise DomainError("seller_not_sme_or_private", (
            f"市场化收购仅收购中小微企业或民营企业的应收账款：出让方“{seller.name}”登记的企业规模为{size}、所有制为"
            f"{seller.get_ownership_display() or UNKNOWN}，不符合条件。如登记有误，请联系运营机构更正机构分类"), field="seller_id")
    name = required_text(original_debtor_name, "original_debtor_required", "请填写原债务人名称", "original_debtor_name", 200)
    original = None
    if original_debtor_id:
        original = Organisation.objects.filter(pk=original_debtor_id).first()
        if original is None:
            raise DomainError("original_debtor_unknown", "原债务人机构不存在", field="original_debtor_id")
    agreement_ref = required_text(agreement_ref, "agreement_required", "请填写收购协议编号", "agreement_ref")
    if receivable_fen is None or receivable_fen <= 0:
        raise DomainError("amount_not_positive", "应收账款金额必须大于零", field="receivable_fen")
    if receivable_fen > ceiling():
        raise DomainError("amount_too_large", f"应收账款金额超过上限 {format_yuan(ceiling())}", field="receivable_fen")
    if price_fen is None or price_fen <= 0:
        raise DomainError("price_not_positive", "收购价款必须大于零", field="price_fen")
    if price_fen > ceiling():
        raise DomainError("amount_too_large", f"收购价款超过上限 {format_yuan(ceiling())}", field="price_fen")
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
    party_check(actor, {"purchaser": row["purchaser_id"], "seller": row["seller_id"]}, ("purchaser",), what, "收购记录不存在")
    return ReceivablePurchase.objects.select_for_update(of=("self",)).select_related("seller").get(pk=rp_id)


def apply_for_purchase_certificate(actor: User, rp_id: int, *, maturity_date: dt.date, offset_scope=(),
                                   extension_days: int | None = None, extension_max: int | None = None,
                                   extension_conditions=(), guarantee_text: str = "") -> ReceivablePurchase:
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
            amount_fen=rp.price_fen, maturity_date=maturity_date, offset_scope=tuple(offset_scope or ()), non_cash_declared=True,
            extension_days=extension_days, extension_max=extension_max, extension_conditions=tuple(extension_conditions or ()),
            guarantee_text=guarantee_text,
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
    reason = required_text(reason, "reason_required", "请填写撤销理由", "reason", MAX_TEXT)
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
