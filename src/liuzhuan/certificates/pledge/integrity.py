"""Pledge invariants for ``liuzhuan verify``: every pledged piece has exactly one open pledge; each
pledge's fee rows add up to its fee, shared as the pledge contract's term says."""

from __future__ import annotations

from collections.abc import Iterator

from liuzhuan.core.integrity import invariant

from ..fees.integrity import charges_by, term_mismatches
from ..fees.models import FeeCharge
from ..ledger.integrity import frozen_matches
from ..ledger.models import PieceStatus
from .models import OPEN_PLEDGE_STATUSES, Pledge


@invariant("质押与冻结分段一致")
def pledges_match_pieces() -> Iterator[str]:
    yield from frozen_matches(PieceStatus.PLEDGED, Pledge.objects.filter(status__in=OPEN_PLEDGE_STATUSES).values_list(
        "piece_id", "pledgor_id", "amount_fen"), "质押")


@invariant("质押服务费按合同约定记录")
def pledge_fees_follow_the_term() -> Iterator[str]:
    by_reference = charges_by(FeeCharge.objects.filter(op_type="pledge", reverses__isnull=True).values_list(
        "reference", "org_id", "amount_fen"))
    for p in Pledge.objects.exclude(fee_fen=0).only("number", "fee_fen", "fee_payer", "fee_share_pct", "pledgor_id", "pledgee_id").iterator():
        yield from term_mismatches(f"质押 {p.number}", p.fee_fen, p.fee_payer, p.fee_share_pct, p.pledgor_id, p.pledgee_id,
                                   by_reference.get(p.number, {}))
