"""Certificate states for ``liuzhuan verify`` (one published check): voided and settled
certificates hold no live piece, extension counts and dates match the extension records, and only
ended pieces carry their own maturity, never later than the certificate's."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, F, Q

from liuzhuan.core.integrity import invariant

from ..ledger.models import HOLDING_STATUSES, Certificate, Piece, PieceStatus
from .models import CertificateExtension


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
    for number in Piece.objects.filter(status__in=HOLDING_STATUSES, maturity_date__isnull=False).values_list("number", flat=True):
        yield f"分段 {number} 仍持有中，却有自己的到期日（展期只对未清偿分段，应随凭证到期日）"
    for number, own, current, original in Piece.objects.filter(maturity_date__isnull=False).filter(
            Q(maturity_date__gt=F("certificate__maturity_date")) | Q(maturity_date__lt=F("certificate__application__maturity_date"))
    ).values_list("number", "maturity_date", "certificate__maturity_date", "certificate__application__maturity_date"):
        yield f"分段 {number}：了结时的到期日 {own} 不在原清偿期限 {original} 与当前到期日 {current} 之间"
