"""Two buyers take the last item at the same moment on PostgreSQL: exactly one order stands, the
other is refused for stock, no credit moves for the loser, and the stock never goes below zero."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.certificates.ledger.models import Piece
from liuzhuan.core.errors import DomainError
from liuzhuan.core.integrity import run_all
from liuzhuan.merchants import actions as merchants
from liuzhuan.merchants.models import CatalogueItem, Order
from liuzhuan.merchants.rules import Line

from ..certificates.conftest import issue


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_buyers_race_for_the_last_item(world, market):
    issue(world, 1_000_00)
    _cert, carol_piece = issue(world, 1_000_00)  # issued to alice; carol gets it whole
    t = circulation.offer_transfer(world.alice, carol_piece.pk, world.carol_org.pk, carol_piece.amount_fen, "ZR-RACE")
    carol_piece = circulation.accept_offer(world.carol, t.pk).new_piece
    for round_no in range(3):  # a few rounds: the winner varies, the outcome never does
        last = merchants.add_item(market.shop, name=f"最后一件 {round_no}", kind="goods", category="retail", price_fen=10_00, stock=1)
        barrier = threading.Barrier(2)
        won: list[str] = []
        refused: list[str] = []
        crashed: list[str] = []

        def take(user, piece_id, barrier=barrier, won=won, refused=refused, crashed=crashed, item_id=last.pk):
            try:
                barrier.wait()
                won.append(merchants.place_order(user, market.profile.pk, [Line(item_id, 1)], mode="transfer", piece_id=piece_id).number)
            except DomainError as exc:
                refused.append(exc.code)
            except Exception as exc:  # reported by the assertion below
                crashed.append(repr(exc))
            finally:
                connections.close_all()

        live_alice = Piece.objects.filter(holder=world.alice_org, status="live").order_by("-amount_fen").first()
        live_carol = Piece.objects.filter(holder=world.carol_org, status="live").order_by("-amount_fen").first()
        threads = [threading.Thread(target=take, args=(world.alice, live_alice.pk)),
                   threading.Thread(target=take, args=(world.carol, live_carol.pk))]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=60)
        assert crashed == []
        assert len(won) == 1 and refused == ["stock_out"]
        assert CatalogueItem.objects.get(pk=last.pk).stock == 0
        assert Order.objects.filter(lines__item=last).count() == 1
        assert Piece.objects.filter(status="offered").count() == round_no + 1  # one reservation per round, the winner's
    assert run_all().ok
