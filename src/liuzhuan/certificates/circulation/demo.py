"""Demo transfers on the housing certificate: one accepted (the piece split on the way), one still
waiting for its transferee."""

from __future__ import annotations

from liuzhuan.members.demo import org

from ..ledger.demo import user
from ..ledger.models import Certificate
from . import actions


def load(cert: Certificate) -> None:
    p1 = cert.pieces.get()
    t1 = actions.offer_transfer(user("sme03_boss"), p1.pk, org("sme07").pk, 300_000_00, "ZR-2025-0301")
    t1 = actions.accept_offer(user("sme07_boss"), t1.pk)
    actions.offer_transfer(user("sme07_boss"), t1.new_piece_id, org("merchant2").pk, 100_000_00, "ZR-2025-0412")
