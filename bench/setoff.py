"""Platform set-off run benchmark: a run over N stored obligations against the bare OR-Tools solve.

    .venv/bin/python bench/setoff.py                        # 100k and 1M on SQLite and PostgreSQL
    .venv/bin/python bench/setoff.py --sizes 10k --db sqlite  # quick run

For each size the same seeded heavy-tailed network as ``bench/netting.py`` (Zipf firm sizes,
log-normal amounts) is stored as confirmed obligations among that many member organisations in a
fresh database. Then, each in its own process so peak memory is the process's own:

(a) platform: ``liuzhuan.setoff.runs.actions.compute`` on a queued run — what the task worker
    does (after loading the compiled cycle walk, as the worker does once when it starts; that load
    is reported apart as ``worker_start_s``): read the snapshot from the database, solve with the
    netting engine, store every loop (the compact loop table: ``setoff/proposals.py``; on
    PostgreSQL by a second thread while the members' lines are written), each member's line with
    its loop numbers, the notices, the snapshot and the totals;
(b) bare: OR-Tools ``SimpleMinCostFlow`` on the same aggregated graph (net positions as supplies,
    unit cost per fen left standing; build + solve), the same peer as ``bench/netting.py``.

Prints each figure, the ratio a/b (the median of ``--rounds`` back-to-back pairs; target ≤ 3) and
the worker's peak RSS; checks that both found the same cleared total. PostgreSQL: ``--pg-url`` (default the machine's, database ``test``); a
database ``liuzhuan_bench_setoff`` is created and dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from netting import SIZES, generate  # noqa: E402 - the same seeded networks as the engine bench

PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/test"
BENCH_DB = "liuzhuan_bench_setoff"


def _env(db: str, var_dir: str, pg_url: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "liuzhuan.settings", "LIUZHUAN_VAR_DIR": var_dir,
           "LIUZHUAN_TASKS_IMMEDIATE": "false"}
    env.pop("DATABASE_URL", None)
    if db == "postgres":
        env["DATABASE_URL"] = pg_url.rsplit("/", 1)[0] + "/" + BENCH_DB
    return env


def _child(mode: str, env: dict, *args: str) -> dict:
    """Run this script as a child in ``mode``; return its JSON line (with the child's own peak RSS)."""
    out = subprocess.run([sys.executable, __file__, "--child", mode, *args], env=env, capture_output=True,
                         text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- children ------------------------------------------------------------------------------------


def child_load(size: str) -> dict:
    """Migrate a fresh database and store the network as confirmed obligations (not timed)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    n_obl, n_firms = SIZES[size]
    data = generate(n_obl, n_firms)
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        from liuzhuan.members.models import Organisation

        made = Organisation.objects.bulk_create(
            [Organisation(name=f"企业{i:06d}", legal_id=f"91150802{i:09d}X", org_type="enterprise", status="active",
                          channel="on_site") for i in range(n_firms)], batch_size=5000)
        org_ids = np.array([o.pk for o in made], dtype=np.int64)
        debtor, creditor = org_ids[data["debtor"]], org_ids[data["creditor"]]
        rows = [(f"ZWB{i:09d}", int(c), int(d), int(a), int(a), f"B-{i}", "confirmed", "upload", int(d))
                for i, (d, c, a) in enumerate(zip(debtor.tolist(), creditor.tolist(), data["amount"].tolist(),
                                                  strict=True))]
        for start in range(0, len(rows), 50_000):
            cur.executemany(
                "INSERT INTO setoff_obligation (number, creditor_id, debtor_id, amount_fen, outstanding_fen, basis, "
                "note, status, channel, registered_by_org_id, registered_at, confirmed_how, dispute_reason, opted_out, "
                "opted_out_reason) VALUES (%s, %s, %s, %s, %s, %s, '', %s, %s, %s, CURRENT_TIMESTAMP, 'confirm', '', "
                "FALSE, '')", rows[start:start + 50_000])
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return {"loaded_seconds": round(time.perf_counter() - t0, 1), "obligations": n_obl, "firms": n_firms}


def child_platform() -> dict:
    import django

    django.setup()
    from liuzhuan.netting.solver import warm_up
    from liuzhuan.setoff import proposals
    from liuzhuan.setoff.models import SetoffRun
    from liuzhuan.setoff.runs import actions

    w0 = time.perf_counter()
    warm_up()  # what ``liuzhuan db_worker`` does once when it starts (setoff/apps.py); timed apart
    warm = time.perf_counter() - w0
    run = actions.start_run(None, trigger="bench")
    t0 = time.perf_counter()
    run = actions.compute(run.pk)
    seconds = time.perf_counter() - t0
    blocks = list(proposals.run_blocks(run))
    # every agreement is there to be read: count what the stored blocks hold, and read one through
    # the same path the pages use
    agreements = sum(len(blk.amount) for _, blk in blocks)
    parts = sum(len(blk.part_amount) for _, blk in blocks)
    assert agreements == run.loops_count and proposals.proposal(run, run.loops_count - 1).amount_fen > 0
    # set the run aside so that the next round solves the same snapshot (its open agreements
    # would otherwise hold the amounts): a benchmark database only
    status = SetoffRun.objects.get(pk=run.pk).status
    SetoffRun.objects.filter(pk=run.pk).update(status="failed")
    return {"seconds": round(seconds, 2), "worker_start_s": round(warm, 2), "cleared_fen": run.cleared_fen, "total_fen": run.total_fen,
            "agreements": agreements, "parts": parts, "status": status}


def child_bare(size: str) -> dict:
    from ortools.graph.python import min_cost_flow

    n_obl, n_firms = SIZES[size]
    data = generate(n_obl, n_firms)
    key = data["debtor"].astype(np.int64) * n_firms + data["creditor"]
    order = np.argsort(key, kind="stable")
    ks = key[order]
    first = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
    cap = np.add.reduceat(data["amount"][order], first)
    tail, head = ks[first] // n_firms, ks[first] % n_firms
    supply = np.zeros(n_firms, dtype=np.int64)
    np.add.at(supply, tail, cap)
    np.add.at(supply, head, -cap)
    t0 = time.perf_counter()
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(tail.astype(np.int32), head.astype(np.int32), cap,
                                              np.ones(cap.size, dtype=np.int64))
    smcf.set_nodes_supplies(np.arange(n_firms, dtype=np.int32), supply)
    status = smcf.solve()
    seconds = time.perf_counter() - t0
    assert status == smcf.OPTIMAL, status
    return {"seconds": round(seconds, 2), "cleared_fen": int(cap.sum()) - int(smcf.optimal_cost())}


# --- parent --------------------------------------------------------------------------------------


def _pg(pg_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(pg_url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(sql)


def bench(size: str, db: str, pg_url: str, rounds: int) -> dict:
    """Load once; then ``rounds`` pairs of (platform run, bare solve) back to back, each its own
    process. The shared VM's speed drifts, so the ratio is taken within each pair and the median
    pair reported. Before the next round the finished run is set aside (marked failed), so every
    round solves the same snapshot."""
    pairs = []
    with tempfile.TemporaryDirectory(prefix="lz-bench-setoff-") as var_dir:
        if db == "postgres":
            _pg(pg_url, f"DROP DATABASE IF EXISTS {BENCH_DB}")
            _pg(pg_url, f"CREATE DATABASE {BENCH_DB}")
        env = _env(db, var_dir, pg_url)
        try:
            load = _child("load", env, size)
            for _ in range(rounds):
                platform = _child("platform", env)
                bare = _child("bare", env, size)
                assert platform["cleared_fen"] == bare["cleared_fen"], (platform, bare)
                pairs.append((platform["seconds"] / bare["seconds"], platform, bare))
        finally:
            if db == "postgres":
                _pg(pg_url, f"DROP DATABASE IF EXISTS {BENCH_DB}")
    pairs.sort(key=lambda p: p[0])
    ratio, platform, bare = pairs[len(pairs) // 2]
    return {"size": size, "db": db, **{f"load_{k}": v for k, v in load.items()}, "platform_s": platform["seconds"],
            "bare_s": bare["seconds"], "worker_start_s": platform["worker_start_s"], "ratio": round(ratio, 2),
            "ratios": [round(r, 2) for r, _, _ in pairs], "platform_all_s": sorted(p["seconds"] for _, p, _ in pairs),
            "bare_all_s": sorted(b["seconds"] for _, _, b in pairs),
            "worker_peak_rss_mb": platform["peak_rss_mb"], "agreements": platform["agreements"],
            "parts": platform["parts"], "cleared_pct": round(100 * platform["cleared_fen"] / platform["total_fen"], 2)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="100k,1m")
    p.add_argument("--rounds", type=int, default=3, help="platform/bare pairs per case; the median pair is shown")
    p.add_argument("--db", default="sqlite,postgres")
    p.add_argument("--pg-url", default=os.environ.get("DATABASE_URL", PG_DEFAULT))
    p.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        mode, *rest = args.child
        result = {"load": child_load, "platform": child_platform, "bare": child_bare}[mode](*rest)
        result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # this process
        print(json.dumps(result))
        return
    print(f"{'size':>5} {'db':>9} {'platform s':>11} {'bare s':>7} {'ratio':>6} {'peak MB':>8} {'agreements':>10} "
          f"{'parts':>9} {'cleared':>8}")
    for size in args.sizes.split(","):
        for db in args.db.split(","):
            r = bench(size, db, args.pg_url, args.rounds)
            print(f"{r['size']:>5} {r['db']:>9} {r['platform_s']:>11} {r['bare_s']:>7} {r['ratio']:>6} "
                  f"{r['worker_peak_rss_mb']:>8} {r['agreements']:>10} {r['parts']:>9} {r['cleared_pct']:>7}%",
                  flush=True)
            print("  " + json.dumps(r, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
