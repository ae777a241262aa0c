"""Recording fees inside an action's transaction: the schedule in force, the charge rows per paying
side, and the 红字冲销 reversal of a certificate's issuance fee."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError
from liuzhuan.core.sql import columns, insert_rows, load
from liuzhuan.members.models import Organisation

from ..ledger.models import Certificate, Transfer
from .models import FeeCharge, FeeRule, OperationType
from .rules import compute_fee, fee_term, split_fee

#: an agreed fee term: (payer, side A's share in per cent); None: the schedule's payer
FeeTerm = tuple[str, Decimal] | None


def fee_rule_on(op_type: str, day: dt.date) -> FeeRule | None:
    """The schedule in force on ``day`` (the latest effective date not after it)."""
    return next(iter(load(FeeRule, f"SELECT {columns(FeeRule)} FROM certificates_feerule WHERE op_type = %s "  # noqa: S608
                              "AND effective_date <= %s ORDER BY effective_date DESC LIMIT 1",
                          [op_type, connection.ops.adapt_datefield_value(day)])), None)


def agreed_term(op_type: str, day: dt.date, payer: str | None, share_pct=None) -> tuple[str, Decimal]:
    """The fee term a transfer or pledge contract records: as the parties entered it, or, when they
    left it blank, the default of the schedule in force (no schedule: side A pays)."""
    if not payer:
        if share_pct not in (None, ""):
            raise DomainError("fee_payer_required", "填写承担比例时请选择付费方“双方分担”", field="fee_payer")
        rule = fee_rule_on(op_type, day)
        payer = rule.payer if rule is not None else "transferor"
    return fee_term(payer, share_pct)


def charge_fee(op_type: str, cert: Certificate, *, base_fen: int, payer_a: Organisation, payer_b: Organisation,
               reference: str, today: dt.date, transfer: Transfer | None = None, term: FeeTerm = None) -> int:
    """Record the service fee per the schedule in force (payer_a = transferor/creditor side), shared
    as the contract's ``term`` says (None: as the schedule says)."""
    fee, rows = fee_rows(fee_rule_on(op_type, today), base_fen=base_fen, payer_a_id=payer_a.pk, payer_b_id=payer_b.pk,
                         certificate_id=cert.pk, transfer_id=transfer.pk if transfer else None, reference=reference, today=today,
                         term=term)
    insert_rows(FeeCharge, FEE_FIELDS, rows)
    return fee


#: the columns of a ``fee_rows`` row
FEE_FIELDS = ["org_id", "op_type", "rule_id", "base_fen", "amount_fen", "certificate_id", "transfer_id", "reference",
              "charged_on", "created_at"]


def fee_rows(rule: FeeRule | None, *, base_fen: int, payer_a_id: int, payer_b_id: int, certificate_id: int,
             transfer_id: int | None, reference: str, today: dt.date, term: FeeTerm = None) -> tuple[int, list[tuple]]:
    """The fee under ``rule`` (None: no schedule, no fee) and its ``FeeCharge`` rows (``FEE_FIELDS``),
    one per paying side with a share > 0: the amount is the schedule's, the shares the agreed
    ``term``'s (None: the schedule's payer)."""
    if rule is None:
        return 0, []
    fee = compute_fee(base_fen, rule.rate_per_10k, rule.min_fen, rule.max_fen)
    now = timezone.now()
    shares = split_fee(fee, *term) if term is not None else split_fee(fee, rule.payer)
    return fee, [(org_id, rule.op_type, rule.pk, base_fen, share, certificate_id, transfer_id, reference, today, now)
                 for org_id, share in zip((payer_a_id, payer_b_id), shares, strict=True) if share > 0]


def reverse_issuance_fees(cert: Certificate) -> dict[int, int]:
    """红字冲销 of the issuance fee of a certificate issued in error: one row of the opposite sign per
    charge, pointing at it (the charge itself is never changed). Returns fen reversed per payer."""
    today, now = today_china(), timezone.now()
    # a charge (not itself a reversal) not yet reversed; the sign follows from feecharge_sign_by_kind
    charges = list(FeeCharge.objects.filter(certificate=cert, op_type=OperationType.ISSUANCE, reverses__isnull=True,
                                            reversal__isnull=True, amount_fen__gt=0).order_by("pk"))
    FeeCharge.objects.bulk_create([
        FeeCharge(org_id=c.org_id, op_type=c.op_type, rule_id=c.rule_id, base_fen=c.base_fen, amount_fen=-c.amount_fen,
                  certificate=cert, reference=f"ZF-{cert.number}", charged_on=today, created_at=now, reverses=c)
        for c in charges])
    refunds: dict[int, int] = {}
    for c in charges:
        refunds[c.org_id] = refunds.get(c.org_id, 0) + c.amount_fen
    return refunds


def stored_term(contract) -> FeeTerm:
    """The fee term recorded on a transfer or pledge (None on rows that predate the term)."""
    return (contract.fee_payer, contract.fee_share_pct) if contract.fee_payer else None
