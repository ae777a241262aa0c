"""The fee schedule (the operator sets a rule per operation type from an effective date) and fee
settlement (the operator's finance staff record a charge as paid)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from liuzhuan.core.money import format_yuan
from liuzhuan.core.permissions import require_role
from liuzhuan.core.roles import Role
from liuzhuan.members.models import Position, User

from ..ledger.checks import ceiling
from .models import FeeCharge, FeeRule, OperationType


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
    if min_fen > ceiling() or (max_fen is not None and max_fen > ceiling()):
        raise DomainError("fee_too_large", f"收费金额超过上限 {format_yuan(ceiling())}", field="max_fen" if max_fen and max_fen > ceiling() else "min_fen")
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


#: who at the operator may record a fee as paid: its finance staff, and its manager
FINANCE_POSITIONS = frozenset({Position.FINANCE, Position.MANAGER})
MAX_PAYMENT_REF = 60


def record_fee_paid(actor: User, charge_id: int, paid_on: dt.date | None, payment_ref: str) -> FeeCharge:
    """缴费登记: the operator's finance staff record that a charge was paid (on which day, against
    which receipt or bank slip). A charge is paid once; a reversal row is a credit, never paid."""
    require_role(actor, Role.OPERATOR)
    if actor.position not in FINANCE_POSITIONS:
        raise PermissionDenied("缴费登记仅限运营机构财务人员或负责人办理", code="finance_required")
    ref = (payment_ref or "").strip()
    if not ref:
        raise DomainError("payment_ref_required", "请填写缴费凭据号（收据或银行回单号）", field="payment_ref")
    if len(ref) > MAX_PAYMENT_REF or not ref.isprintable():
        raise DomainError("payment_ref_invalid", f"缴费凭据号不能超过{MAX_PAYMENT_REF}个字且不能含控制字符", field="payment_ref")
    if paid_on is None:
        raise DomainError("paid_on_required", "请填写缴费日期", field="paid_on")
    if paid_on > today_china():
        raise DomainError("paid_on_future", "缴费日期不能晚于今天", field="paid_on")
    with transaction.atomic():
        charge = FeeCharge.objects.select_for_update().filter(pk=charge_id).first()
        if charge is None:
            raise NotFound("服务费记录不存在")
        if charge.reverses_id is not None:
            raise DomainError("charge_is_reversal", "冲销行为红字抵减，不需缴费", field="charge_id")
        if charge.paid_on is not None:
            raise Conflict("charge_paid", f"该笔服务费已于 {charge.paid_on:%Y-%m-%d} 登记缴费（凭据 {charge.payment_ref}）")
        if FeeCharge.objects.filter(reverses=charge).exists():
            raise Conflict("charge_reversed", "该笔服务费已冲销，不需缴费")
        if paid_on < charge.charged_on:
            raise DomainError("paid_before_charged", f"缴费日期不能早于计费日期 {charge.charged_on:%Y-%m-%d}", field="paid_on")
        charge.paid_on, charge.payment_ref, charge.settled_by, charge.settled_at = paid_on, ref, actor, timezone.now()
        charge.save(update_fields=["paid_on", "payment_ref", "settled_by", "settled_at"])
        audit.record(actor, "fee.paid", charge, summary={
            "org": charge.org_id, "reference": charge.reference, "amount_fen": charge.amount_fen, "paid_on": paid_on.isoformat(),
            "payment_ref": ref})
        return charge
