"""Two concurrent transfers of the same piece: exactly one succeeds, on both databases."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections, transaction

from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.certificates.ledger.models import Piece, Transfer
from liuzhuan.core.errors import DomainError
from liuzhuan.core.integrity import run_all

from ..conftest import issue


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_threads_race_for_one_piece_on_postgres(world):
    _, piece = issue(world)
    barrier = threading.Barrier(2)
    results = []

    def attempt(user, to_org):
        try:
            barrier.wait()
            circulation.offer_transfer(user, piece.pk, to_org.pk, piece.amount_fen, "RACE")
            results.append("ok")
        except DomainError as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(world.alice, o)) for o in (world.carol_org, world.bank_org)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "piece_not_live"]
    assert Transfer.objects.count() == 1 and run_all().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_partial_transfers_race_never_double_spend(world):
    _, piece = issue(world, amount_fen=100_00)
    barrier = threading.Barrier(4)
    results = []

    def attempt(to_org):
        try:
            barrier.wait()
            circulation.offer_transfer(world.alice, piece.pk, to_org.pk, 60_00, "RACE")
            results.append("ok")
        except DomainError as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(o,)) for o in (world.carol_org, world.bank_org, world.outsider_org, world.carol_org)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1
    assert sum(Piece.objects.filter(status__in=["live", "offered"]).values_list("amount_fen", flat=True)) == 100_00


RACER = r"""
import os, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "liuzhuan.settings"
from django.conf import settings
settings.DATABASES["default"]["NAME"] = sys.argv[1]
import django
django.setup()
from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.core.errors import DomainError
from liuzhuan.members.models import User
user = User.objects.get(pk=int(sys.argv[2]))
go = sys.argv[5]
while not os.path.exists(go):
    time.sleep(0.005)
try:
    circulation.offer_transfer(user, int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[6]), "RACE")
    print("ok")
except DomainError as exc:
    print(exc.code)
"""


@pytest.mark.django_db(transaction=True)
def test_two_processes_race_for_one_piece_on_sqlite(world, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite pass runs this; PostgreSQL has the thread tests")
    _, piece = issue(world)
    db_path = str(connection.settings_dict["NAME"])
    go = tmp_path / "go"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    procs = [
        subprocess.Popen([sys.executable, "-c", RACER, db_path, str(world.alice.pk), str(piece.pk), str(org.pk), str(go), str(piece.amount_fen)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=Path(__file__).resolve().parents[3])
        for org in (world.carol_org, world.bank_org)
    ]
    time.sleep(2.0)  # both processes have imported Django and wait at the start line
    go.write_text("go")
    outs = [p.communicate(timeout=120) for p in procs]
    results = sorted(out.strip() for out, _ in outs)
    assert results == ["ok", "piece_not_live"], outs
    assert Transfer.objects.count() == 1 and run_all().ok


def _race(*attempts):
    """Run the callables at once in threads; return what each returned or the error code it raised."""
    barrier = threading.Barrier(len(attempts))
    results = [None] * len(attempts)

    def run(n, fn):
        try:
            barrier.wait()
            results[n] = fn()
        except DomainError as exc:
            results[n] = exc.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n, fn)) for n, fn in enumerate(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_batches_drawing_on_one_piece_never_double_spend(world):
    _, piece = issue(world, amount_fen=100_00)
    batch = [circulation.OfferItem(piece.pk, world.carol_org.pk, 30_00, "B1"), circulation.OfferItem(piece.pk, world.bank_org.pk, 30_00, "B2")]
    results = _race(lambda: len(circulation.offer_transfers(world.alice, batch)), lambda: len(circulation.offer_transfers(world.alice, batch)))
    assert sorted(results, key=str) == [2, "piece_not_live"]
    assert Transfer.objects.count() == 2 and run_all().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_batch_accept_racing_a_cancel_is_all_or_nothing(world):
    _, piece = issue(world)
    offers = circulation.offer_transfers(world.alice, [circulation.OfferItem(piece.pk, world.carol_org.pk, 100_00 * n, f"R{n}") for n in (1, 2, 3)])
    results = _race(lambda: len(circulation.accept_offers(world.carol, [o.pk for o in offers])),
                    lambda: circulation.cancel_offer(world.alice, offers[2].pk).status)
    statuses = list(Transfer.objects.order_by("id").values_list("status", flat=True))
    assert results in ([3, "offer_closed"], ["offer_closed", "cancelled"])
    assert statuses == (["accepted"] * 3 if results[0] == 3 else ["offered", "offered", "cancelled"])
    assert run_all().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_notice_insert_and_organisation_change_do_not_deadlock(world):
    """A holds the audit head and then writes a row referencing an organisation (FK share lock);
    B locks that organisation to change it and then wants the head. Organisation changes take a
    no-key lock, so A is not blocked by B and both finish."""
    from liuzhuan.core import audit
    from liuzhuan.members import actions as members
    from liuzhuan.members.models import Notification

    head_taken = threading.Event()
    results = {}

    def a():
        try:
            with transaction.atomic():
                audit.record(world.clerk, "test.hold_head", world.bob_org)
                head_taken.set()
                time.sleep(0.5)  # B has locked bob's organisation by now
                Notification.objects.create(organisation=world.bob_org, title="x")
            results["a"] = "ok"
        except Exception as exc:  # a deadlock would land here
            results["a"] = repr(exc)
        finally:
            connections.close_all()

    def b():
        try:
            head_taken.wait(5)
            members.change_status(world.checker, world.bob_org.pk, "suspend", "测试")
            results["b"] = "ok"
        except Exception as exc:
            results["b"] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == {"a": "ok", "b": "ok"}
    assert audit.verify_chain() is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pledge_racing_a_transfer_of_the_same_piece_on_postgres(world):
    """The holder pledges the whole piece to the bank while (another clerk of) the holder transfers
    it: the piece row lock lets exactly one through, and the books still balance."""
    from liuzhuan.certificates.pledge import actions as pledging
    from liuzhuan.certificates.pledge.models import Pledge

    from ..helpers import TODAY, days

    _, piece = issue(world)
    barrier = threading.Barrier(2)
    results = []

    def attempt(name, fn):
        try:
            barrier.wait()
            fn()
            results.append(name)
        except DomainError as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    racers = [
        ("pledged", lambda: pledging.create_pledge(world.alice, piece.pk, world.bank_org.pk, piece.amount_fen, "ZY-RACE",
                                                   piece.amount_fen, TODAY, days(90))),
        ("offered", lambda: circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, piece.amount_fen, "RACE")),
    ]
    threads = [threading.Thread(target=attempt, args=r) for r in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 2 and sum(r in ("pledged", "offered") for r in results) == 1, results
    assert Pledge.objects.count() + Transfer.objects.count() == 1
    assert run_all().ok
