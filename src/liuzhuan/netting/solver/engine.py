"""The solver: min-cost circulation on each component, allocation to obligations, loop decomposition."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

import numpy as np
from ortools.graph.python import min_cost_flow

from .components import strongly_connected_components
from .ledger import (
    INT64_MAX,
    Ledger,
    NettingError,
    Obligation,
    OptionsError,
    _int_bincount,
    gc_paused,
)
from .loops import ARC_CASH_IN, ARC_CASH_OUT, ARC_REAL, ARC_SPLIT, build_loops, cycles
from .results import LoopTable, NettingOptions, NettingResult, _empty_loops

# --------------------------------------------------------------------------------------------
# Min-cost circulation
# --------------------------------------------------------------------------------------------


def _max_weight_circulation(
    n: int, tail: np.ndarray, head: np.ndarray, cap: np.ndarray, cost: np.ndarray
) -> np.ndarray:
    """Integer circulation of minimum cost with 0 ≤ flow ≤ cap (costs may be negative)."""
    m = tail.size
    if m == 0:
        return np.zeros(0, dtype=np.int64)
    used = np.zeros(n, dtype=bool)
    used[tail] = True
    used[head] = True
    remap = np.cumsum(used, dtype=np.int64) - 1
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        remap[tail].astype(np.int32),
        remap[head].astype(np.int32),
        cap.astype(np.int64),
        cost.astype(np.int64),
    )
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise NettingError(f"最小费用流求解失败（状态 {status}）")
    flow = np.asarray(smcf.flows(np.arange(m, dtype=np.int32)), dtype=np.int64)
    # Never trust, verify: bounds and conservation, exactly.
    if (flow < 0).any() or (flow > cap).any():
        raise NettingError("求解结果超出容量")
    nn = int(remap[-1]) + 1 if n else 0
    balance = _int_bincount(remap[tail], flow, nn) - _int_bincount(remap[head], flow, nn)
    if balance.any():
        raise NettingError("求解结果不守恒")
    return flow


# --------------------------------------------------------------------------------------------
# The solver
# --------------------------------------------------------------------------------------------


def solve(obligations: Ledger | Iterable[Obligation], options: NettingOptions | None = None) -> NettingResult:
    """Maximum set-off (and, with liquidity, payment chains) for a set of obligations."""
    with gc_paused():
        problem = prepare(obligations, options)
        return problem.finish(problem.circulation())


def prepare(obligations: Ledger | Iterable[Obligation], options: NettingOptions | None = None) -> Problem:
    """The first stage of :func:`solve`: aggregation, flow network and components.

    ``solve`` is ``p = prepare(...); p.finish(p.circulation())``. The stages let a caller run the
    min-cost flow (``circulation``, which holds the GIL) in another process and meanwhile prepare
    what does not depend on the flow (``prepare_allocation``): the CLI does this.
    """
    with gc_paused():
        return _prepare(obligations, options)


@dataclass(eq=False)
class Problem:
    ledger: Ledger
    opts: NettingOptions
    stats: dict
    net: _Network
    inside: np.ndarray  # arcs inside a strongly connected component
    obl_pair: np.ndarray
    n_pairs: int
    t_start: float
    _order_all: np.ndarray | None = field(default=None, repr=False)

    def circulation(self) -> tuple[np.ndarray, int | None, float]:
        """The optimal circulation: (flow per network arc, cleared without liquidity, seconds)."""
        with gc_paused():
            return _circulation(self)

    def prepare_allocation(self) -> None:
        """Sort the obligations for allocation now (it does not depend on the flow) when that
        gives exactly the order ``finish`` would compute: see :func:`_allocation_order`."""
        with gc_paused():
            self._order_all = _allocation_order_all(self.ledger, self.obl_pair, self.n_pairs)

    def finish(self, solved: tuple[np.ndarray, int | None, float], on_allocated=None) -> NettingResult:
        """Allocation, loops and the result, from :meth:`circulation`'s answer.

        ``on_allocated(cleared)`` is called as soon as the per-obligation set-offs are known,
        before the cycle walk, when they do not depend on the loops (no ``min_loop``, no
        ``min_parties`` above 2, no liquidity; nothing is then paid in cash): the CLI starts
        writing the set-off file in a thread there while the compiled walk runs here."""
        with gc_paused():
            return _finish(self, *solved, on_allocated=on_allocated)


def _prepare(obligations: Ledger | Iterable[Obligation], options: NettingOptions | None) -> Problem:
    t_start = time.perf_counter()
    ledger = obligations if isinstance(obligations, Ledger) else Ledger.from_obligations(obligations)
    opts = options or NettingOptions()
    stats: dict = {}
    n_obl = len(ledger)
    n_parties = len(ledger.parties)
    excluded, caps, liquidity = _check_options(ledger, opts)

    # 1. Aggregate eligible obligations per (debtor, creditor) pair.
    t0 = time.perf_counter()
    eligible = np.ones(n_obl, dtype=bool)
    if excluded.size:
        bad = np.zeros(n_parties, dtype=bool)
        bad[excluded] = True
        eligible = ~(bad[ledger.debtor] | bad[ledger.creditor])
    elig_idx = np.flatnonzero(eligible)
    key = ledger.debtor[elig_idx] * n_parties + ledger.creditor[elig_idx]
    # Only grouping: a pair's id and its summed capacity do not depend on the order inside it, so
    # the unstable sort (≈ 3× faster than "stable" on 1M keys) gives the same result.
    order = np.argsort(key)
    ks = key[order]
    if ks.size:
        first = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
        pair_cap = np.add.reduceat(ledger.amount[elig_idx[order]], first)
        pair_key = ks[first]
        obl_pair = np.full(n_obl, -1, dtype=np.int64)
        obl_pair[elig_idx[order]] = np.repeat(
            np.arange(first.size, dtype=np.int64), np.diff(np.r_[first, ks.size])
        )
    else:
        pair_cap = np.zeros(0, dtype=np.int64)
        pair_key = np.zeros(0, dtype=np.int64)
        obl_pair = np.full(n_obl, -1, dtype=np.int64)
    pair_debtor = pair_key // max(n_parties, 1)
    pair_creditor = pair_key % max(n_parties, 1)
    n_pairs = pair_cap.size
    stats["pairs"] = int(n_pairs)
    stats["t_aggregate"] = time.perf_counter() - t0

    # 2. Flow network: real arcs, cap splits, liquidity source.
    net = _Network(n_parties, pair_debtor, pair_creditor, pair_cap, caps, liquidity)

    # 3. SCCs, then one exact min-cost circulation over all intra-component arcs.
    t0 = time.perf_counter()
    labels = strongly_connected_components(net.n, net.tail, net.head)
    inside = labels[net.tail] == labels[net.head]
    stats["components"] = 0
    stats["largest_component"] = 0
    if inside.any():
        touched = np.zeros(net.n, dtype=bool)  # nodes on an arc inside a component
        touched[net.tail[inside]] = True
        per_component = np.bincount(labels[touched])
        stats["components"] = int(np.count_nonzero(per_component))
        stats["largest_component"] = int(per_component.max())
    stats["arcs_in_components"] = int(np.count_nonzero(inside))
    stats["t_scc"] = time.perf_counter() - t0
    return Problem(ledger, opts, stats, net, inside, obl_pair, int(n_pairs), t_start)


def _circulation(problem: Problem) -> tuple[np.ndarray, int | None, float]:
    net, inside, opts = problem.net, problem.inside, problem.opts
    t0 = time.perf_counter()
    flow = np.zeros(net.tail.size, dtype=np.int64)
    idx = np.flatnonzero(inside)
    flow[idx] = _max_weight_circulation(net.n, net.tail[idx], net.head[idx], net.cap[idx], net.cost[idx])
    cleared_without = None
    if net.has_liquidity:
        # Same network without the cash arcs (arcs that lose their cycle simply carry nothing).
        sub = idx[net.arc_kind[idx] <= ARC_SPLIT]
        sub_cost = np.where(net.arc_kind[sub] == ARC_REAL, -1, 0).astype(np.int64)
        base = _max_weight_circulation(net.n, net.tail[sub], net.head[sub], net.cap[sub], sub_cost)
        cleared_without = int(base[net.arc_kind[sub] == ARC_REAL].sum())
    elif opts.liquidity:  # declared, but nothing usable (zero, or only excluded parties)
        cleared_without = int(flow[net.arc_kind == ARC_REAL].sum())
    return flow, cleared_without, time.perf_counter() - t0


def _finish(
    problem: Problem, flow: np.ndarray, cleared_without: int | None, t_mcf: float, on_allocated=None
) -> NettingResult:
    ledger, opts, stats, net = problem.ledger, problem.opts, problem.stats, problem.net
    obl_pair, t_start = problem.obl_pair, problem.t_start
    n_obl = len(ledger)
    stats["t_mcf"] = t_mcf
    flow = flow.copy()
    # 4. Decompose into loops/chains (always when some must be dropped), allocate, map.
    t_alloc = 0.0
    early = None  # allocation ahead of the walk: it does not depend on the loops
    if on_allocated is not None and not (opts.min_loop > 0 or opts.min_parties > 2 or net.has_liquidity):
        t0 = time.perf_counter()
        early = _allocation(problem, flow)
        on_allocated(early[1])
        t_alloc = time.perf_counter() - t0
    t0 = time.perf_counter()
    pos_arcs = np.flatnonzero(flow > 0)
    need_cycles = opts.loops or opts.min_loop > 0 or opts.min_parties > 2 or net.has_liquidity
    if need_cycles and pos_arcs.size:
        cyc_len, cyc_arc, cyc_amt = cycles(net, flow)
    else:
        cyc_len = cyc_arc = cyc_amt = np.zeros(0, dtype=np.int64)
    stats["t_decompose"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if (opts.min_loop > 0 or opts.min_parties > 2) and cyc_len.size:
        keep = cyc_amt >= opts.min_loop
        if opts.min_parties > 2:  # pure loops (no cash arc) need that many parties: one real arc each
            starts = np.concatenate(([0], np.cumsum(cyc_len)[:-1]))
            kinds = net.arc_kind[cyc_arc]
            parties = np.add.reduceat((kinds == ARC_REAL).astype(np.int64), starts)
            cash = np.add.reduceat((kinds >= ARC_CASH_OUT).astype(np.int64), starts)
            keep &= (cash > 0) | (parties >= opts.min_parties)
        stats["dropped_loops"] = int(np.count_nonzero(~keep))
        keep_arc = np.repeat(keep, cyc_len)
        cyc_len, cyc_arc, cyc_amt = cyc_len[keep], cyc_arc[keep_arc], cyc_amt[keep]
        flow = _int_bincount(cyc_arc, np.repeat(cyc_amt, cyc_len), net.tail.size)
    order_alloc, cleared = early if early is not None else _allocation(problem, flow)
    liquidity_used: dict[str, int] = {}
    liquidity_received: dict[str, int] = {}
    if net.has_liquidity:
        for a in np.flatnonzero((net.arc_kind == ARC_CASH_OUT) & (flow > 0)).tolist():
            liquidity_used[ledger.parties[int(net.arc_party[a])]] = int(flow[a])
        for a in np.flatnonzero((net.arc_kind == ARC_CASH_IN) & (flow > 0)).tolist():
            liquidity_received[ledger.parties[int(net.arc_party[a])]] = int(flow[a])

    loops = _empty_loops(ledger.parties)
    paid = np.zeros(n_obl, dtype=np.int64)
    if cyc_len.size and (opts.loops or net.has_liquidity):
        table = build_loops(ledger, net, obl_pair, order_alloc, cleared, cyc_len, cyc_arc, cyc_amt)
        if net.has_liquidity:
            paid = table.per_obligation(n_obl, "chain")
        if opts.loops:
            loops = table
    stats["t_allocate"] = time.perf_counter() - t0 + t_alloc
    stats["t_total"] = time.perf_counter() - t_start
    deferred = None if need_cycles or not pos_arcs.size else partial(
        _deferred_loops, ledger, net, flow, obl_pair, order_alloc, cleared, loops)
    return NettingResult(
        _deferred=deferred,
        ledger=ledger,
        cleared=cleared,
        paid=paid,
        loops=loops,
        liquidity_used=liquidity_used,
        liquidity_received=liquidity_received,
        cleared_without_liquidity=cleared_without,
        options=opts,
        stats=stats,
    )


def _allocation(problem: Problem, flow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(allocation order, set-off per obligation) for the circulation ``flow``."""
    net, obl_pair = problem.net, problem.obl_pair
    pair_set = np.zeros(problem.n_pairs, dtype=np.int64)
    real_arcs = np.flatnonzero(net.arc_pair >= 0)
    pair_set[net.arc_pair[real_arcs]] = flow[real_arcs]
    if problem._order_all is not None:  # sorted ahead (Problem.prepare_allocation): keep pairs with set-off
        order_alloc = problem._order_all[pair_set[obl_pair[problem._order_all]] > 0]
    else:
        order_alloc = _allocation_order(problem.ledger, obl_pair, pair_set)
    return order_alloc, _allocate(problem.ledger, obl_pair, pair_set, order_alloc)


