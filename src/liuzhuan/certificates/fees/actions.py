"""The fee schedule: the operator sets a rule per operation type from an effective date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction

from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError
from liuzhuan.core.money import format_yuan
from liuzhuan.core.permissions import require_role
from liuzhuan.core.roles import Role
from liuzhuan.members.models import User

from ..ledger.checks import ceiling
from .models import FeeRule, OperationType


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
