"""Two holders take the same pool unit at once (PostgreSQL): one wins, the other changes nothing."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from liuzhuan.certificates.ledger.models import Piece, PieceStatus
from liuzhuan.core.errors import DomainError
from liuzhuan.core.integrity import run_all
from liuzhuan.housing import offsetting
from liuzhuan.housing.models import HousingTransaction, OffsetShare, TxStatus, UnitStatus

from .conftest import add_unit, owed_certificate


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_holders_racing_for_one_unit_on_postgres(world, pool):
    owed_certificate(world, pool, world.alice, 600_000_00, "HT-A")
    owed_certificate(world, pool, world.carol, 600_000_00, "HT-C")
    for k in range(3):  # a few rounds: the winner varies, the outcome never does
        unit = add_unit(pool, unit_no=f"R{k}")
        pieces = {world.alice.pk: Piece.objects.filter(holder=world.alice_org, status=PieceStatus.LIVE).order_by("-amount_fen").first().pk,
                  world.carol.pk: Piece.objects.filter(holder=world.carol_org, status=PieceStatus.LIVE).order_by("-amount_fen").first().pk}
        barrier = threading.Barrier(2)
        won: list[int] = []
        refused: list[str] = []
        errors: list[str] = []

        def take(user, unit_id=unit.pk, barrier=barrier, won=won, refused=refused, errors=errors, pieces=pieces):
            try:
                barrier.wait()
                tx = offsetting.open_offset(user, unit_id)
                offsetting.add_piece(user, tx.pk, pieces[user.pk], 100_000_00)
                won.append(user.pk)
            except DomainError as exc:
                refused.append(exc.code)
            except Exception as exc:  # reported by the assertion below
                errors.append(repr(exc))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=take, args=(u,)) for u in (world.alice, world.carol)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []
        assert len(won) == 1 and refused == ["unit_unavailable"]
        txs = HousingTransaction.objects.filter(unit=unit)
        assert txs.count() == 1 and txs.get().status == TxStatus.OPEN
        assert OffsetShare.objects.filter(transaction__unit=unit).count() == 1
        unit.refresh_from_db()
        assert unit.status == UnitStatus.RESERVED
        offsetting.cancel(world.alice if won[0] == world.alice.pk else world.carol, txs.get().pk, "下一轮")
        assert run_all().ok, run_all().problems
    assert Piece.objects.filter(status=PieceStatus.OFFSETTING).count() == 0