def _deferred_loops(ledger, net, flow, obl_pair, order_alloc, cleared, empty: LoopTable) -> LoopTable:
    """The loop table of a run that deferred its decomposition (``NettingResult.build_loops``)."""
    with gc_paused():
        cyc_len, cyc_arc, cyc_amt = cycles(net, flow)
        if cyc_len.size == 0:
            return empty
        return build_loops(ledger, net, obl_pair, order_alloc, cleared, cyc_len, cyc_arc, cyc_amt)


def _check_options(ledger: Ledger, opts: NettingOptions) -> tuple[np.ndarray, dict[int, int], dict[int, int]]:
    def code(name: str, what: str) -> int:
        k = ledger.party_code(name)
        if k is None:
            raise OptionsError("unknown_party", f"{what}：债务清单中没有参与方“{name}”")
        return k

    excluded = np.asarray(sorted(code(x, "排除") for x in opts.exclude), dtype=np.int64)
    caps: dict[int, int] = {}
    for name, v in opts.caps.items():
        if type(v) is not int or v < 0 or v > INT64_MAX:
            raise OptionsError("invalid_cap", f"抵销上限：“{name}”的金额无效")
        caps[code(name, "抵销上限")] = v
    liquidity: dict[int, int] = {}
    for name, v in opts.liquidity.items():
        if type(v) is not int or v < 0 or v > INT64_MAX:
            raise OptionsError("invalid_liquidity", f"流动性：“{name}”的金额无效")
        if v:
            liquidity[code(name, "流动性")] = v
    if type(opts.min_loop) is not int or opts.min_loop < 0:
        raise OptionsError("invalid_min_loop", "最小环路金额无效")
    if type(opts.min_parties) is not int or not 2 <= opts.min_parties <= 1000:
        raise OptionsError("invalid_min_parties", "环路最少参与方数应为 2–1000 的整数")
    ex = set(excluded.tolist())
    return (
        excluded,
        {k: v for k, v in caps.items() if k not in ex},
        {k: v for k, v in liquidity.items() if k not in ex},
    )




