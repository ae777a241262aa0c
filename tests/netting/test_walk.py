"""The compiled cycle walk returns exactly what the former pure-Python walk did.

The reference below is the Python walk the solver used until the walk was compiled
(docs/design/netting.md §7); every cycle, in order, with its arcs and amount, must be the same.
"""

from __future__ import annotations

from itertools import chain

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from liuzhuan.netting.solver.loops import decompose as _decompose


def _reference_decompose(
    n: int, tail: np.ndarray, head: np.ndarray, flow: np.ndarray
) -> tuple[list[int], list[int], list[int]]:
    """Decompose a positive circulation on arcs with distinct (tail, head) into simple cycles.

    Returns (cycle lengths, concatenated arc indices, cycle amounts). Deterministic.

    A walk follows positive arcs; before every step it checks (a C-level set intersection)
    whether the current node has an arc back to a node already on the walk and, if so, closes the
    shortest such cycle and cancels its bottleneck. The walk is kept up to the first arc the
    cancellation emptied, so little is walked twice. Out-arcs are tried towards low-degree heads
    first, which keeps cycles short on hub-dominated networks (measured in the design note).
    """
    m = tail.size
    if m == 0:
        return [], [], []
    deg = np.bincount(tail, minlength=n) + np.bincount(head, minlength=n)
    order = np.lexsort((head, deg[head], tail))
    t_sorted = tail[order]
    indptr = np.searchsorted(t_sorted, np.arange(n + 1, dtype=np.int64)).tolist()
    arc_of = order.tolist()  # sorted position -> original arc index
    heads_sorted = head[order].tolist()
    tails_l = tail.tolist()
    heads_l = head.tolist()
    fl = flow.tolist()
    outl: list[list[int]] = [[] for _ in range(n)]
    outd: list[dict[int, int]] = [{} for _ in range(n)]
    active = np.flatnonzero(np.diff(np.asarray(indptr)) > 0).tolist()
    for u in active:
        a, b = indptr[u], indptr[u + 1]
        hs = heads_sorted[a:b]
        outl[u] = hs
        outd[u] = dict(zip(hs, arc_of[a:b], strict=True))
    return _reference_walk(active, outl, outd, fl, tails_l, heads_l, n)


def _reference_walk(
    starts: list[int],
    outl: list[list[int]],
    outd: list[dict[int, int]],
    fl: list[int],
    tails: list[int],
    heads: list[int],
    n: int,
) -> tuple[list[int], list[int], list[int]]:
    lengths: list[int] = []
    arcs_out: list[list[int]] = []
    amounts: list[int] = []
    ptr = [0] * n
    for start in starts:
        du = outd[start]
        if not du:
            continue
        path = [start]
        pos = {start: 0}
        parcs: list[int] = []
        u = start
        while True:
            common = du.keys() & pos.keys()
            if common:
                k = pos[common.pop()] if len(common) == 1 else max(map(pos.__getitem__, common))
                cyc = parcs[k:]
                cyc.append(du[path[k]])
                amt = min(map(fl.__getitem__, cyc))
                lengths.append(len(cyc))
                arcs_out.append(cyc)
                amounts.append(amt)
                first_zero = -1
                j = 0
                for a in cyc:
                    x = fl[a] - amt
                    fl[a] = x
                    if not x:
                        del outd[tails[a]][heads[a]]
                        if first_zero < 0:
                            first_zero = j
                    j += 1
                cut = k + first_zero
                if cut + 1 < len(path):
                    for w in path[cut + 1 :]:
                        del pos[w]
                    del path[cut + 1 :]
                    del parcs[cut:]
                u = path[-1]
                du = outd[u]
                if not du:  # only the start can run dry: every other walk node has inflow
                    break
                continue
            ol = outl[u]
            p = ptr[u]
            v = ol[p]
            while v not in du:
                p += 1
                v = ol[p]
            ptr[u] = p
            parcs.append(du[v])
            pos[v] = len(path)
            path.append(v)
            u = v
            du = outd[v]
    return lengths, list(chain.from_iterable(arcs_out)), amounts


def _circulation(rng: np.random.Generator, n: int, cycles: int, hub_bias: float):
    """A random positive circulation with distinct (tail, head): a sum of random simple cycles."""
    flow: dict[tuple[int, int], int] = {}
    weights = (np.arange(1, n + 1, dtype=float) ** -hub_bias)
    weights /= weights.sum()
    for _ in range(cycles):
        k = int(rng.integers(2, min(n, 8) + 1))
        nodes = rng.choice(n, size=k, replace=False, p=weights).tolist()
        amt = int(rng.integers(1, 10**6))
        for a, b in zip(nodes, nodes[1:] + nodes[:1], strict=True):
            flow[(a, b)] = flow.get((a, b), 0) + amt
    keys = list(flow)
    rng.shuffle(keys)
    tail = np.array([k[0] for k in keys], dtype=np.int64)
    head = np.array([k[1] for k in keys], dtype=np.int64)
    return tail, head, np.array([flow[k] for k in keys], dtype=np.int64)


def _check(n, tail, head, flow):
    lengths, arcs, amounts = _decompose(n, tail, head, flow)
    ref_len, ref_arcs, ref_amt = _reference_decompose(n, tail, head, flow)
    assert lengths.tolist() == ref_len
    assert arcs.tolist() == ref_arcs
    assert amounts.tolist() == ref_amt
    # and it is a decomposition: the cycles add up to the flow, each closes on itself
    back = np.zeros(flow.size, dtype=np.int64)
    np.add.at(back, arcs, np.repeat(amounts, lengths))
    assert back.tolist() == flow.tolist()
    pos = 0
    for size in lengths.tolist():
        cyc = arcs[pos:pos + size]
        assert head[cyc].tolist() == np.roll(tail[cyc], -1).tolist()
        pos += size


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 60), cycles=st.integers(1, 80),
       hub_bias=st.sampled_from([0.0, 1.0, 2.0]))
def test_same_cycles_as_the_python_walk(seed, n, cycles, hub_bias):
    _check(n, *_circulation(np.random.default_rng(seed), n, cycles, hub_bias))


def test_same_cycles_on_a_hub_network_that_takes_both_look_up_paths():
    # a few hubs with thousands of arcs: the walk looks walk nodes up by binary search there
    rng = np.random.default_rng(7)
    _check(2_000, *_circulation(rng, 2_000, 6_000, 1.3))


def test_empty():
    z = np.zeros(0, dtype=np.int64)
    assert [x.tolist() for x in _decompose(3, z, z, z)] == [[], [], []]
