"""Netting benchmark: liuzhuan vs bare OR-Tools vs networkx vs greedy cycle cancelling.

    .venv/bin/python bench/netting.py                 # 10k, 100k and 1M obligations
    .venv/bin/python bench/netting.py --sizes 10k     # quick run

Networks are heavy-tailed and seeded: each firm has a Zipf(1) "size" weight (Axtell 2001 found
US firm sizes Zipf-distributed with exponent ≈ 1); debtor and creditor of every obligation are
drawn by that weight (big firms owe and are owed more), so there are hubs, many parallel
obligations between hubs and a giant strongly connected component. Amounts are log-normal
(median ≈ ¥8,100), due dates spread over 2026.

Every method runs in its own subprocess; wall time and peak RSS (``wait4`` → ``ru_maxrss``) are
measured by the parent. Each method's cleared total is checked against the optimum.

(a) liuzhuan: ``liuzhuan netting solve FILE --json --out … --loops …`` end to end, from the
    CSV to the per-obligation set-off file and the loop file, including interpreter start.
(b) OR-Tools bare: ``SimpleMinCostFlow`` on the whole aggregated graph in the textbook form
    (net positions as supplies, unit cost per fen left standing); time of building + solving.
(c) networkx ``network_simplex`` on the same formulation (up to 100k obligations).
(d) greedy: cancel cycles in the order ``networkx.simple_cycles`` yields them, within a budget.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SIZES = {"10k": (10_000, 1_000), "100k": (100_000, 10_000), "1m": (1_000_000, 100_000)}
HERE = Path(__file__).resolve().parent
LIUZHUAN = str(Path(sys.executable).with_name("liuzhuan"))


def generate(n_obligations: int, n_firms: int, seed: int = 20260101) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    weight = 1.0 / np.arange(1, n_firms + 1, dtype=np.float64)
    weight /= weight.sum()
    perm = rng.permutation(n_firms)  # which firm gets which size rank
    debtor = perm[rng.choice(n_firms, size=n_obligations, p=weight)]
    creditor = perm[rng.choice(n_firms, size=n_obligations, p=weight)]
    clash = debtor == creditor
    while clash.any():
        creditor[clash] = perm[rng.choice(n_firms, size=int(clash.sum()), p=weight)]
        clash = debtor == creditor
    amount_fen = np.maximum(1, np.round(rng.lognormal(9.0, 1.5, n_obligations) * 100)).astype(np.int64)
    due = rng.integers(0, 365, n_obligations)
    return {"debtor": debtor, "creditor": creditor, "amount": amount_fen, "due": due}


def write_csv(path: Path, data: dict[str, np.ndarray]) -> None:
    from datetime import date, timedelta

    start = date(2026, 1, 1)
    days = [(start + timedelta(days=i)).isoformat() for i in range(366)]
    yuan, cents = np.divmod(data["amount"], 100)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write("id,debtor,creditor,amount,due\n")
        rows = zip(
            range(1, data["amount"].size + 1),
            data["debtor"].tolist(),
            data["creditor"].tolist(),
            yuan.tolist(),
            cents.tolist(),
            data["due"].tolist(),
            strict=True,
        )
        fh.writelines(f"{i},企业{d:06d},企业{c:06d},{y}.{ct:02d},{days[u]}\n" for i, d, c, y, ct, u in rows)
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------
# Children: one method each, print one JSON line
# ---------------------------------------------------------------------------------------------


def _aggregated(path: str):
    from liuzhuan.netting.reading import read_obligations

    ledger = read_obligations(path)
    n = len(ledger.parties)
    key = ledger.debtor * n + ledger.creditor
    order = np.argsort(key, kind="stable")
    ks = key[order]
    first = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
    cap = np.add.reduceat(ledger.amount[order], first)
    tail = ks[first] // n
    head = ks[first] % n
    supply = np.zeros(n, dtype=np.int64)  # out − in: net payer sends the remaining debt
    np.add.at(supply, tail, cap)
    np.add.at(supply, head, -cap)
    return n, tail, head, cap, supply


def child_ortools(path: str) -> dict:
    from ortools.graph.python import min_cost_flow

    n, tail, head, cap, supply = _aggregated(path)
    t0 = time.perf_counter()
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        tail.astype(np.int32), head.astype(np.int32), cap, np.ones(cap.size, dtype=np.int64)
    )
    smcf.set_nodes_supplies(np.arange(n, dtype=np.int32), supply)
    status = smcf.solve()
    seconds = time.perf_counter() - t0
    assert status == smcf.OPTIMAL, status
    remaining = int(smcf.optimal_cost())
    return {"seconds": seconds, "cleared_fen": int(cap.sum()) - remaining, "arcs": int(cap.size)}


def child_networkx(path: str) -> dict:
    import networkx as nx

    _n, tail, head, cap, supply = _aggregated(path)
    g = nx.DiGraph()
    for v, s in enumerate(supply.tolist()):
        g.add_node(v, demand=-s)
    for u, v, c in zip(tail.tolist(), head.tolist(), cap.tolist(), strict=True):
        g.add_edge(u, v, capacity=c, weight=1)
    t0 = time.perf_counter()
    cost, _flow = nx.network_simplex(g)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "cleared_fen": int(cap.sum()) - int(cost)}


def child_greedy(path: str, budget: float) -> dict:
    """Greedy cycle cancelling: take cycles in the order ``simple_cycles`` yields them and cancel
    each one's bottleneck; an emptied arc is removed and the enumeration restarted (the generator
    cannot survive edits to the graph, and without removal it keeps yielding dead cycles)."""
    import networkx as nx

    _n, tail, head, cap, _supply = _aggregated(path)
    residual = {(u, v): c for u, v, c in zip(tail.tolist(), head.tolist(), cap.tolist(), strict=True)}
    g = nx.DiGraph()
    g.add_edges_from(residual)
    t0 = time.perf_counter()
    cleared = 0
    cycles = 0
    finished = False
    while time.perf_counter() - t0 <= budget:
        emptied = []
        for cyc in nx.simple_cycles(g):
            arcs = list(zip(cyc, cyc[1:] + cyc[:1], strict=True))
            amount = min(residual[a] for a in arcs)
            for a in arcs:
                residual[a] -= amount
            cleared += amount * len(arcs)
            cycles += 1
            emptied = [a for a in arcs if residual[a] == 0]
            break
        else:
            finished = True
            break
        g.remove_edges_from(emptied)
    return {
        "seconds": time.perf_counter() - t0,
        "cleared_fen": cleared,
        "finished": finished,
        "cycles": cycles,
    }


# ---------------------------------------------------------------------------------------------
# Parent
# ---------------------------------------------------------------------------------------------


def _peak_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _tree_pss_kib(pid: int) -> int:
    """Proportional set size of a process and all its descendants: pages the forked pair shares
    copy-on-write are split between them, so the sum is the real footprint of the tree."""
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{p}/task/{p}/children", encoding="ascii") as fh:
                stack += [int(x) for x in fh.read().split()]
        except (OSError, ValueError):
            pass
    return total


def measure_liuzhuan(path: Path, workdir: Path, jobs: int | None = None, sample: bool = True) -> dict:
    """One end-to-end CLI run. ``sample``: also follow the PSS of the process tree every 50 ms —
    reading ``smaps_rollup`` of a 700 MB process takes ≈ 9 ms of CPU and the process's mmap lock
    each time, which slows the run it measures; the timed pairs therefore run without it."""
    import threading

    out = workdir / "setoffs.csv"
    loops = workdir / "loops.csv"
    cmd = [LIUZHUAN, "netting", "solve", str(path), "--json", "--out", str(out), "--loops", str(loops)]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample_pss() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_pss_kib(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample_pss, daemon=True)
    if sample:
        sampler.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    done.set()
    if sample:
        sampler.join()
    stdout = proc.stdout.read()
    stderr = proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"liuzhuan failed: {stderr}")
    data = json.loads(stdout.strip().splitlines()[-1])
    data["wall"] = wall
    data["cpu"] = usage.ru_utime + usage.ru_stime
    data["peak_mib"] = usage.ru_maxrss / 1024
    data["tree_peak_mib"] = peak[0] / 1024
    with open(loops, encoding="utf-8-sig") as fh:
        data["loops_rows"] = sum(1 for _ in fh) - 1
    return data


def measure_child(method: str, path: Path, timeout: float, extra: list[str] = ()) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", method, str(path), *extra]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = t0 + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            _pid, status, usage = os.wait4(proc.pid, 0)
            return {"status": "timeout", "wall": time.perf_counter() - t0, "peak_mib": usage.ru_maxrss / 1024}
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    stdout = proc.stdout.read()
    stderr = proc.stderr.read()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        return {
            "status": f"failed: {stderr.strip()[-200:]}",
            "wall": wall,
            "peak_mib": usage.ru_maxrss / 1024,
        }
    data = json.loads(stdout.strip().splitlines()[-1])
    data.update(status="ok", wall=wall, cpu=usage.ru_utime + usage.ru_stime, peak_mib=usage.ru_maxrss / 1024)
    return data


def fmt_s(x: float | None) -> str:
    if x is None or x != x:
        return "—"
    return f"{x:.2f}" if x < 100 else f"{x:.0f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10k,100k,1m", help="comma list of 10k,100k,1m")
    ap.add_argument("--data-dir", default=os.path.join(tempfile.gettempdir(), "liuzhuan-bench"))
    ap.add_argument("--greedy-budget", type=float, default=60.0)
    ap.add_argument("--nx-max", type=int, default=100_000, help="largest size given to networkx")
    ap.add_argument("--nx-timeout", type=float, default=1800.0)
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument(
        "--pairs", type=int, default=0,
        help="only time liuzhuan end to end against the bare OR-Tools solve, alternately, this many pairs",
    )
    args = ap.parse_args(argv)

    if args.child:
        method, path, *rest = args.child
        if method == "ortools":
            res = child_ortools(path)
        elif method == "networkx":
            res = child_networkx(path)
        elif method == "greedy":
            res = child_greedy(path, float(rest[0]))
        else:
            raise SystemExit(f"unknown child {method}")
        res["peak_mib"] = _peak_mib()
        print(json.dumps(res))
        return 0

    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    if args.pairs:
        return pairs(args, data_dir)
    rows = []
    for size in [s.strip().lower() for s in args.sizes.split(",") if s.strip()]:
        n_obl, n_firms = SIZES[size]
        path = data_dir / f"netting-{size}.csv"
        if not path.exists():
            t0 = time.perf_counter()
            write_csv(path, generate(n_obl, n_firms))
            print(f"[{size}] generated {path} in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            a = measure_liuzhuan(path, Path(tmp))
        optimum = a["cleared_fen"]
        print(f"[{size}] liuzhuan {a['wall']:.2f}s cleared {optimum}", file=sys.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            a1 = measure_liuzhuan(path, Path(tmp), jobs=1)
        print(f"[{size}] liuzhuan --jobs 1 {a1['wall']:.2f}s cleared {a1['cleared_fen']}", file=sys.stderr)
        b = measure_child("ortools", path, timeout=3600)
        print(f"[{size}] ortools {b}", file=sys.stderr)
        c = None
        if n_obl <= args.nx_max:
            c = measure_child("networkx", path, timeout=args.nx_timeout)
            print(f"[{size}] networkx {c}", file=sys.stderr)
        d = measure_child("greedy", path, timeout=args.greedy_budget + 120, extra=[str(args.greedy_budget)])
        print(f"[{size}] greedy {d}", file=sys.stderr)
        rows.append((size, n_obl, n_firms, a, a1, b, c, d, optimum))

    print()
    print("| size | firms | method | wall s | CPU s | peak MiB | cleared (¥) | vs optimum |")
    print("|---|---:|---|---:|---:|---:|---:|---|")

    def check(res: dict | None, optimum: int) -> str:
        if res is None:
            return "not run"
        if res.get("status", "ok") != "ok":
            return res["status"]
        if res["cleared_fen"] == optimum:
            return "✓ optimal"
        pct = res["cleared_fen"] / optimum * 100 if optimum else 0
        tag = "" if res.get("finished", True) else f", stopped at {fmt_s(res['seconds'])} s"
        return f"✗ {pct:.1f}%{tag}"

    for size, _n_obl, n_firms, a, a1, b, c, d, optimum in rows:
        ph = a.get("phases", {})
        detail = ", ".join(f"{k} {v:.2f}" for k, v in ph.items())
        print(
            f"| {size} | {n_firms:,} | **liuzhuan** end to end | {fmt_s(a['wall'])} | {fmt_s(a['cpu'])} | "
            f"{a['peak_mib']:.0f} (PSS of all processes {a['tree_peak_mib']:.0f}) | {optimum / 100:,.2f} | ✓ reference |"
        )
        print(
            f"| | | ↳ {detail}; {a['loops']:,} loops, {a['loops_rows']:,} loop-file rows, "
            f"largest component {a['largest_component']:,} firms | | | | | |"
        )
        print(
            f"| | | liuzhuan end to end, one process (`--jobs 1`) | {fmt_s(a1['wall'])} | {fmt_s(a1['cpu'])} | "
            f"{a1['peak_mib']:.0f} | {a1['cleared_fen'] / 100:,.2f} | {check(a1, optimum)} |"
        )
        for label, res in (
            ("OR-Tools bare, whole graph (build+solve)", b),
            ("networkx network_simplex (solve)", c),
            ("greedy, simple_cycles order", d),
        ):
            if res is None:
                print(f"| | | {label} | — | — | — | — | not run |")
                continue
            sec = res.get("seconds", res["wall"])
            cleared = res.get("cleared_fen")
            cleared_s = f"{cleared / 100:,.2f}" if cleared is not None else "—"
            print(
                f"| | | {label} | {fmt_s(sec)} | — | {res['peak_mib']:.0f} | "
                f"{cleared_s} | {check(res, optimum)} |"
            )
    print()
    for size, _n_obl, _n_firms, a, _a1, b, c, _d, _optimum in rows:
        ph = a["phases"]
        solve_s = ph["components"] + ph["min_cost_flow"]
        opt = ph["aggregate"] + solve_s
        line = (
            f"- {size}: on the same aggregated graph liuzhuan's solve (SCCs + min-cost flow) takes {solve_s:.2f} s "
            f"vs {b.get('seconds', float('nan')):.2f} s for bare OR-Tools on the whole graph"
        )
        if c is not None and c.get("status") == "ok":
            line += (
                f"; networkx network_simplex {c['seconds']:.2f} s = {c['seconds'] / opt:.0f}× liuzhuan's "
                f"aggregate+solve ({opt:.2f} s) and {c['seconds'] / a['wall']:.1f}× its whole end-to-end run"
            )
        print(line)
    return 0


def pairs(args, data_dir: Path) -> int:
    """liuzhuan end to end (A) and the bare OR-Tools build + solve (B), A B A B …: the ratio is
    taken within each pair (the shared VM's speed drifts) and the median pair is reported."""
    import statistics

    for size in [s.strip().lower() for s in args.sizes.split(",") if s.strip()]:
        n_obl, n_firms = SIZES[size]
        path = data_dir / f"netting-{size}.csv"
        if not path.exists():
            write_csv(path, generate(n_obl, n_firms))
        ratios = []
        print(f"| {size} pair | load (1 min) | liuzhuan wall s | phases | peak MiB (largest process) | bare OR-Tools s | ratio |")
        print("|---|---:|---:|---|---:|---:|---:|")
        for k in range(args.pairs):
            with tempfile.TemporaryDirectory() as tmp:
                a = measure_liuzhuan(path, Path(tmp), sample=False)
            b = measure_child("ortools", path, timeout=3600)
            assert a["cleared_fen"] == b["cleared_fen"], (a["cleared_fen"], b["cleared_fen"])
            ratio = a["wall"] / b["seconds"]
            ratios.append(ratio)
            ph = ", ".join(f"{key} {v:.2f}" for key, v in a["phases"].items())
            print(
                f"| {k + 1} | {os.getloadavg()[0]:.2f} | {a['wall']:.2f} | {ph} | "
                f"{a['peak_mib']:.0f} | {b['seconds']:.2f} | {ratio:.2f} |",
                flush=True,
            )
        print(f"median ratio {statistics.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
