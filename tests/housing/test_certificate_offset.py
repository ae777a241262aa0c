"""凭证抵付: holders take a pool unit with certificate credit — several pieces, several holders,
a remainder left live, a cash top-up — with conservation after every step."""

from __future__ import annotations

import pytest

from liuzhuan.certificates.ledger.models import Piece, PieceStatus
from liuzhuan.certificates.offset.models import AssetStatus, OffsetApplication, OffsetStatus
from liuzhuan.core.errors import DomainError
from liuzhuan.core.models import AuditEvent
from liuzhuan.housing import actions, offsetting
from liuzhuan.housing.models import TxStatus, UnitStatus

from ..certificates.helpers import pdf, state, verified
from .conftest import TODAY, add_unit, owed_certificate, record_steps


def live_pieces(org):
    return sorted(Piece.objects.filter(holder=org, status=PieceStatus.LIVE).values_list("amount_fen", flat=True))


def test_two_holders_pool_pieces_remainder_stays_live_and_top_up_is_recorded(world, pool):
    unit = add_unit(pool, valuation_fen=600_000_00)
    _c1, p1 = owed_certificate(world, pool, world.alice, 400_000_00, "HT-A")
    _c2, p2 = owed_certificate(world, pool, world.carol, 300_000_00, "HT-C")
    assert verified()
    tx = offsetting.open_offset(world.alice, unit.pk, [world.carol_org.pk])
    unit.refresh_from_db()
    assert unit.status == UnitStatus.RESERVED and unit.asset.status == AssetStatus.RESERVED
    assert verified()
    offsetting.add_piece(world.alice, tx.pk, p1.pk, 400_000_00)  # whole piece
    assert verified()
    offsetting.add_piece(world.carol, tx.pk, p2.pk, 150_000_00)  # half: 150 000 stays live with carol
    assert verified()
    assert live_pieces(world.carol_org) == [150_000_00]
    with pytest.raises(DomainError) as err:  # credit cannot pass the price
        offsetting.add_piece(world.carol, tx.pk, Piece.objects.get(holder=world.carol_org, status=PieceStatus.LIVE).pk, 100_000_00)
    assert err.value.field == "amount_fen"
    offsetting.agree(pool.user, tx.pk)
    assert verified()
    assert set(OffsetApplication.objects.values_list("status", flat=True)) == {OffsetStatus.AGREED}
    with pytest.raises(DomainError) as err:  # a step missing: no delivery
        offsetting.deliver(pool.user, tx.pk, delivery_doc=pdf("d"), title_doc=pdf("t"))
    assert err.value.code in ("steps_missing", "top_up_missing")
    record_steps(pool.user, tx, "net_sign", "transfer")
    with pytest.raises(DomainError) as err:
        offsetting.deliver(pool.user, tx.pk, delivery_doc=pdf("d"), title_doc=pdf("t"))
    assert err.value.code == "top_up_missing"
    offsetting.record_top_up(pool.user, tx.pk, payer="甲公司", bank_ref="BK-001", paid_on=TODAY)
    tx.refresh_from_db()
    assert tx.payment_fen == 50_000_00
    offsetting.deliver(pool.user, tx.pk, delivery_doc=pdf("d"), title_doc=pdf("t"))
    assert verified()
    offsetting.confirm_receipt(world.alice, tx.pk)
    with pytest.raises(DomainError):  # carol has not confirmed yet
        offsetting.complete(world.clerk, tx.pk)
    offsetting.confirm_receipt(world.carol, tx.pk)
    offsetting.complete(world.clerk, tx.pk)
    assert verified()
    tx.refresh_from_db()
    unit.refresh_from_db()
    assert tx.status == TxStatus.COMPLETED and unit.status == UnitStatus.SOLD
    assert unit.asset.status == AssetStatus.DELIVERED
    assert sorted(Piece.objects.filter(status=PieceStatus.OFFSET).values_list("amount_fen", flat=True)) == [150_000_00, 400_000_00]
    assert live_pieces(world.carol_org) == [150_000_00]
    assert set(OffsetApplication.objects.values_list("status", flat=True)) == {OffsetStatus.COMPLETED}
    assert AuditEvent.objects.filter(action="housing.complete").count() == 1


def test_cancel_unwinds_pieces_and_unit(world, pool):
    unit = add_unit(pool)
    _c, p = owed_certificate(world, pool)
    tx = offsetting.open_offset(world.alice, unit.pk)
    offsetting.add_piece(world.alice, tx.pk, p.pk, 500_000_00)
    offsetting.agree(pool.user, tx.pk)
    with pytest.raises(DomainError):
        offsetting.cancel(pool.user, tx.pk, "")  # the entity must give a reason
    offsetting.cancel(pool.user, tx.pk, "买受人资格不符")
    unit.refresh_from_db()
    assert unit.status == UnitStatus.IN_POOL and unit.asset.status == AssetStatus.AVAILABLE
    assert live_pieces(world.alice_org) == [500_000_00, 500_000_00]
    assert verified()


def test_a_pooled_offset_is_not_withdrawn_alone_on_the_certificate_pages(world, pool):
    """Closed alone, one holder's application would free the unit's asset while the pool still
    counts on it; it is withdrawn or refused only through the housing transaction as a whole."""
    from liuzhuan.certificates.offset import actions as offset_actions
    from liuzhuan.core.errors import Conflict

    unit = add_unit(pool)
    _c, p = owed_certificate(world, pool)
    tx = offsetting.open_offset(world.alice, unit.pk)
    share = offsetting.add_piece(world.alice, tx.pk, p.pk, 500_000_00)
    offsetting.agree(pool.user, tx.pk)
    before = state()
    for who, reason in ((world.alice, ""), (pool.user, "不予办理")):
        with pytest.raises(Conflict) as exc:
            offset_actions.close_offset(who, share.offset_id, reason)
        assert exc.value.code == "managed_offset" and tx.number in exc.value.message
    assert state() == before
    unit.refresh_from_db()
    assert unit.status == UnitStatus.RESERVED and unit.asset.status == AssetStatus.RESERVED
    assert OffsetApplication.objects.get(pk=share.offset_id).status == OffsetStatus.AGREED
    offsetting.cancel(world.alice, tx.pk, "")  # the lead holder withdraws the whole transaction
    assert OffsetApplication.objects.get(pk=share.offset_id).status == OffsetStatus.WITHDRAWN and verified()


def test_a_reserved_unit_cannot_be_taken_twice_and_refusals_change_nothing(world, pool):
    unit = add_unit(pool)
    offsetting.open_offset(world.alice, unit.pk)
    before = state()
    with pytest.raises(DomainError) as err:
        offsetting.open_offset(world.carol, unit.pk)
    assert err.value.code == "unit_unavailable"
    with pytest.raises(DomainError):
        actions.open_cash_sale(pool.user, unit.pk, buyer_id=world.carol_org.pk, price_fen=1_00, agreement_ref="GF-1")
    assert state() == before
