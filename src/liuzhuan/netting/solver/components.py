"""Strongly connected components of the debtor → creditor graph (only arcs inside one can lie on a cycle)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .ledger import _FWBW_MIN_ARCS, sorted_unique

#: Rounds of trimming (nodes without an arc in or out) before Tarjan's algorithm.
_TRIM_ROUNDS = 8

# --------------------------------------------------------------------------------------------
# Strongly connected components
# --------------------------------------------------------------------------------------------


def strongly_connected_components(n: int, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
    """Component label per node (labels are deterministic, not ordered).

    One numpy forward/backward reachability pass from a high-degree pivot peels off the giant
    component of a heavy-tailed network in a few vectorised sweeps; Tarjan's algorithm
    (iterative) handles whatever is left, which a cycle through the giant cannot touch.
    """
    tail = np.asarray(tail, dtype=np.int64)
    head = np.asarray(head, dtype=np.int64)
    labels = np.full(n, -1, dtype=np.int64)
    next_label = 0
    rest = np.ones(n, dtype=bool)
    if tail.size >= _FWBW_MIN_ARCS:
        outdeg = np.bincount(tail, minlength=n)
        indeg = np.bincount(head, minlength=n)
        both = np.minimum(outdeg, indeg)
        pivot = int(np.argmax(both))
        if both[pivot] > 0:
            fw = _reach(n, tail, head, pivot)
            bw = _reach(n, head, tail, pivot) if fw is not None else None
            if fw is not None and bw is not None:
                giant = fw & bw
                labels[giant] = next_label
                next_label += 1
                rest = ~giant
    # Trim: a node without an arc in or without an arc out (among the nodes left) lies on no
    # cycle and is a component of its own; on a heavy-tailed network that is most of what the
    # giant left (payers only, payees only), and Tarjan's Python loop gets the small rest.
    t, h = tail, head
    for _ in range(_TRIM_ROUNDS):
        live = rest[t] & rest[h]
        t, h = t[live], h[live]
        linked = np.zeros(n, dtype=bool)
        linked[t] = True
        has_in = np.zeros(n, dtype=bool)
        has_in[h] = True
        linked &= has_in
        lone = np.flatnonzero(rest & ~linked)
        if lone.size == 0:
            break
        labels[lone] = next_label + np.arange(lone.size, dtype=np.int64)
        next_label += lone.size
        rest[lone] = False
    live = rest[t] & rest[h]
    t, h = t[live], h[live]
    if t.size > 1 and not bool((t[1:] >= t[:-1]).all()):
        order = np.argsort(t, kind="stable")
        t, h = t[order], h[order]
    indptr = np.searchsorted(t, np.arange(n + 1, dtype=np.int64)).tolist()
    comp, _ = _tarjan(n, indptr, h.tolist(), np.flatnonzero(rest).tolist())
    comp_arr = np.asarray(comp, dtype=np.int64)
    labels[rest] = comp_arr[rest] + next_label
    return labels


def _reach(n: int, tail: np.ndarray, head: np.ndarray, src: int, max_levels: int = 256) -> np.ndarray | None:
    """Nodes reachable from ``src`` by level-synchronous BFS; None when the graph is too deep
    for vectorised sweeps to pay (a long ring would cost one numpy round per node)."""
    if tail.size > 1 and bool((tail[1:] >= tail[:-1]).all()):  # arcs numbered by pair: sorted by tail
        tails, heads = tail, head
    else:  # the reachable set does not depend on the order of a node's arcs: any sort will do
        order = np.argsort(tail)
        tails, heads = tail[order], head[order]
    indptr = np.searchsorted(tails, np.arange(n + 1, dtype=np.int64))
    seen = np.zeros(n, dtype=bool)
    seen[src] = True
    frontier = np.array([src], dtype=np.int64)
    levels = 0
    while frontier.size:
        levels += 1
        if levels > max_levels:
            return None
        starts = indptr[frontier]
        counts = indptr[frontier + 1] - starts
        total = int(counts.sum())
        if total == 0:
            break
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total, dtype=np.int64)
        nb = heads[offsets]
        nb = nb[~seen[nb]]
        if nb.size == 0:
            break
        seen[nb] = True
        frontier = sorted_unique(nb)
    return seen


def _tarjan(n: int, indptr: list[int], indices: list[int], starts: Iterable[int]) -> tuple[list[int], int]:
    index = [-1] * n
    low = [0] * n
    onstack = [False] * n
    comp = [-1] * n
    stack: list[int] = []
    counter = 0
    ncomp = 0
    for s in starts:
        if index[s] != -1:
            continue
        index[s] = low[s] = counter
        counter += 1
        stack.append(s)
        onstack[s] = True
        work = [(s, indptr[s])]
        while work:
            v, i = work[-1]
            end = indptr[v + 1]
            descended = False
            while i < end:
                w = indices[i]
                i += 1
                if index[w] == -1:
                    work[-1] = (v, i)
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    onstack[w] = True
                    work.append((w, indptr[w]))
                    descended = True
                    break
                if onstack[w] and index[w] < low[v]:
                    low[v] = index[w]
            if descended:
                continue
            work.pop()
            if low[v] == index[v]:
                while True:
                    w = stack.pop()
                    onstack[w] = False
                    comp[w] = ncomp
                    if w == v:
                        break
                ncomp += 1
            if work:
                u = work[-1][0]
                if low[v] < low[u]:
                    low[u] = low[v]
    return comp, ncomp
