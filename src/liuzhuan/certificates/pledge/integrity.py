"""Pledge invariant for ``liuzhuan verify``: every pledged piece has exactly one open pledge."""

from __future__ import annotations

from collections.abc import Iterator

from liuzhuan.core.integrity import invariant

from ..ledger.integrity import frozen_matches
from ..ledger.models import PieceStatus
from .models import OPEN_PLEDGE_STATUSES, Pledge


@invariant("质押与冻结分段一致")
def pledges_match_pieces() -> Iterator[str]:
    yield from frozen_matches(PieceStatus.PLEDGED, Pledge.objects.filter(status__in=OPEN_PLEDGE_STATUSES).values_list(
        "piece_id", "pledgor_id", "amount_fen"), "质押")