class _Network:
    """Nodes: party p is node p; a capped party also has an "out" node; the liquidity source is
    the last node. Arcs: real (pair), split (in → out, cap), cash out (source → payer),
    cash in (receiver → source)."""

    def __init__(
        self, n_parties, pair_debtor, pair_creditor, pair_cap, caps: dict[int, int], liquidity: dict[int, int]
    ):
        n_pairs = pair_cap.size
        out_node = np.arange(n_parties, dtype=np.int64)
        capped = sorted(caps)
        n = n_parties
        if capped:
            out_node[np.asarray(capped, dtype=np.int64)] = n_parties + np.arange(len(capped), dtype=np.int64)
            n += len(capped)
        pay_total = _int_bincount(pair_debtor, pair_cap, n_parties)
        recv_total = _int_bincount(pair_creditor, pair_cap, n_parties)
        self.has_liquidity = bool(liquidity)
        source = n
        if liquidity:
            n += 1
        self.n = n
        tails = [out_node[pair_debtor]]
        heads = [pair_creditor.astype(np.int64)]
        caps_l = [pair_cap]
        kinds = [np.full(n_pairs, ARC_REAL, dtype=np.int8)]
        parties = [pair_debtor.astype(np.int64)]
        if capped:
            cp = np.asarray(capped, dtype=np.int64)
            # Flow through a party can exceed neither its payables nor its receivables.
            cv = np.minimum(
                np.minimum(np.asarray([caps[k] for k in capped], dtype=np.int64), pay_total[cp]),
                recv_total[cp],
            )
            tails.append(cp)
            heads.append(out_node[cp])
            caps_l.append(cv)
            kinds.append(np.full(cp.size, ARC_SPLIT, dtype=np.int8))
            parties.append(cp)
        if liquidity:
            lp = np.asarray(sorted(liquidity), dtype=np.int64)
            lv = np.minimum(
                np.asarray([liquidity[k] for k in sorted(liquidity)], dtype=np.int64), pay_total[lp]
            )
            ok = lv > 0
            lp, lv = lp[ok], lv[ok]
            tails.append(np.full(lp.size, source, dtype=np.int64))
            heads.append(out_node[lp])
            caps_l.append(lv)
            kinds.append(np.full(lp.size, ARC_CASH_OUT, dtype=np.int8))
            parties.append(lp)
            rp = np.flatnonzero(recv_total > 0)
            tails.append(rp)
            heads.append(np.full(rp.size, source, dtype=np.int64))
            caps_l.append(recv_total[rp])
            kinds.append(np.full(rp.size, ARC_CASH_IN, dtype=np.int8))
            parties.append(rp)
        self.tail = np.concatenate(tails)
        self.head = np.concatenate(heads)
        self.cap = np.concatenate(caps_l).astype(np.int64)
        self.arc_kind = np.concatenate(kinds)
        self.arc_party = np.concatenate(parties)
        self.arc_pair = np.full(self.tail.size, -1, dtype=np.int64)
        self.arc_pair[:n_pairs] = np.arange(n_pairs, dtype=np.int64)
        # Lexicographic objective with one integer cost vector: clear the most debt (−2 per fen),
        # and among such solutions use the least cash (+1 per fen paid in). Any improving residual
        # cycle changes cleared debt by an integer ΔC and cash by ΔL ∈ {−1, 0, 1} per unit, so
        # −2·ΔC + ΔL < 0 exactly when the change is lexicographically better.
        cost = np.zeros(self.tail.size, dtype=np.int64)
        cost[self.arc_kind == ARC_REAL] = -2 if liquidity else -1
        cost[self.arc_kind == ARC_CASH_OUT] = 1
        self.cost = cost
        self.source = source if liquidity else -1
        # party owning each node (the source maps to -1)
        node_party = np.empty(n, dtype=np.int64)
        node_party[:n_parties] = np.arange(n_parties, dtype=np.int64)
        if capped:
            node_party[n_parties : n_parties + len(capped)] = np.asarray(capped, dtype=np.int64)
        if liquidity:
            node_party[source] = -1
        self.node_party = node_party


