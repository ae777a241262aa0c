"""Lifecycle invariants for ``liuzhuan verify`` (registered at import by apps.ready).

The face-amount conservation check lives in integrity.py and already counts pledged, reserved,
offset and voided pieces; these checks tie every frozen piece to exactly one open record and
keep the records consistent with the pieces.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from django.db.models import Count, F, Sum

from liuzhuan.core.integrity import invariant

from .models import (
    HOLDING_STATUSES,
    OPEN_OFFSET_STATUSES,
    OPEN_PLEDGE_STATUSES,
    Certificate,
    CertificateExtension,
    CommitmentStatus,
    OffsetApplication,
    OffsetStatus,
    Piece,
    PieceStatus,
    Pledge,
    PurchaseCommitment,
    PurchaseProvider,
    PurchaseSale,
    SaleStatus,
)


def _frozen_matches(status: str, records, label: str) -> Iterator[str]:
    """Each piece in ``status`` has exactly one open record on it, with the same holder and amount."""
    pieces = {pk: (number, holder, amount) for pk, number, holder, amount in
              Piece.objects.filter(status=status).values_list("pk", "number", "holder_id", "amount_fen")}
    counts = Counter()
    for piece_id, holder_id, amount in records:
        counts[piece_id] += 1
        got = pieces.get(piece_id)
        if got is None:
            yield f"{label}：办理中的记录所指分段 #{piece_id} 不处于“{PieceStatus(status).label}”状态"
        elif got[1] != holder_id or got[2] != amount:
            yield f"{label}：分段 {got[0]} 的持有人或金额与办理中的记录不一致"
    for pk, (number, _h, _a) in pieces.items():
        if counts[pk] != 1:
            yield f"{label}：分段 {number} 处于“{PieceStatus(status).label}”状态，但有 {counts[pk]} 条办理中的记录"


@invariant("质押与冻结分段一致")
def pledges_match_pieces() -> Iterator[str]:
    yield from _frozen_matches(PieceStatus.PLEDGED, Pledge.objects.filter(status__in=OPEN_PLEDGE_STATUSES).values_list(
        "piece_id", "pledgor_id", "amount_fen"), "质押")


@invariant("抵付锁定与申请一致")
def offsets_match_pieces() -> Iterator[str]:
    yield from _frozen_matches(PieceStatus.OFFSETTING, OffsetApplication.objects.filter(status__in=OPEN_OFFSET_STATUSES).values_list(
        "piece_id", "holder_id", "amount_fen"), "抵付")
    for number, offset, amount, price, top_up in OffsetApplication.objects.filter(status=OffsetStatus.COMPLETED).values_list(
            "number", "offset_fen", "amount_fen", "price_fen", "cash_top_up_fen"):
        if offset != min(amount, price) or offset + top_up != price:
            yield f"抵付 {number}：注销金额 {offset} 分与价款 {price} 分、债权 {amount} 分、补足 {top_up} 分不符"
    for number, offset, piece_amount, piece_status in OffsetApplication.objects.filter(status=OffsetStatus.COMPLETED).values_list(
            "number", "offset_fen", "offset_piece__amount_fen", "offset_piece__status"):
        if piece_amount != offset or piece_status != PieceStatus.OFFSET:
            yield f"抵付 {number}：注销分段金额或状态与抵付记录不符"


@invariant("收购锁定与申请一致")
def sales_match_pieces() -> Iterator[str]:
    yield from _frozen_matches(PieceStatus.SELLING, PurchaseSale.objects.filter(status=SaleStatus.APPLIED).values_list(
        "piece_id", "holder_id", "amount_fen"), "收购")
    used = dict(PurchaseSale.objects.filter(status=SaleStatus.COMPLETED).values("commitment_id").annotate(
        t=Sum("price_fen")).values_list("commitment_id", "t"))
    for pk, number, used_fen in PurchaseCommitment.objects.values_list("pk", "number", "used_fen"):
        if used.get(pk, 0) != used_fen:
            yield f"收购承诺 {number}：已用额度 {used_fen} 分不等于已完成收购价款合计 {used.get(pk, 0)} 分"


@invariant("收购承诺不超过认可额度")
def provider_capacity() -> Iterator[str]:
    """Checked at acceptance against the capacity then in force; a later cut only blocks new ones."""
    for org_id, name in PurchaseCommitment.objects.filter(status=CommitmentStatus.ACTIVE).values_list(
            "provider_id", "provider__name").distinct():
        provider = PurchaseProvider.objects.filter(org_id=org_id).first()
        if provider is None or provider.approved_at is None:
            yield f"“{name}”有生效的收购承诺，但不是经认可的收购服务提供方"


@invariant("作废、结清与展期状态一致")
def certificate_states() -> Iterator[str]:
    for number, status in Piece.objects.filter(status=PieceStatus.VOIDED).exclude(certificate__status="voided").values_list(
            "number", "certificate__status"):
        yield f"分段 {number} 已作废，但所属凭证状态为 {status}"
    for number in Certificate.objects.filter(status="voided").filter(pieces__status__in=HOLDING_STATUSES).values_list("number", flat=True):
        yield f"凭证 {number} 已作废，但仍有持有中的分段"
    for number in Certificate.objects.filter(status="settled").filter(pieces__status__in=HOLDING_STATUSES).values_list(
            "number", flat=True).distinct():
        yield f"凭证 {number} 已结清，但仍有持有中的分段"
    counts = dict(CertificateExtension.objects.values("certificate_id").annotate(n=Count("id")).values_list("certificate_id", "n"))
    for pk, number, count, max_count in Certificate.objects.values_list("pk", "number", "extension_count", "application__extension_max"):
        if counts.get(pk, 0) != count:
            yield f"凭证 {number}：展期次数 {count} 与展期记录 {counts.get(pk, 0)} 条不一致"
        if count > (max_count or 0):
            yield f"凭证 {number}：展期 {count} 次，超过约定的最多 {max_count or 0} 次"
    for number, maturity, to_date in CertificateExtension.objects.filter(seq=F("certificate__extension_count")).values_list(
            "certificate__number", "certificate__maturity_date", "to_date"):
        if maturity != to_date:
            yield f"凭证 {number}：当前到期日 {maturity} 与最后一次展期记录 {to_date} 不一致"
