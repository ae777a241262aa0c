"""The cycle walk of the decomposition, compiled with Numba.

The walk is the solver's one inherently sequential step: it follows positive arcs, closes a cycle
as soon as the current node has an arc back to the walk, cancels the cycle's bottleneck and
resumes from the first arc that emptied. In Python it cost about 13 µs per loop — 6 s of a
1M-obligation run, more than the min-cost flow itself (docs/design/netting.md §7). This is the
same algorithm, step for step (it returns the same cycles in the same order), on flat arrays:

* arcs live at their *position* in the prepared order (by tail, then towards low-degree heads
  first): flow, head and tail are arrays by position, so a node's out-arcs are contiguous and a
  scan over them reads memory in order; cycles are reported by arc index (``arc_of``);
* out-arcs of a node are tried from a per-node pointer that only moves forward over emptied arcs;
* "does ``u`` have a live arc back to the walk, and to which walk node last?" is answered by
  whichever is shorter: scanning ``u``'s remaining out-arcs, or looking each walk node up, latest
  first, in a hash table of (tail, head) → position (:func:`arc_table`) — the Python version's set
  intersection did the same by iterating the smaller set. (The look-up was a binary search among
  ``u``'s arcs sorted by head; on 1M obligations the table and the positions took the walk from
  0.8 to 0.45 s.)

``cache=True`` keeps the compiled code in ``__pycache__`` beside this file, so only the first
process after an install pays the compilation (about two seconds).
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Fibonacci hashing: (key · 2⁶⁴/φ) >> 40, masked to the table; 2⁶⁴/φ = 0x9E3779B97F4A7C15 as a
# signed 64-bit integer, so the product wraps in int64.
_GOLDEN = -0x61C8864680B583EB


@njit(cache=True, nogil=True)
def arc_table(tail_s, head_s, n):  # pragma: no cover - compiled
    """Open-addressing hash table (tail · n + head → position) of the arcs, at most half full:
    (keys, positions); an empty slot holds key −1."""
    size = 16
    while size < 2 * tail_s.size:
        size *= 2
    keys = np.full(size, -1, dtype=np.int64)
    vals = np.empty(size, dtype=tail_s.dtype)
    mask = size - 1
    for q in range(tail_s.size):
        key = np.int64(tail_s[q]) * n + head_s[q]
        slot = ((key * _GOLDEN) >> 40) & mask
        while keys[slot] != -1:
            slot = (slot + 1) & mask
        keys[slot] = key
        vals[slot] = q
    return keys, vals


@njit(cache=True, nogil=True)
def walk(starts, indptr, head_s, tail_s, fl, arc_of, keys, vals, n):  # pragma: no cover - compiled
    """(cycle lengths, concatenated arcs, amounts). ``head_s``, ``tail_s`` and ``fl`` (the flow,
    used up in place) are by position; ``indptr`` delimits each node's out-arcs; ``keys``/``vals``
    are :func:`arc_table`; ``arc_of`` maps positions back to arc indices."""
    m = fl.size
    mask = keys.size - 1
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
            # the walk node latest on the path that u has a live arc to, and that arc's position
            k = -1
            kq = -1
            hi = indptr[u + 1]
            if hi - ptr[u] <= 4 * plen:
                for q in range(ptr[u], hi):
                    if fl[q] > 0:
                        w = onpath[head_s[q]]
                        if w > k:
                            k = w
                            kq = q
            else:
                base = np.int64(u) * n
                for i in range(plen - 1, -1, -1):
                    key = base + path[i]
                    slot = ((key * _GOLDEN) >> 40) & mask
                    while keys[slot] != -1:
                        if keys[slot] == key:
                            q = vals[slot]
                            if fl[q] > 0:
                                k = i
                                kq = q
                            break
                        slot = (slot + 1) & mask
                    if k >= 0:
                        break
            if k >= 0:
                clen = plen - k  # parcs[k:plen-1] and the closing arc
                if n_arcs + clen > arcs.size:
                    grown = np.empty(max(2 * arcs.size, n_arcs + clen), dtype=np.int64)
                    grown[:n_arcs] = arcs[:n_arcs]
                    arcs = grown
                amt = fl[kq]
                for j in range(k, plen - 1):
                    arcs[n_arcs + j - k] = parcs[j]
                    if fl[parcs[j]] < amt:
                        amt = fl[parcs[j]]
                arcs[n_arcs + clen - 1] = kq
                first_zero = -1
                for j in range(clen):
                    q = arcs[n_arcs + j]
                    x = fl[q] - amt
                    fl[q] = x
                    if x == 0:
                        alive[tail_s[q]] -= 1
                        if first_zero < 0:
                            first_zero = j
                    arcs[n_arcs + j] = arc_of[q]
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
            q = ptr[u]
            while fl[q] == 0:
                q += 1
            ptr[u] = q
            parcs[plen - 1] = q
            v = head_s[q]
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
