"""Accepted transfers per second through the action layer vs the database's raw commit rate.

    .venv/bin/python bench/transfers.py [--transfers 1000] [--clients 1 8] [--batches 1 50] [--repeat 3] [--db sqlite postgres]

For each database: a fresh schema (SQLite in a temp dir; PostgreSQL database ``liuzhuan_bench``),
then (a) raw single-row INSERT + COMMIT loops and (b) offers and acceptances through
``liuzhuan.certificates.circulation.actions`` (each accepted transfer ends a piece, creates one, numbers a
registration, charges a fee, notifies the debtor and appends audit events), with 1 and 8 client
processes: batch 1 is ``offer_transfer`` + ``accept_offer`` per transfer, batch B is
``offer_transfers`` + ``accept_offers`` of B transfers per call. Afterwards ``liuzhuan verify``'s
checks run over everything (a fen spent twice breaks conservation).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgres://postgres@127.0.0.1:5432/liuzhuan_bench"


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuzhuan.settings")
    import django

    django.setup()


def _raw_client(n: int, q, start=None) -> None:
    _setup_django()
    from django.db import connection, transaction

    with connection.cursor() as cur:  # connect before the clock starts, as the transfer clients do
        cur.execute("SELECT 1")
    if start is not None:
        start.wait()
    t0 = time.perf_counter()
    for i in range(n):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("INSERT INTO bench_raw (v) VALUES (%s)", [i])
    q.put((n, t0, time.perf_counter(), None))


class _ListQueue(list):
    put = list.append


def _transfer_client(idx: int, n: int, q, batch: int = 1, start=None, close: bool = True) -> None:
    """``n`` accepted transfers between the client's two members, ``batch`` per action call.

    batch 1: ``offer_transfer`` of the whole piece, then ``accept_offer``. batch B: the first
    ``offer_transfers`` call splits the piece into B parts; afterwards each round offers the B
    pieces whole, and every round ends with one ``accept_offers`` of all B offers.
    """
    _setup_django()
    from django.db import connections

    from liuzhuan.certificates.circulation import actions as circulation
    from liuzhuan.certificates.ledger.models import Certificate
    from liuzhuan.members.models import User

    done, error, t0 = 0, None, time.perf_counter()
    try:  # set-up too: a client that fails before the barrier breaks it, so no one waits for it
        a = User.objects.get(username=f"bench_a{idx}")
        b = User.objects.get(username=f"bench_b{idx}")
        cert = Certificate.objects.get(application__contract_no=f"B{idx}")
        live = list(cert.pieces.filter(status="live").order_by("pk"))
        pieces = [p for p in live if p.holder_id == live[0].holder_id]  # earlier runs may leave pieces with both
        holder, other = (a, b) if pieces[0].holder_id == a.organisation_id else (b, a)
        if start is not None:
            start.wait(timeout=600)
        t0 = time.perf_counter()
        if batch == 1:
            piece = pieces[0]
            for _ in range(n):
                offer = circulation.offer_transfer(holder, piece.pk, other.organisation_id, piece.amount_fen, "BENCH")
                offer = circulation.accept_offer(other, offer.pk)
                piece = offer.new_piece
                holder, other = other, holder
                done += 1
        else:
            for _ in range(n // batch):
                if len(pieces) != batch:  # first round: split the largest piece into ``batch`` parts
                    biggest = max(pieces, key=lambda p: p.amount_fen)
                    whole = biggest.amount_fen
                    amounts = [whole // batch] * (batch - 1) + [whole - whole // batch * (batch - 1)]
                    items = [circulation.OfferItem(biggest.pk, other.organisation_id, amt, "BENCH") for amt in amounts]
                else:
                    items = [circulation.OfferItem(p.pk, other.organisation_id, p.amount_fen, "BENCH") for p in pieces]
                offers = circulation.offer_transfers(holder, items)
                offers = circulation.accept_offers(other, [o.pk for o in offers])
                pieces = [o.new_piece for o in offers]
                holder, other = other, holder
                done += len(offers)
    except Exception as exc:  # reported, so a broken run never prints a rate
        error = f"{type(exc).__name__}: {exc}"
        if start is not None:
            start.abort()
    finally:  # always report, so the parent never waits on a dead client
        q.put((done, t0, time.perf_counter(), error))
    if close:
        connections.close_all()


def _run_clients(target, clients: int, n: int, batch: int = 1) -> float:
    """Run ``clients`` processes; operations per second from the first client's start to the last's end.

    Each client sets up (interpreter state, Django, connection, its rows) and then waits at a
    barrier, so process start-up is outside the measured span for the raw and transfer loops alike.
    """
    from django.db import connections

    connections.close_all()
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    start = ctx.Barrier(clients)
    procs = [ctx.Process(target=target, args=(i, n, q, batch, start) if target is _transfer_client else (n, q, start))
             for i in range(clients)]
    for p in procs:
        p.start()
    done = [q.get(timeout=1800) for _ in procs]
    for p in procs:
        p.join()
    if errors := [d[3] for d in done if d[3]]:
        raise RuntimeError(f"a client failed: {errors[0]}")
    span = max(d[2] for d in done) - min(d[1] for d in done)  # perf_counter is system-wide (CLOCK_MONOTONIC)
    return sum(d[0] for d in done) / span


def worker(db: str, transfers: int, client_counts: list[int], batches: list[int], repeat: int = 1) -> dict:
    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER PRIMARY KEY %s, v INTEGER)" % ("AUTOINCREMENT" if connection.vendor == "sqlite" else "GENERATED ALWAYS AS IDENTITY"))

    from liuzhuan.certificates.fees import actions as fees
    from liuzhuan.certificates.issuance import actions as issuance
    from liuzhuan.core.dates import today_china
    from liuzhuan.core.integrity import run_all
    from liuzhuan.members.bootstrap import create_operator
    from liuzhuan.members.identity import make_uscc
    from liuzhuan.members.models import Organisation, OrganisationRole, User

    op = create_operator(name="基准运营", legal_id=make_uscc("91150802000000001"), username="bench_op", password="Bench-Password-1")
    op2 = User(username="bench_checker", organisation=op.organisation, position="manager")
    op2.set_password("Bench-Password-1")
    op2.save()
    fees.set_fee_rule(op, "transfer", "5", 100, None, "split", today_china())
    import datetime as dt

    max_clients = max(client_counts)
    for i in range(max_clients):
        users = []
        for n, side in enumerate("abd", start=1):  # a and b pass the claim back and forth; d is its debtor
            org = Organisation.objects.create(name=f"基准{side}{i}", org_type="enterprise", legal_id=make_uscc(f"9115080200{i:05d}{n}0"),
                                              status="active", channel="on_site")
            OrganisationRole.objects.create(organisation=org, role="member")
            u = User(username=f"bench_{side}{i}", organisation=org, position="manager")
            u.set_unusable_password()
            u.save()
            users.append(u)
        app = issuance.create_application(users[0], issuance.ApplicationInput(
            counterparty_id=users[2].organisation_id, role="creditor", contract_no=f"B{i}", contract_title="基准合同",
            contract_date=today_china(), amount_fen=10_000_000_00, maturity_date=today_china() + dt.timedelta(days=365),
            offset_scope=("house",), non_cash_declared=True))
        issuance.add_attachment(users[0], app.pk, "contract.pdf", b"%PDF-1.4\n% bench contract " + app.number.encode())
        issuance.confirm_application(users[2], app.pk)
        issuance.record_review_check(op, app.pk, "non_cash_terms", "基准合同约定以商品房抵付")
        issuance.prepare_review(op, app.pk, "approve")
        issuance.decide_review(op2, app.pk, True)

    if os.environ.get("LIUZHUAN_BENCH_PROFILE"):
        import cProfile
        import pstats

        from django.test.utils import CaptureQueriesContext

        q = _ListQueue()
        with CaptureQueriesContext(connection) as ctx:
            _transfer_client(0, 10 * batches[0], q, batch=batches[0], close=False)
        print(f"queries per accepted transfer: {len(ctx.captured_queries) / (10 * batches[0]):.1f}", file=sys.stderr)
        if os.environ.get("LIUZHUAN_BENCH_PROFILE") == "sql":  # the statements of the last round
            per_round = len(ctx.captured_queries) // 10
            for query in ctx.captured_queries[-per_round:]:
                print(query["sql"][:160], file=sys.stderr)
        cProfile.runctx("_transfer_client(0, 50 * b, q, batch=b, close=False)", globals(),
                        {"q": q, "_transfer_client": _transfer_client, "b": batches[0]}, "/tmp/lz.prof")
        pstats.Stats("/tmp/lz.prof", stream=sys.stderr).sort_stats("cumulative").print_stats(35)
        return {}

    result = {"db": db, "vendor": connection.vendor, "raw": {}, "transfers": {}}
    # The machine's speed drifts (a shared VM): each round measures the raw rate and then every
    # batch size back to back, and the ratios are taken within a round; medians are reported.
    for clients in client_counts:
        raws, rates = [], {b: [] for b in batches}
        for _ in range(repeat):
            raws.append(_run_clients(_raw_client, clients, transfers * 3))
            for batch in batches:
                rates[batch].append(_run_clients(_transfer_client, clients, max(transfers, batch), batch))
        result["raw"][clients] = statistics.median(raws)
        for batch in batches:
            key = f"{clients}x{batch}"
            result["transfers"][key] = statistics.median(rates[batch])
            result.setdefault("ratio", {})[key] = [r / raw for r, raw in zip(rates[batch], raws, strict=True)]
    report = run_all()
    result["verify_ok"] = report.ok
    result["problems"] = report.problems[:5]
    result["double_spends"] = sum(1 for p in report.problems if "守恒" in p)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--transfers", type=int, default=1000, help="accepted transfers per client and configuration")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--repeat", type=int, default=3, help="rounds per configuration (medians are reported)")
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 50], help="transfers per action call (1 = offer_transfer/accept_offer)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.transfers, args.clients, args.batches, args.repeat)))
        return 0

    rows = []
    for db in args.db:
        env = {**os.environ, "LIUZHUAN_DB_CONN_MAX_AGE": "0"}
        env.pop("DATABASE_URL", None)
        tmp = tempfile.mkdtemp(prefix="lz-bench-")
        env["LIUZHUAN_VAR_DIR"] = tmp
        if db == "postgres":
            import psycopg

            try:
                with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
                    conn.execute("DROP DATABASE IF EXISTS liuzhuan_bench WITH (FORCE)")
                    conn.execute("CREATE DATABASE liuzhuan_bench")
            except psycopg.Error as exc:
                print(f"PostgreSQL unavailable ({exc.__class__.__name__}); skipping")
                continue
            env["DATABASE_URL"] = PG_BENCH
        out = subprocess.run([sys.executable, __file__, "--worker", db, "--transfers", str(args.transfers), "--clients", *map(str, args.clients),
                              "--batches", *map(str, args.batches), "--repeat", str(args.repeat)],
                             env=env, capture_output=True, text=True, cwd=ROOT)
        if out.returncode != 0:
            print(out.stderr[-3000:])
            return 1
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))

    print(f"\n{'database':<10} {'clients':>7} {'batch':>5} {'raw commits/s':>14} {'transfers/s':>12} {'ratio':>7} {'(range)':>15}  double spends / verify")
    for r in rows:
        for c in args.clients:
            for b in args.batches:
                key = f"{c}x{b}"
                raw, tr, ratios = r["raw"][str(c)], r["transfers"][key], r["ratio"][key]
                spread = f"{min(ratios):.1%}–{max(ratios):.1%}"
                print(f"{r['db']:<10} {c:>7} {b:>5} {raw:>14.1f} {tr:>12.1f} {statistics.median(ratios):>7.1%} {spread:>15}  "
                      f"{r['double_spends']} / {'ok' if r['verify_ok'] else r['problems']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