def _id_rank(ids: np.ndarray, subset: np.ndarray) -> np.ndarray:
    """Rank of ids (numeric when every id in the subset is an integer, else by code point)."""
    if not len(subset):
        return np.zeros(0, dtype=np.int64)
    if ids.dtype.kind in "UT":  # fixed or variable-width strings: test and convert in NumPy, not per id
        part = ids[subset]
        if bool((np.strings.isdigit(part) & (np.strings.str_len(part) < 19)).all()):
            return part.astype(np.int64)
    sub = ids[subset].tolist()
    if all(s.isdigit() and len(s) < 19 for s in sub):
        vals = np.asarray([int(s) for s in sub], dtype=np.int64)
        return vals
    arr = np.asarray(sub)
    order = np.argsort(arr, kind="stable")
    rank = np.empty(len(sub), dtype=np.int64)
    rank[order] = np.arange(len(sub), dtype=np.int64)
    return rank


def _allocation_order_all(ledger: Ledger, obl_pair: np.ndarray, n_pairs: int) -> np.ndarray | None:
    """:func:`_allocation_order` for every eligible obligation, before the set-off is known.

    Filtering it to the pairs that receive set-off gives exactly ``_allocation_order``: whole
    pairs drop out, the sort is stable, and the id rank is the same — provided the ids of
    parallel obligations are all integers (numeric rank both ways). Otherwise the subset alone
    decides between numeric and code-point rank, so None: sort after the solve.
    """
    cand = np.flatnonzero(obl_pair >= 0)
    pairs = obl_pair[cand]
    counts = np.bincount(pairs, minlength=n_pairs)
    multi = counts[pairs] > 1
    rank = np.zeros(cand.size, dtype=np.int64)
    if multi.any():
        part = ledger.ids[cand[multi]]
        if ledger.ids.dtype.kind not in "UT" or not bool(
            (np.strings.isdigit(part) & (np.strings.str_len(part) < 19)).all()
        ):
            return None
        rank[multi] = _id_rank(ledger.ids, cand[multi])
    return cand[np.lexsort((rank, ledger.due[cand], pairs))]


