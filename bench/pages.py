"""Dashboard and list pages at scale: p50/p95/max per page for each role, SQLite and PostgreSQL.

    .venv/bin/python bench/pages.py                              # load scale 1 where missing, measure, both databases
    .venv/bin/python bench/pages.py load --db sqlite --scale 1   # (re)build the scaled database only
    .venv/bin/python bench/pages.py run --db postgres --repeat 10 --budget 600
    .venv/bin/python bench/pages.py run --db sqlite --only /supervision/ --sql   # one page: its statements

``load`` builds a fresh database — SQLite under ``$TMPDIR/liuzhuan-bench/pages/`` (``--dir``), or
the PostgreSQL database ``liuzhuan_bench_pages`` (dropped and recreated; server from ``--pg-url``)
— migrates it, loads ``liuzhuan demo``, then the scaled data of ``bench/scale.py`` (at scale 1:
100k certificate pieces, 100k obligations, 10k bridge loans, 5k organisations) and runs every
``liuzhuan verify`` check over it.

``run`` logs in (``force_login``) as each user that owns a dashboard or a list — the operator, a
member with many pieces (``sme01_boss``), a bank, the fund manager, the finance bureau, the housing
bureau, the market regulator and the regulator — and requests each page in ``PAGES`` through
Django's test ``Client`` in this process (the whole request: middleware, view, queries, template;
no network). A page a user may not open (not 200) is left out. Each page is requested once to warm
up, then ``--repeat`` times; the run stops early after ``--budget`` seconds. Prints p50/p95/max and
the query count per page and the slowest pages; ``--json FILE`` writes the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "liuzhuan_bench_pages"
TARGET_MS = 300

#: (users, paths): every path is requested by every user of its group that may open it
SUPERVISION = [
    "/supervision/", "/supervision/alerts/", "/supervision/events/",
    "/supervision/certificates/", "/supervision/certificates/?page=2", "/supervision/certificates/?industry=C&size=small",
    "/supervision/certificates/?matures_within=30", "/supervision/certificates/?area=1508",
    "/supervision/pieces/", "/supervision/pieces/?page=2", "/supervision/pieces/?group=pledged",
    "/supervision/pieces/?group=outstanding&industry=C",
    "/supervision/loans/", "/supervision/loans/?page=2", "/supervision/loans/?group=live", "/supervision/loans/?group=repaid&size=small",
]
DEPARTMENTS = [f"/supervision/d/{d}/" for d in ("finance", "housing", "market", "leading_group", "regulator")]
CERTIFICATES = [
    "/certificates/", "/certificates/?page=2", "/certificates/issued/", "/certificates/issued/?page=2", "/certificates/issued/?q=LZ",
    "/certificates/review/", "/certificates/legacy/", "/certificates/fees/", "/certificates/fees/?page=2",
    "/certificates/lifecycle/pledges/", "/certificates/lifecycle/commitments/", "/certificates/lifecycle/providers/",
    "/certificates/lifecycle/offsets/", "/certificates/lifecycle/assets/", "/certificates/lifecycle/voids/",
    "/certificates/lifecycle/purchases/", "/certificates/escrow/",
]
SETOFF = ["/setoff/", "/setoff/?page=2", "/setoff/?status=confirmed", "/setoff/?side=debtor&status=pending", "/setoff/cash/",
          "/setoff/consent/", "/setoff/runs/", "/setoff/agreements/"]
BRIDGE = ["/bridge/", "/bridge/overview/", "/bridge/applications/", "/bridge/applications/?page=2",
          "/bridge/applications/?status=repaid", "/bridge/ledger/", "/bridge/ledger/?page=2", "/bridge/banks/", "/bridge/rates/",
          "/bridge/fund/", "/bridge/checklist/", "/bridge/recovery/", "/bridge/revenue/", "/bridge/reports/", "/bridge/oversight/"]
HOUSING_MERCHANTS = ["/housing/", "/housing/transactions/", "/housing/dashboard/", "/merchants/", "/merchants/orders/",
                     "/merchants/oversight/"]
MEMBERS = ["/", "/members/inbox/", "/members/mine/", "/members/review/", "/members/orgs/", "/members/orgs/?page=2",
           "/members/orgs/?q=测试企业0001"]

USERS = {
    "op_manager": "operator",
    "sme01_boss": "member (many pieces)",
    "bank1_zhou": "bank",
    "xc_huang": "fund manager",
    "czj_liu": "finance bureau",
    "zjj_ma": "housing bureau",
    "scj_tian": "market regulator",
    "jg_sun": "regulator",
}
PAGES = {
    "op_manager": MEMBERS + SUPERVISION + CERTIFICATES + SETOFF + BRIDGE + HOUSING_MERCHANTS,
    "sme01_boss": MEMBERS + CERTIFICATES + SETOFF + BRIDGE + HOUSING_MERCHANTS,
    "bank1_zhou": MEMBERS + CERTIFICATES + BRIDGE + SETOFF,
    "xc_huang": MEMBERS + BRIDGE,
    "czj_liu": MEMBERS + SUPERVISION + DEPARTMENTS + CERTIFICATES + BRIDGE + SETOFF,
    "zjj_ma": ["/supervision/", "/supervision/alerts/", "/housing/", "/housing/transactions/", "/housing/dashboard/"],
    "scj_tian": ["/supervision/", "/supervision/alerts/", "/merchants/", "/merchants/oversight/"],
    "jg_sun": MEMBERS + SUPERVISION + DEPARTMENTS + CERTIFICATES + SETOFF + BRIDGE + HOUSING_MERCHANTS,
}


def _env(db: str, var_dir: Path, pg_url: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "liuzhuan.settings", "LIUZHUAN_VAR_DIR": str(var_dir),
           "LIUZHUAN_TASKS_IMMEDIATE": "false", "PYTHONPATH": str(ROOT / "src")}
    env.pop("DATABASE_URL", None)
    if db == "postgres":
        env["DATABASE_URL"] = pg_url.rsplit("/", 1)[0] + "/" + BENCH_DB
        env["LIUZHUAN_DB_CONN_MAX_AGE"] = "0"
    return env


def _pg(pg_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(pg_url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(sql)


# --- children ------------------------------------------------------------------------------------


def child_load(scale: float) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    sys.path.insert(0, str(HERE))
    import scale as scaled

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("demo", quiet_logins=True, stdout=open(os.devnull, "w"))
    demo_s = time.perf_counter() - t0
    out = scaled.load(scale)
    out["demo_seconds"] = round(demo_s, 1)
    from liuzhuan.core.discovery import app_modules
    from liuzhuan.core.integrity import run_all

    app_modules("integrity")  # registers every app's checks, as ``liuzhuan verify`` does
    t0 = time.perf_counter()
    report = run_all(limit_per_check=3)
    out["verify_seconds"] = round(time.perf_counter() - t0, 1)
    out["verify"] = "ok" if report.ok else report.problems
    return out


def _percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def child_run(repeat: int, budget: float, only: list[str], show_sql: bool) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from liuzhuan.members.models import User

    setup_test_environment()
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():  # the pages name hashed static files
        call_command("collectstatic", interactive=False, verbosity=0)
    deadline = time.monotonic() + budget
    rows, skipped = [], []
    for username, paths in PAGES.items():
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        for path in paths:
            if only and not any(path.startswith(o) for o in only):
                continue
            if time.monotonic() > deadline:
                skipped.append((username, path, "budget"))
                continue
            statements: list[tuple[float, str]] = []

            def count(execute, sql, params, many, context, statements=statements):
                t = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    statements.append((time.perf_counter() - t, sql))

            with connection.execute_wrapper(count):
                t0 = time.perf_counter()
                resp = client.get(path)
                first = (time.perf_counter() - t0) * 1000
            if resp.status_code != 200:
                skipped.append((username, path, resp.status_code))
                continue
            if show_sql:
                for seconds, sql in statements:
                    print(f"  {seconds * 1000:7.1f} ms  {sql[:400]}", file=sys.stderr)
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
                if time.monotonic() > deadline:
                    break
            rows.append({"user": username, "role": USERS[username], "path": path, "n": len(times), "first_ms": round(first, 1),
                         "p50_ms": round(statistics.median(times), 1), "p95_ms": round(_percentile(times, 0.95), 1),
                         "max_ms": round(max(times), 1), "queries": len(statements), "bytes": len(resp.content)})
            print(f"{username:<11} {path:<58} p50 {rows[-1]['p50_ms']:>7.1f}  p95 {rows[-1]['p95_ms']:>7.1f}  "
                  f"max {rows[-1]['max_ms']:>7.1f} ms  {rows[-1]['queries']:>3} q", file=sys.stderr, flush=True)
    return {"vendor": connection.vendor, "rows": rows, "skipped": skipped}


# --- parent --------------------------------------------------------------------------------------


def _child(mode: str, env: dict, *args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, *args], env=env, stdout=subprocess.PIPE, text=True,
                         check=False)
    if out.returncode != 0:
        raise SystemExit(f"{mode} failed (exit {out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _load(db: str, scale: float, var_dir: Path, pg_url: str) -> dict:
    var_dir.mkdir(parents=True, exist_ok=True)
    if db == "postgres":
        _pg(pg_url, f"DROP DATABASE IF EXISTS {BENCH_DB}")
        _pg(pg_url, f"CREATE DATABASE {BENCH_DB}")
    else:
        for suffix in ("", "-wal", "-shm"):
            (var_dir / f"liuzhuan.sqlite3{suffix}").unlink(missing_ok=True)
    t0 = time.perf_counter()
    got = _child("load", _env(db, var_dir, pg_url), str(scale))
    got["wall_seconds"] = round(time.perf_counter() - t0, 1)
    (var_dir / f"loaded-{db}.json").write_text(json.dumps(got))
    return got


def _loaded(db: str, var_dir: Path) -> bool:
    return (var_dir / f"loaded-{db}.json").exists()


def _report(db: str, result: dict, load: float) -> None:
    rows = result["rows"]
    print(f"\n## {db} ({result['vendor']}), load average at start {load:.2f}, {len(rows)} pages")
    print(f"{'user':<11} {'page':<58} {'p50':>7} {'p95':>7} {'max':>7}  queries")
    for r in rows:
        flag = "  <-- over" if r["p95_ms"] > TARGET_MS else ""
        print(f"{r['user']:<11} {r['path']:<58} {r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f} {r['max_ms']:>7.1f}  {r['queries']:>4}{flag}")
    over = sorted((r for r in rows if r["p95_ms"] > TARGET_MS), key=lambda r: -r["p95_ms"])
    slowest = sorted(rows, key=lambda r: -r["p95_ms"])[:8]
    print("\nslowest: " + ", ".join(f"{r['path']} ({r['user']}) {r['p95_ms']:.0f} ms" for r in slowest))
    named = ": " + ", ".join(f"{r['path']} ({r['user']})" for r in over) if over else ""
    print(f"over {TARGET_MS} ms p95: {len(over)} of {len(rows)}{named}")
    if result["skipped"]:
        print("left out (not 200 for that user, or past the budget): " + ", ".join(f"{u} {p} {s}" for u, p, s in result["skipped"]))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("command", nargs="?", choices=["load", "run", "all"], default="all")
    p.add_argument("--db", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    p.add_argument("--scale", type=float, default=1.0, help="1 = 100k pieces, 100k obligations, 10k loans")
    p.add_argument("--repeat", type=int, default=10, help="timed requests per page (after one warm-up)")
    p.add_argument("--budget", type=float, default=900, help="seconds per database; pages past it are left out")
    p.add_argument("--only", nargs="*", default=[], help="path prefixes to measure")
    p.add_argument("--sql", action="store_true", help="print each measured page's statements (first request)")
    p.add_argument("--dir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "liuzhuan-bench" / "pages")
    p.add_argument("--pg-url", default=PG_DEFAULT)
    p.add_argument("--json", type=Path)
    p.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        mode, *rest = a.child
        if mode == "load":
            out = child_load(float(rest[0]))
        else:
            out = child_run(int(rest[0]), float(rest[1]), json.loads(rest[2]), rest[3] == "1")
        print(json.dumps(out, default=str))
        return
    results = {}
    for db in a.db:
        var_dir = a.dir / db
        if a.command == "load" or (a.command == "all" and not _loaded(db, var_dir)):
            print(f"loading {db} at scale {a.scale} ...", flush=True)
            print(json.dumps(_load(db, a.scale, var_dir, a.pg_url)), flush=True)
        if a.command == "load":
            continue
        if not _loaded(db, var_dir):
            raise SystemExit(f"no scaled {db} database under {var_dir}: run `bench/pages.py load --db {db}` first")
        load = os.getloadavg()[0]
        result = _child("run", _env(db, var_dir, a.pg_url), str(a.repeat), str(a.budget), json.dumps(a.only),
                        "1" if a.sql else "0")
        result["load_average"] = [load, os.getloadavg()[0]]
        result["loaded"] = json.loads((var_dir / f"loaded-{db}.json").read_text())
        results[db] = result
        _report(db, result, load)
    if a.json:
        a.json.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
