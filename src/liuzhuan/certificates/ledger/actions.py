"""The ledger's own writer: the operator's certificate parameters (minimum split unit, offer days)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.errors import DomainError
from liuzhuan.core.money import format_yuan
from liuzhuan.core.permissions import require_role
from liuzhuan.core.roles import Role
from liuzhuan.members.models import User

from .checks import ceiling
from .models import CertificateConfig


def set_config(actor: User, *, min_unit_fen: int, offer_days: int) -> CertificateConfig:
    require_role(actor, Role.OPERATOR)
    if not 1 <= min_unit_fen <= ceiling():
        raise DomainError("min_unit_range", f"最小拆分单位应在 ¥0.01 至 {format_yuan(ceiling())} 之间", field="min_unit_fen")
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
