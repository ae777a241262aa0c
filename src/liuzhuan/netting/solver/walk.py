"""The cycle walk of the decomposition, compiled with Numba.

The walk is the solver's one inherently sequential step: it follows positive arcs, closes a cycle
as soon as the current node has an arc back to the walk, cancels the cycle's bottleneck and
resumes from the first arc that emptied. In Python it cost about 13 µs per loop — 6 s of a
1M-obligation run, more than the min-cost flow itself (docs/design/netting.md §7). This is the
same algorithm, step for step (it returns the same cycles in the same order), on flat arrays:

* out-arcs of a node are tried in the prepared order (towards low-degree heads first) from a
  per-node pointer that only moves forward over emptied arcs;
* "does ``u`` have a live arc back to the walk, and to which walk node last?" is answered by
  whichever is shorter: scanning ``u``'s remaining out-arcs, or looking each walk node up among
  ``u``'s arcs sorted by head (binary search) — the Python version's set intersection did the same
  by iterating the smaller set.

``cache=True`` keeps the compiled code in ``__pycache__`` beside this file, so only the first
process after an install pays the compilation (about two seconds).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def walk(starts, indptr, arc_of, arc_by_head, heads_by_head, tail, head, fl, n):  # pragma: no cover - compiled
    m = fl.size
    lengths = np.empty(m, dtype=np.int64)  # every cycle empties at least one arc: at most m cycles
    amounts = np.empty(m, dtype=np.int64)
    arcs = np.empty(max(2 * m, 16), dtype=np.int64)
    n_cyc = 0
    n_arcs = 0
    ptr = indptr[:-1].copy()
    alive = np.diff(indptr)  # live out-arcs per node
    onpath = np.full(n, -1, dtype=np.int64)
    path = np.empty(n + 1, dtype=np.int64)
    parcs = np.empty(n + 1, dtype=np.int64)
    for start in starts:
        if alive[start] == 0:
            continue
        path[0] = start
        plen = 1
        onpath[start] = 0
        u = start
        while True:
            # the walk node latest on the path that u has a live arc to, and that arc
            k = -1
            karc = -1
            lo, hi = indptr[u], indptr[u + 1]
            if hi - ptr[u] <= 4 * plen:
                for q in range(ptr[u], hi):
                    a = arc_of[q]
                    if fl[a] > 0:
                        w = onpath[head[a]]
                        if w > k:
                            k = w
                            karc = a
            else:
                for i in range(plen - 1, -1, -1):
                    q = lo + np.searchsorted(heads_by_head[lo:hi], path[i])
                    if q < hi and heads_by_head[q] == path[i]:
                        a = arc_by_head[q]
                        if fl[a] > 0:
                            k = i
                            karc = a
                            break
            if k >= 0:
                clen = plen - k  # parcs[k:plen-1] and the closing arc
                if n_arcs + clen > arcs.size:
                    grown = np.empty(max(2 * arcs.size, n_arcs + clen), dtype=np.int64)
                    grown[:n_arcs] = arcs[:n_arcs]
                    arcs = grown
                amt = fl[karc]
                for j in range(k, plen - 1):
                    arcs[n_arcs + j - k] = parcs[j]
                    if fl[parcs[j]] < amt:
                        amt = fl[parcs[j]]
                arcs[n_arcs + clen - 1] = karc
                first_zero = -1
                for j in range(clen):
                    a = arcs[n_arcs + j]
                    x = fl[a] - amt
                    fl[a] = x
                    if x == 0:
                        alive[tail[a]] -= 1
                        if first_zero < 0:
                            first_zero = j
                lengths[n_cyc] = clen
                amounts[n_cyc] = amt
                n_cyc += 1
                n_arcs += clen
                cut = k + first_zero
                if cut + 1 < plen:
                    for i in range(cut + 1, plen):
                        onpath[path[i]] = -1
                    plen = cut + 1
                u = path[plen - 1]
                if alive[u] == 0:  # only the start can run dry: every other walk node has inflow
                    break
                continue
            p = ptr[u]
            a = arc_of[p]
            while fl[a] == 0:
                p += 1
                a = arc_of[p]
            ptr[u] = p
            parcs[plen - 1] = a
            v = head[a]
            onpath[v] = plen
            path[plen] = v
            plen += 1
            u = v
        for i in range(plen):
            onpath[path[i]] = -1
    return lengths[:n_cyc].copy(), arcs[:n_arcs].copy(), amounts[:n_cyc].copy()


@njit(cache=True, nogil=True)
def rotate_legs(cyc_len, cyc_arc, arc_kind, arc_tail, node_party, real, cash_out, bilateral, multilateral, chain):  # pragma: no cover - compiled
    """The loop table's legs in one pass: each cycle rotated to start at the real arc whose
    debtor sorts first (a chain: after its cash-out arc; the first such position), then only its
    real arcs kept. Returns (leg arcs, legs per cycle, kind per cycle)."""
    k = cyc_len.size
    legs = np.empty(cyc_arc.size, dtype=np.int64)
    n_legs = np.empty(k, dtype=np.int64)
    kinds = np.empty(k, dtype=np.int8)
    big = np.iinfo(np.int64).max
    s = 0
    out = 0
    for c in range(k):
        length = cyc_len[c]
        best = big
        rot = 0
        is_chain = False
        for p in range(length):
            a = cyc_arc[s + p]
            kd = arc_kind[a]
            if kd == real:
                key = np.int64(node_party[arc_tail[a]])
            elif kd == cash_out:
                key = np.int64(-1)
                is_chain = True
            else:
                key = big
            if p == 0 or key < best:
                best = key
                rot = p
        count = 0
        for t in range(length):
            q = rot + t
            if q >= length:
                q -= length
            a = cyc_arc[s + q]
            if arc_kind[a] == real:
                legs[out] = a
                out += 1
                count += 1
        n_legs[c] = count
        if is_chain:
            kinds[c] = chain
        elif count == 2:
            kinds[c] = bilateral
        else:
            kinds[c] = multilateral
        s += length
    return legs[:out].copy(), n_legs, kinds


@njit(cache=True, nogil=True)
def cut_legs(leg_pair, leg_amount, pair_ptr, obl, obl_amount):  # pragma: no cover - compiled
    """Cut every leg into obligation parts, legs in loop order: each pair's legs take its
    allocated obligations (``obl[pair_ptr[p]:pair_ptr[p + 1]]``, in allocation order, with
    ``obl_amount`` set off each) front to back, a cursor per pair. The same parts as laying the
    pairs' legs and obligations end to end and cutting at the union of both sets of breakpoints.
    Returns (part_ptr, part obligation, part amount), or an empty part_ptr when a pair's legs
    need more than its obligations hold (inconsistent input)."""
    n_legs = leg_pair.size
    n_pairs = pair_ptr.size - 1
    cur = pair_ptr[:n_pairs].copy()
    left = np.zeros(n_pairs, dtype=np.int64)  # rest of the cursor's obligation; 0: not started
    cap = n_legs + obl.size  # every part ends a leg or an obligation
    part_ptr = np.empty(n_legs + 1, dtype=np.int64)
    part_obl = np.empty(cap, dtype=np.int64)
    part_amt = np.empty(cap, dtype=np.int64)
    k = 0
    for i in range(n_legs):
        part_ptr[i] = k
        p = leg_pair[i]
        need = leg_amount[i]
        while need > 0:
            j = cur[p]
            if j >= pair_ptr[p + 1]:
                return np.zeros(0, dtype=np.int64), part_obl[:0].copy(), part_amt[:0].copy()
            if left[p] == 0:
                left[p] = obl_amount[j]
            take = min(need, left[p])
            part_obl[k] = obl[j]
            part_amt[k] = take
            k += 1
            need -= take
            left[p] -= take
            if left[p] == 0:
                cur[p] = j + 1
    part_ptr[n_legs] = k
    return part_ptr, part_obl[:k].copy(), part_amt[:k].copy()
