"""Housing invariants for ``liuzhuan verify``: each unit and its certificates asset agree, an open
transaction holds its unit, a certificate-offset transaction's applications follow it, and a
completed transaction has every registration step its kind needs."""

from __future__ import annotations

from collections.abc import Iterator

from liuzhuan.certificates.offset.models import OPEN_OFFSET_STATUSES, AssetStatus, OffsetStatus
from liuzhuan.core.integrity import invariant

from . import rules
from .models import OPEN_TX_STATUSES, HousingTransaction, OffsetShare, TxKind, TxStatus, Unit, UnitStatus

#: the certificates asset status each unit status allows
ASSET_OF_UNIT = {
    UnitStatus.IN_POOL: {AssetStatus.AVAILABLE},
    UnitStatus.RESERVED: {AssetStatus.RESERVED},
    UnitStatus.SOLD: {AssetStatus.DELIVERED},
    UnitStatus.EXCHANGED: {AssetStatus.WITHDRAWN},
    UnitStatus.WITHDRAWN: {AssetStatus.WITHDRAWN, None},
    UnitStatus.HANDING_IN: {None},
}


@invariant("存量房源与抵付资产一致")
def units_match_assets() -> Iterator[str]:
    for number, status, asset_status in Unit.objects.values_list("number", "status", "asset__status"):
        if asset_status not in ASSET_OF_UNIT[status]:
            yield f"房源 {number}：状态“{UnitStatus(status).label}”与抵付资产状态 {asset_status} 不符"
    open_units = list(HousingTransaction.objects.filter(status__in=OPEN_TX_STATUSES).exclude(kind=TxKind.HANDOVER)
                      .values_list("number", "unit__status"))
    for number, unit_status in open_units:
        if unit_status != UnitStatus.RESERVED:
            yield f"盘活业务 {number}：办理中，但房源不处于“办理中”状态"


@invariant("存量房凭证抵付与抵付申请一致")
def offset_shares_follow() -> Iterator[str]:
    expected = {
        TxStatus.OPEN: set(OPEN_OFFSET_STATUSES), TxStatus.AGREED: {OffsetStatus.AGREED},
        TxStatus.DELIVERED: {OffsetStatus.DELIVERED, OffsetStatus.RECEIVED}, TxStatus.COMPLETED: {OffsetStatus.COMPLETED},
        TxStatus.CANCELLED: {OffsetStatus.REFUSED, OffsetStatus.WITHDRAWN},
    }
    rows = OffsetShare.objects.values_list("transaction__number", "transaction__status", "offset__number", "offset__status",
                                           "amount_fen", "offset__amount_fen", "offset__asset_id", "transaction__unit__asset_id")
    for tx_no, tx_status, off_no, off_status, amount, off_amount, asset_id, unit_asset_id in rows:
        if off_status not in expected[tx_status]:
            yield f"盘活业务 {tx_no}：抵付申请 {off_no} 状态 {off_status} 与业务状态不符"
        if amount != off_amount:
            yield f"盘活业务 {tx_no}：抵付申请 {off_no} 金额与份额不符"
        if asset_id is not None and asset_id != unit_asset_id:
            yield f"盘活业务 {tx_no}：抵付申请 {off_no} 所选资产不是该房源"
    for tx in HousingTransaction.objects.filter(kind=TxKind.CERTIFICATE_OFFSET).exclude(status=TxStatus.CANCELLED).prefetch_related("shares"):
        if sum(s.amount_fen for s in tx.shares.all()) > tx.price_fen:
            yield f"盘活业务 {tx.number}：凭证抵付合计超过价款"


@invariant("办结的盘活业务登记事项齐全")
def completed_have_steps() -> Iterator[str]:
    for tx in HousingTransaction.objects.filter(status=TxStatus.COMPLETED).select_related("unit").prefetch_related("steps"):
        missing = rules.missing_steps(tx.kind, tx.unit.kind, tx.unit.mortgaged, [s.step for s in tx.steps.all()])
        if missing:
            yield f"盘活业务 {tx.number}：已办结但缺少{'、'.join(rules.STEP_LABELS[s] for s in missing)}"