def _allocation_order(ledger: Ledger, obl_pair: np.ndarray, pair_set: np.ndarray) -> np.ndarray:
    """Obligations that can receive set-off, sorted by (pair, due, id)."""
    cand = np.flatnonzero(obl_pair >= 0)
    if cand.size == 0:
        return cand
    cand = cand[pair_set[obl_pair[cand]] > 0]
    pairs = obl_pair[cand]
    # Only pairs with parallel obligations need the (due, id) order.
    counts = np.bincount(pairs, minlength=pair_set.size)
    multi = counts[pairs] > 1
    rank = np.zeros(cand.size, dtype=np.int64)
    if multi.any():
        rank[multi] = _id_rank(ledger.ids, cand[multi])
    due = ledger.due[cand]
    return cand[np.lexsort((rank, due, pairs))]


def _allocate(ledger: Ledger, obl_pair: np.ndarray, pair_set: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Split each pair's set-off over its obligations: earliest due first, then by id."""
    cleared = np.zeros(len(ledger), dtype=np.int64)
    if order.size == 0:
        return cleared
    pairs = obl_pair[order]
    amt = ledger.amount[order]
    cum = np.cumsum(amt)  # global; fits in int64 because the ledger total does
    first = np.flatnonzero(np.r_[True, pairs[1:] != pairs[:-1]])
    base = np.repeat(cum[first] - amt[first], np.diff(np.r_[first, pairs.size]))
    before = cum - amt - base  # amount of the same pair allocated ahead of this obligation
    cleared[order] = np.clip(pair_set[pairs] - before, 0, amt)
    return cleared
