"""Demo pledge: 临河区鑫达建筑 pledges ¥500,000 of its remaining piece to 河套农商行, registered in 中征登记."""

from __future__ import annotations

import datetime as dt

from liuzhuan.core.dates import today_china
from liuzhuan.members.demo import org

from ..ledger.demo import user
from ..ledger.models import Certificate, Piece
from . import actions


def load(cert: Certificate) -> None:
    today = today_china()
    sme03_piece = Piece.objects.get(certificate=cert, holder=org("sme03"), status="live")
    pledge = actions.create_pledge(user("sme03_boss"), sme03_piece.pk, org("bank1").pk, 500_000_00, "HTNS-ZY-2025-031",
                                   400_000_00, today, today + dt.timedelta(days=365))
    actions.register_pledge(user("bank1_zhou"), pledge.pk, "04563217000812345678", today)
