"""Fee checks for ``liuzhuan verify``: each transfer's fee rows add up to its fee and are shared as
its contract's term says (the pledge's, with the pledge checks: pledge/integrity.py)."""

from __future__ import annotations

from collections.abc import Iterator

from liuzhuan.core.integrity import invariant

from ..ledger.models import Transfer
from .models import FeeCharge
from .rules import split_fee


def charges_by(rows) -> dict:
    """{key: {org_id: fen}} from (key, org_id, amount) rows."""
    out: dict = {}
    for key, org_id, amount in rows:
        out.setdefault(key, {})[org_id] = out.get(key, {}).get(org_id, 0) + amount
    return out


def term_mismatches(label: str, fee_fen: int, payer: str, share, side_a: int, side_b: int, rows: dict[int, int]) -> Iterator[str]:
    if sum(rows.values()) != fee_fen:
        yield f"{label}：服务费 {fee_fen} 分，收费记录合计 {sum(rows.values())} 分"
    elif payer:
        a, b = split_fee(fee_fen, payer, share)
        if side_a == side_b or (rows.get(side_a, 0), rows.get(side_b, 0)) != (a, b):
            yield f"{label}：收费记录未按合同约定的付费方分担（应为 {a} / {b} 分）"


@invariant("服务费按合同约定记录")
def fees_follow_the_term() -> Iterator[str]:
    by_transfer = charges_by(FeeCharge.objects.filter(transfer__isnull=False, reverses__isnull=True).values_list(
        "transfer_id", "org_id", "amount_fen"))
    for t in Transfer.objects.filter(status="accepted").exclude(fee_fen=0).only(
            "pk", "registration_no", "fee_fen", "fee_payer", "fee_share_pct", "from_org_id", "to_org_id").iterator():
        yield from term_mismatches(f"流转变更登记 {t.registration_no}", t.fee_fen, t.fee_payer, t.fee_share_pct, t.from_org_id,
                               t.to_org_id, by_transfer.get(t.pk, {}))
