"""Optimal multilateral netting of inter-firm debts (清欠 / 三角债抵销).

Pure module: imports only the standard library, numpy and OR-Tools (numpy ships with OR-Tools) —
nothing of the project and never Django — so it runs from the command line, in a worker, or
inside a request (an import contract in ``./test`` holds this).

Model
-----
Obligations are arcs debtor → creditor with an integer amount in fen. A *set-off* ``s`` assigns
every obligation an amount ``0 ≤ s_i ≤ amount_i`` such that every party's net position
(receivables − payables) is unchanged, i.e. ``s`` is a circulation. The engine finds the
circulation of maximum total — the most debt that can be discharged without anyone paying
cash — as a min-cost circulation (cost −1 per fen set off) solved exactly with OR-Tools'
``SimpleMinCostFlow`` on the strongly connected components of the aggregated debtor → creditor
graph (only arcs inside a component can lie on a cycle). The optimal circulation is then

* allocated back to the obligations of each (debtor, creditor) pair in a fixed order
  (earliest due date first, undated last, then by id), and
* decomposed into simple cycles ("loops"; two-party loops are *bilateral*), each mapped to
  obligation parts so that the loop amounts add up exactly to every obligation's set-off.

Options add exclusions, per-party caps (node splitting), a minimum loop amount (whole cycles
dropped, so net positions stay unchanged) and declared liquidity: a source node from which a
party may pay cash into debt chains (Fleischman & Dini 2021). See ``docs/design/netting.md``.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import chain

import numpy as np
from numpy.dtypes import StringDType
from ortools.graph.python import min_cost_flow

INT64_MAX = 2**63 - 1  # the largest amount an int64 array (and a database bigint) holds

__all__ = [
    "NO_DUE",
    "Ledger",
    "LedgerError",
    "Leg",
    "Loop",
    "LoopTable",
    "NettingError",
    "NettingOptions",
    "NettingResult",
    "Obligation",
    "OptionsError",
    "gc_paused",
    "solve",
    "sorted_unique",
    "strongly_connected_components",
]

#: Ordinal used for obligations without a due date: they are allocated after all dated ones.
NO_DUE = np.iinfo(np.int64).max

KIND_BILATERAL = 0
KIND_MULTILATERAL = 1
KIND_CHAIN = 2
KIND_NAMES = ("bilateral", "multilateral", "chain")

# Graphs with fewer arcs than this skip the numpy forward/backward pass of the SCC search.
_FWBW_MIN_ARCS = 4096


class NettingError(RuntimeError):
    """The solver could not produce a verified optimal result (should not happen)."""


class LedgerError(ValueError):
    """An obligation that cannot enter the netting run. ``index`` is 0-based in input order."""

    def __init__(self, index: int, code: str, message: str):
        super().__init__(message)
        self.index = index
        self.code = code
        self.message = message


class OptionsError(ValueError):
    """An option that does not fit the ledger (unknown party, negative amount ...)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Obligation:
    id: str
    debtor: str
    creditor: str
    amount: int  # fen, > 0
    due: date | None = None


# --------------------------------------------------------------------------------------------
# Ledger: validated, columnar obligations
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Ledger:
    """Obligations in columns. Parties are coded by their position in the *sorted* name list,
    so every result is independent of input row order."""

    ids: np.ndarray  # numpy StringDType: compact, and elements come out as Python str
    parties: list[str]
    debtor: np.ndarray  # int64 party codes
    creditor: np.ndarray  # int64 party codes
    amount: np.ndarray  # int64 fen
    due: np.ndarray  # int64 proleptic ordinal (date.toordinal) or NO_DUE

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def total(self) -> int:
        return int(self.amount.sum()) if len(self.ids) else 0

    def party_code(self, name: str) -> int | None:
        i = bisect.bisect_left(self.parties, name)
        return i if i < len(self.parties) and self.parties[i] == name else None

    def obligation(self, i: int) -> Obligation:
        d = int(self.due[i])
        return Obligation(
            id=str(self.ids[i]),
            debtor=self.parties[int(self.debtor[i])],
            creditor=self.parties[int(self.creditor[i])],
            amount=int(self.amount[i]),
            due=None if d == NO_DUE else date.fromordinal(d),
        )

    def __iter__(self) -> Iterator[Obligation]:
        return (self.obligation(i) for i in range(len(self.ids)))

    def net_positions(self, settled: np.ndarray | None = None) -> np.ndarray:
        """Receivables − payables per party code; with ``settled``, of the amounts left standing."""
        amt = self.amount if settled is None else self.amount - settled
        return _int_bincount(self.creditor, amt, len(self.parties)) - _int_bincount(
            self.debtor, amt, len(self.parties)
        )

    @classmethod
    def from_obligations(cls, obligations: Iterable[Obligation]) -> Ledger:
        ids: list[str] = []
        debtors: list[str] = []
        creditors: list[str] = []
        amounts: list[int] = []
        dues: list[date | None] = []
        for o in obligations:
            ids.append(o.id)
            debtors.append(o.debtor)
            creditors.append(o.creditor)
            amounts.append(o.amount)
            dues.append(o.due)
        return cls.from_columns(ids, debtors, creditors, amounts, dues)

    @classmethod
    def from_columns(
        cls,
        ids: Sequence[str],
        debtors: Sequence[str],
        creditors: Sequence[str],
        amounts: Sequence[int],
        dues: Sequence[date | None] | None = None,
    ) -> Ledger:
        """Validate and code obligations given as parallel columns of names."""
        n = len(ids)
        if not (len(debtors) == len(creditors) == len(amounts) == n) or (dues is not None and len(dues) != n):
            raise ValueError("columns must have the same length")
        codes: dict[str, int] = {}
        names: list[str] = []
        dcodes = [0] * n
        ccodes = [0] * n
        for i in range(n):
            d, c = debtors[i], creditors[i]
            if not isinstance(d, str) or not d.strip():
                raise LedgerError(i, "empty_debtor", "债务人不能为空")
            if not isinstance(c, str) or not c.strip():
                raise LedgerError(i, "empty_creditor", "债权人不能为空")
            k = codes.get(d)
            if k is None:
                k = codes[d] = len(names)
                names.append(d)
            dcodes[i] = k
            k = codes.get(c)
            if k is None:
                k = codes[c] = len(names)
                names.append(c)
            ccodes[i] = k
        due_ord = [NO_DUE if x is None else _to_ordinal(i, x) for i, x in enumerate(dues)] if dues else None
        return cls.from_codes([str(x) for x in ids], names, dcodes, ccodes, amounts, due_ord)

    @classmethod
    def from_codes(
        cls,
        ids: Sequence[str] | np.ndarray,
        names: list[str],
        debtor_codes: Sequence[int],
        creditor_codes: Sequence[int],
        amounts: Sequence[int],
        due_ordinals: Sequence[int] | None = None,
        *,
        checked: bool = False,
    ) -> Ledger:
        """Build from names coded in any order (e.g. first seen while reading a file).

        Validates: positive integer amounts, debtor ≠ creditor, unique ids and a total that fits
        a signed 64-bit number of fen. Raises :class:`LedgerError` naming the first bad row.
        ``checked=True`` is for callers (the file reader) that already validated amounts and ids.
        """
        n = len(ids)
        if checked:
            return cls._build(
                ids, names, debtor_codes, creditor_codes, np.asarray(amounts, dtype=np.int64), due_ordinals
            )
        for i, a in enumerate(amounts):
            if isinstance(a, bool) or not isinstance(a, (int, np.integer)):  # exact money only
                raise LedgerError(i, "invalid_amount", "金额必须是整数分")
            if a <= 0:
                raise LedgerError(i, "non_positive_amount", "金额必须大于零")
            if a > INT64_MAX:
                raise LedgerError(i, "amount_too_large", "金额超过 64 位整数上限（分）")
        total = 0
        if n:
            total = sum(int(a) for a in amounts)
        if total > INT64_MAX:
            running = 0
            for i, a in enumerate(amounts):
                running += int(a)
                if running > INT64_MAX:
                    raise LedgerError(i, "total_too_large", "金额合计超过 64 位整数上限（分）")
        if len(set(ids)) != n:
            seen: set[str] = set()
            for i, x in enumerate(ids):
                if x in seen:
                    raise LedgerError(i, "duplicate_id", f"债务编号“{x}”重复")
                seen.add(x)
        return cls._build(
            ids,
            names,
            debtor_codes,
            creditor_codes,
            np.asarray([int(a) for a in amounts], dtype=np.int64),
            due_ordinals,
        )

    @classmethod
    def _build(cls, ids, names, debtor_codes, creditor_codes, amount: np.ndarray, due_ordinals) -> Ledger:
        n = len(ids)
        dc = np.asarray(debtor_codes, dtype=np.int64).reshape(n)
        cc = np.asarray(creditor_codes, dtype=np.int64).reshape(n)
        same = np.flatnonzero(dc == cc)
        if same.size:
            raise LedgerError(int(same[0]), "self_debt", "债务人与债权人相同")
        order = sorted(range(len(names)), key=names.__getitem__)
        rank = np.empty(len(names), dtype=np.int64)
        rank[np.asarray(order, dtype=np.int64)] = np.arange(len(names), dtype=np.int64)
        # Fresh copies (via a compact numpy array): a million parsed CSV fields are about to be
        # freed, and survivors scattered among them would keep all that memory mapped.
        parties = np.array([names[i] for i in order], dtype=StringDType()).tolist()
        if not isinstance(ids, np.ndarray) or ids.dtype != StringDType():
            ids = np.array(list(ids), dtype=StringDType())
        if len(set(parties)) != len(parties):
            raise ValueError("party names must be distinct")
        due = (
            np.full(n, NO_DUE, dtype=np.int64)
            if due_ordinals is None
            else np.asarray(due_ordinals, dtype=np.int64).reshape(n)
        )
        return cls(
            ids=ids,
            parties=parties,
            debtor=rank[dc] if n else dc,
            creditor=rank[cc] if n else cc,
            amount=amount.reshape(n),
            due=due,
        )


def _to_ordinal(i: int, d: date) -> int:
    if not isinstance(d, date):
        raise LedgerError(i, "invalid_due", "到期日必须是日期")
    return d.toordinal()


@contextlib.contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while building millions of small containers.

    Nothing built here forms reference cycles, and CPython's generational collector would
    otherwise rescan the whole heap again and again (measured: it doubles CSV reading time).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def sorted_unique(x: np.ndarray) -> np.ndarray:
    """Sorted distinct values (numpy's hash-based ``unique`` is slow on large int arrays)."""
    x = np.sort(x, kind="stable")
    if x.size < 2:
        return x
    return x[np.r_[True, x[1:] != x[:-1]]]


def _int_bincount(idx: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Exact int64 bincount (``np.bincount`` with weights goes through float64)."""
    out = np.zeros(n, dtype=np.int64)
    if idx.size:
        np.add.at(out, idx, values.astype(np.int64, copy=False))
    return out


# --------------------------------------------------------------------------------------------
# Options and results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NettingOptions:
    """What the participants agreed to.

    ``exclude``: parties that take no part — none of their obligations is touched.
    ``caps``: party → the most (fen) of its *payables* it agrees to have discharged by set-off.
      In a set-off circulation a party's discharged payables equal its discharged receivables, so
      the same cap bounds both. Modelled by splitting the party into an "in" and an "out" node
      joined by one arc of that capacity. With liquidity, cash a party receives and passes on
      counts against its cap; cash it pays from its own declared liquidity does not.
    ``min_loop``: loops (and cash chains) of a smaller amount (fen) are dropped whole after the
      decomposition, so net positions stay unchanged; the result is then no longer maximal.
    ``min_parties``: loops with fewer parties are dropped the same way. The policy's closed-loop
      set-off is among 3 or more parties (3个以上主体); two parties owing each other is an
      ordinary bilateral set-off, reported apart. 2 (the default) keeps every loop.
    ``liquidity``: party → cash (fen) it is able to pay now. The engine then also finds payment
      chains: the party pays one of its obligations in cash, the creditor passes the money on,
      and so on; the last recipient keeps it. Liquidity used never exceeds what was declared.
    ``loops``: set False to skip the loop decomposition (only totals and per-obligation set-off).
    """

    exclude: frozenset[str] = frozenset()
    caps: Mapping[str, int] = field(default_factory=dict)
    min_loop: int = 0
    min_parties: int = 2
    liquidity: Mapping[str, int] = field(default_factory=dict)
    loops: bool = True


@dataclass(frozen=True, slots=True)
class Leg:
    debtor: str
    creditor: str
    #: (obligation index in the ledger, fen) — several parts when a leg spans parallel obligations
    parts: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Loop:
    amount: int
    kind: str  # "bilateral" | "multilateral" | "chain"
    legs: tuple[Leg, ...]

    @property
    def parties(self) -> list[str]:
        names = [leg.debtor for leg in self.legs]
        if self.kind == "chain":
            names.append(self.legs[-1].creditor)
        return names


@dataclass(frozen=True, eq=False)
class LoopTable:
    """All loops in compact arrays (a million obligations make millions of legs).

    Loop ``k`` has legs ``leg_ptr[k]:leg_ptr[k+1]`` (in cycle order: each leg's creditor is the
    next leg's debtor; for a loop the last creditor is the first debtor, for a cash chain the first
    debtor pays cash and the last creditor keeps it). Leg ``j`` has obligation parts
    ``part_ptr[j]:part_ptr[j+1]``; the parts of a leg add up to the loop amount.
    """

    parties: list[str]
    amount: np.ndarray
    kind: np.ndarray  # int8: 0 bilateral, 1 multilateral, 2 chain
    leg_ptr: np.ndarray
    leg_debtor: np.ndarray
    leg_creditor: np.ndarray
    part_ptr: np.ndarray
    part_obligation: np.ndarray
    part_amount: np.ndarray

    def __len__(self) -> int:
        return len(self.amount)

    def __getitem__(self, k: int) -> Loop:
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError(k)
        legs = []
        for j in range(int(self.leg_ptr[k]), int(self.leg_ptr[k + 1])):
            p0, p1 = int(self.part_ptr[j]), int(self.part_ptr[j + 1])
            legs.append(
                Leg(
                    debtor=self.parties[int(self.leg_debtor[j])],
                    creditor=self.parties[int(self.leg_creditor[j])],
                    parts=tuple(
                        zip(
                            self.part_obligation[p0:p1].tolist(),
                            self.part_amount[p0:p1].tolist(),
                            strict=True,
                        )
                    ),
                )
            )
        return Loop(amount=int(self.amount[k]), kind=KIND_NAMES[int(self.kind[k])], legs=tuple(legs))

    def __iter__(self) -> Iterator[Loop]:
        return (self[k] for k in range(len(self)))

    def counts(self) -> dict[str, int]:
        return {
            "loops": len(self),
            "bilateral": self.count("bilateral"),
            "multilateral": self.count("multilateral"),
            "chains": self.count("chain"),
            "legs": int(self.leg_ptr[-1]),
        }

    def count(self, kind: str) -> int:
        return int(np.count_nonzero(self.kind == KIND_NAMES.index(kind)))

    def per_obligation(self, n: int, kind: str | None = None) -> np.ndarray:
        """Σ of loop parts per obligation (optionally only loops of one kind)."""
        amounts = self.part_amount
        obls = self.part_obligation
        if kind is not None:
            leg_loop = np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.leg_ptr))
            part_leg = np.repeat(np.arange(len(leg_loop), dtype=np.int64), np.diff(self.part_ptr))
            mask = self.kind[leg_loop[part_leg]] == KIND_NAMES.index(kind)
            amounts, obls = amounts[mask], obls[mask]
        return _int_bincount(obls, amounts, n)


def _empty_loops(parties: list[str]) -> LoopTable:
    z = np.zeros(0, dtype=np.int64)
    return LoopTable(
        parties, z, np.zeros(0, dtype=np.int8), np.zeros(1, np.int64), z, z, np.zeros(1, np.int64), z, z
    )


@dataclass(frozen=True, eq=False)
class NettingResult:
    ledger: Ledger
    #: per obligation: amount discharged (set off in loops + paid in cash chains)
    cleared: np.ndarray
    #: per obligation: the part of ``cleared`` discharged by cash in a chain
    paid: np.ndarray
    loops: LoopTable
    #: party → own cash paid into chains / cash received and kept (only with liquidity)
    liquidity_used: dict[str, int]
    liquidity_received: dict[str, int]
    #: the optimum without liquidity (only computed when liquidity was declared)
    cleared_without_liquidity: int | None
    options: NettingOptions
    stats: dict
    #: state for :meth:`build_loops` when the decomposition was deferred (``loops=False``)
    _deferred: tuple | None = field(default=None, repr=False)

    def build_loops(self) -> LoopTable:
        """The loop decomposition: ``self.loops`` if it was computed, otherwise computed now
        (a run with ``loops=False`` and neither ``min_loop`` nor liquidity can defer it, e.g. to
        another process while the set-offs are being written)."""
        if len(self.loops) or self._deferred is None:
            return self.loops
        with gc_paused():
            net, flow, obl_pair, order_alloc = self._deferred
            cyc_len, cyc_arc, cyc_amt = _cycles(net, flow)
            if cyc_len.size == 0:
                return self.loops
            return _build_loops(
                self.ledger, net, obl_pair, order_alloc, self.cleared, cyc_len, cyc_arc, cyc_amt
            )

    @property
    def total_fen(self) -> int:
        return self.ledger.total

    @property
    def cleared_fen(self) -> int:
        return int(self.cleared.sum())

    @property
    def paid_fen(self) -> int:
        return int(self.paid.sum())

    @property
    def setoff_fen(self) -> int:
        return self.cleared_fen - self.paid_fen

    @property
    def remaining_fen(self) -> int:
        return self.total_fen - self.cleared_fen

    @property
    def nid_fen(self) -> int:
        """Net internal debt of the input: Σ max(net position, 0). No set-off can go below it."""
        pos = self.ledger.net_positions()
        return int(pos[pos > 0].sum())

    @property
    def liquidity_used_fen(self) -> int:
        return sum(self.liquidity_used.values())

    @property
    def setoff(self) -> np.ndarray:
        return self.cleared - self.paid

    @property
    def remaining(self) -> np.ndarray:
        return self.ledger.amount - self.cleared

    def summary(self) -> dict:
        out = {
            "obligations": len(self.ledger),
            "firms": len(self.ledger.parties),
            "total_fen": self.total_fen,
            "cleared_fen": self.cleared_fen,
            "remaining_fen": self.remaining_fen,
            "nid_fen": self.nid_fen,
            "setoff_fen": self.setoff_fen,
            **self.loops.counts(),
            "components": self.stats.get("components", 0),
            "largest_component": self.stats.get("largest_component", 0),
        }
        if self.options.liquidity:
            used = self.liquidity_used_fen
            gain = self.cleared_fen - (self.cleared_without_liquidity or 0)
            out.update(
                liquidity_declared_fen=sum(self.options.liquidity.values()),
                liquidity_used_fen=used,
                paid_fen=self.paid_fen,
                cleared_without_liquidity_fen=self.cleared_without_liquidity,
                extra_cleared_fen=gain,
                cleared_per_yuan=round(gain / used, 4) if used else None,
            )
        return out


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
    keep = rest[tail] & rest[head]
    t, h = tail[keep], head[keep]
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
    order = np.argsort(tail, kind="stable")
    heads = head[order]
    indptr = np.searchsorted(tail[order], np.arange(n + 1, dtype=np.int64))
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
# Cycle decomposition
# --------------------------------------------------------------------------------------------


def _decompose(
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
    return _walk(active, outl, outd, fl, tails_l, heads_l, n)


def _walk(
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


# --------------------------------------------------------------------------------------------
# The solver
# --------------------------------------------------------------------------------------------


def solve(obligations: Ledger | Iterable[Obligation], options: NettingOptions | None = None) -> NettingResult:
    """Maximum set-off (and, with liquidity, payment chains) for a set of obligations."""
    with gc_paused():
        return _solve(obligations, options)


def _solve(obligations: Ledger | Iterable[Obligation], options: NettingOptions | None) -> NettingResult:
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
    order = np.argsort(key, kind="stable")
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
        per_component = np.bincount(labels[sorted_unique(np.r_[net.tail[inside], net.head[inside]])])
        stats["components"] = int(np.count_nonzero(per_component))
        stats["largest_component"] = int(per_component.max())
    stats["arcs_in_components"] = int(np.count_nonzero(inside))
    stats["t_scc"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    flow = np.zeros(net.tail.size, dtype=np.int64)
    idx = np.flatnonzero(inside)
    flow[idx] = _max_weight_circulation(net.n, net.tail[idx], net.head[idx], net.cap[idx], net.cost[idx])
    cleared_without = None
    if net.has_liquidity:
        # Same network without the cash arcs (arcs that lose their cycle simply carry nothing).
        sub = idx[net.arc_kind[idx] <= _ARC_SPLIT]
        sub_cost = np.where(net.arc_kind[sub] == _ARC_REAL, -1, 0).astype(np.int64)
        base = _max_weight_circulation(net.n, net.tail[sub], net.head[sub], net.cap[sub], sub_cost)
        cleared_without = int(base[net.arc_kind[sub] == _ARC_REAL].sum())
    elif opts.liquidity:  # declared, but nothing usable (zero, or only excluded parties)
        cleared_without = int(flow[net.arc_kind == _ARC_REAL].sum())
    stats["t_mcf"] = time.perf_counter() - t0

    # 4. Decompose into loops/chains (always when some must be dropped), allocate, map.
    t0 = time.perf_counter()
    pos_arcs = np.flatnonzero(flow > 0)
    need_cycles = opts.loops or opts.min_loop > 0 or opts.min_parties > 2 or net.has_liquidity
    if need_cycles and pos_arcs.size:
        cyc_len, cyc_arc, cyc_amt = _cycles(net, flow)
    else:
        cyc_len = cyc_arc = cyc_amt = np.zeros(0, dtype=np.int64)
    stats["t_decompose"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if (opts.min_loop > 0 or opts.min_parties > 2) and cyc_len.size:
        keep = cyc_amt >= opts.min_loop
        if opts.min_parties > 2:  # pure loops (no cash arc) need that many parties: one real arc each
            starts = np.concatenate(([0], np.cumsum(cyc_len)[:-1]))
            kinds = net.arc_kind[cyc_arc]
            parties = np.add.reduceat((kinds == _ARC_REAL).astype(np.int64), starts)
            cash = np.add.reduceat((kinds >= _ARC_CASH_OUT).astype(np.int64), starts)
            keep &= (cash > 0) | (parties >= opts.min_parties)
        stats["dropped_loops"] = int(np.count_nonzero(~keep))
        keep_arc = np.repeat(keep, cyc_len)
        cyc_len, cyc_arc, cyc_amt = cyc_len[keep], cyc_arc[keep_arc], cyc_amt[keep]
        flow = _int_bincount(cyc_arc, np.repeat(cyc_amt, cyc_len), net.tail.size)
    pair_set = np.zeros(n_pairs, dtype=np.int64)
    real_arcs = np.flatnonzero(net.arc_pair >= 0)
    pair_set[net.arc_pair[real_arcs]] = flow[real_arcs]

    order_alloc = _allocation_order(ledger, obl_pair, pair_set)
    cleared = _allocate(ledger, obl_pair, pair_set, order_alloc)
    liquidity_used: dict[str, int] = {}
    liquidity_received: dict[str, int] = {}
    if net.has_liquidity:
        for a in np.flatnonzero((net.arc_kind == _ARC_CASH_OUT) & (flow > 0)).tolist():
            liquidity_used[ledger.parties[int(net.arc_party[a])]] = int(flow[a])
        for a in np.flatnonzero((net.arc_kind == _ARC_CASH_IN) & (flow > 0)).tolist():
            liquidity_received[ledger.parties[int(net.arc_party[a])]] = int(flow[a])

    loops = _empty_loops(ledger.parties)
    paid = np.zeros(n_obl, dtype=np.int64)
    if cyc_len.size and (opts.loops or net.has_liquidity):
        table = _build_loops(ledger, net, obl_pair, order_alloc, cleared, cyc_len, cyc_arc, cyc_amt)
        if net.has_liquidity:
            paid = table.per_obligation(n_obl, "chain")
        if opts.loops:
            loops = table
    stats["t_allocate"] = time.perf_counter() - t0
    stats["t_total"] = time.perf_counter() - t_start
    deferred = None if need_cycles or not pos_arcs.size else (net, flow, obl_pair, order_alloc)
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


def _cycles(net: _Network, flow: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cycle decomposition of a circulation on the network: (lengths, arcs, amounts)."""
    pos_arcs = np.flatnonzero(flow > 0)
    if pos_arcs.size == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z, z
    lengths, cyc_arcs, amounts = _decompose(net.n, net.tail[pos_arcs], net.head[pos_arcs], flow[pos_arcs])
    return (
        np.asarray(lengths, dtype=np.int64),
        pos_arcs[np.asarray(cyc_arcs, dtype=np.int64)],
        np.asarray(amounts, dtype=np.int64),
    )


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


_ARC_REAL, _ARC_SPLIT, _ARC_CASH_OUT, _ARC_CASH_IN = 0, 1, 2, 3


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
        kinds = [np.full(n_pairs, _ARC_REAL, dtype=np.int8)]
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
            kinds.append(np.full(cp.size, _ARC_SPLIT, dtype=np.int8))
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
            kinds.append(np.full(lp.size, _ARC_CASH_OUT, dtype=np.int8))
            parties.append(lp)
            rp = np.flatnonzero(recv_total > 0)
            tails.append(rp)
            heads.append(np.full(rp.size, source, dtype=np.int64))
            caps_l.append(recv_total[rp])
            kinds.append(np.full(rp.size, _ARC_CASH_IN, dtype=np.int8))
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
        cost[self.arc_kind == _ARC_REAL] = -2 if liquidity else -1
        cost[self.arc_kind == _ARC_CASH_OUT] = 1
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
    sub = ids[subset].tolist()
    if not sub:
        return np.zeros(0, dtype=np.int64)
    if all(s.isdigit() and len(s) < 19 for s in sub):
        vals = np.asarray([int(s) for s in sub], dtype=np.int64)
        return vals
    arr = np.asarray(sub)
    order = np.argsort(arr, kind="stable")
    rank = np.empty(len(sub), dtype=np.int64)
    rank[order] = np.arange(len(sub), dtype=np.int64)
    return rank


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


def _rotate_and_legs(net: _Network, cyc_len, cyc_arc, cyc_amt):
    """Rotate each cycle to a canonical start and keep only real arcs (legs)."""
    k = cyc_len.size
    cyc_id = np.repeat(np.arange(k, dtype=np.int64), cyc_len)
    starts = np.r_[0, np.cumsum(cyc_len)[:-1]]
    pos = np.arange(cyc_arc.size, dtype=np.int64) - starts[cyc_id]
    kind = net.arc_kind[cyc_arc]
    big = np.iinfo(np.int64).max
    # Loops start at the leg whose debtor sorts first; chains start after the cash-out arc.
    rot_key = np.where(kind == _ARC_REAL, net.node_party[net.tail[cyc_arc]], big)
    rot_key = np.where(kind == _ARC_CASH_OUT, -1, rot_key)
    # First position of each cycle's minimum key (cycles are contiguous runs).
    cyc_min = np.minimum.reduceat(rot_key, starts)
    at_min = np.flatnonzero(rot_key == cyc_min[cyc_id])
    first = at_min[np.r_[True, cyc_id[at_min][1:] != cyc_id[at_min][:-1]]]
    rot = pos[first]
    new_pos = (pos - rot[cyc_id]) % cyc_len[cyc_id]
    rotated = np.empty_like(cyc_arc)
    rotated[starts[cyc_id] + new_pos] = cyc_arc
    is_chain = np.zeros(k, dtype=bool)
    if net.has_liquidity:
        is_chain = np.maximum.reduceat((kind == _ARC_CASH_OUT).astype(np.int8), starts).astype(bool)
    real = net.arc_kind[rotated] == _ARC_REAL
    legs_arc = rotated[real]
    n_legs = np.add.reduceat(real.astype(np.int64), starts) if k else np.zeros(0, dtype=np.int64)
    kinds = np.where(is_chain, KIND_CHAIN, np.where(n_legs == 2, KIND_BILATERAL, KIND_MULTILATERAL)).astype(
        np.int8
    )
    return legs_arc, n_legs, kinds


def _map_parts(obl_pair, order_alloc, cleared, leg_pair, leg_amount, n_pairs):
    """Cut each leg into obligation parts.

    A leg on a pair with a single allocated obligation is one part. For pairs with several, the
    legs (in loop order) and the allocated obligations (in allocation order) partition the same
    amount; laying those pairs end to end on one line, the union of both sets of breakpoints
    gives the parts, and each leg's parts are consecutive on that line.
    """
    n_legs = leg_pair.size
    obl = order_alloc[cleared[order_alloc] > 0]
    per_pair = np.bincount(obl_pair[obl], minlength=n_pairs)
    only = np.full(n_pairs, -1, dtype=np.int64)
    single = per_pair[obl_pair[obl]] == 1
    only[obl_pair[obl[single]]] = obl[single]
    parts_per_leg = np.ones(n_legs, dtype=np.int64)
    multi_legs = np.flatnonzero(per_pair[leg_pair] > 1)
    if multi_legs.size:
        m_sorted = multi_legs[np.argsort(leg_pair[multi_legs], kind="stable")]
        leg_end = np.cumsum(leg_amount[m_sorted])
        m_obl = obl[~single]
        obl_end = np.cumsum(cleared[m_obl])
        if obl_end.size == 0 or leg_end[-1] != obl_end[-1]:
            raise NettingError("环路与抵销金额不一致")
        bps = sorted_unique(np.concatenate([leg_end, obl_end]))
        m_amt = np.diff(bps, prepend=0)
        m_leg = m_sorted[np.searchsorted(leg_end, bps, side="left")]
        m_part_obl = m_obl[np.searchsorted(obl_end, bps, side="left")]
        parts_per_leg[multi_legs] = np.bincount(m_leg, minlength=n_legs)[multi_legs]
    part_ptr = np.zeros(n_legs + 1, dtype=np.int64)
    np.cumsum(parts_per_leg, out=part_ptr[1:])
    part_obl = np.empty(int(part_ptr[-1]), dtype=np.int64)
    part_amt = np.empty(int(part_ptr[-1]), dtype=np.int64)
    one = np.flatnonzero(parts_per_leg == 1)
    one = one[per_pair[leg_pair[one]] == 1]
    part_obl[part_ptr[one]] = only[leg_pair[one]]
    part_amt[part_ptr[one]] = leg_amount[one]
    if multi_legs.size:
        run_start = np.flatnonzero(np.r_[True, m_leg[1:] != m_leg[:-1]])
        run_len = np.diff(np.r_[run_start, m_leg.size])
        offset = np.arange(m_leg.size, dtype=np.int64) - np.repeat(run_start, run_len)
        at = part_ptr[m_leg] + offset
        part_obl[at] = m_part_obl
        part_amt[at] = m_amt
    return part_ptr, part_obl, part_amt


def _build_loops(ledger, net, obl_pair, order_alloc, cleared, cyc_len, cyc_arc, cyc_amt) -> LoopTable:
    legs_arc, n_legs, kinds = _rotate_and_legs(net, cyc_len, cyc_arc, cyc_amt)
    leg_pair = net.arc_pair[legs_arc]
    leg_amount = np.repeat(cyc_amt, n_legs)
    n_pairs = int(net.arc_pair.max()) + 1 if net.arc_pair.size else 0
    part_ptr, part_obl, part_amt = _map_parts(obl_pair, order_alloc, cleared, leg_pair, leg_amount, n_pairs)
    return LoopTable(
        parties=ledger.parties,
        amount=cyc_amt,
        kind=kinds,
        leg_ptr=np.r_[0, np.cumsum(n_legs)].astype(np.int64),
        leg_debtor=net.node_party[net.tail[legs_arc]],
        leg_creditor=net.node_party[net.head[legs_arc]],
        part_ptr=part_ptr.astype(np.int64),
        part_obligation=part_obl.astype(np.int64),
        part_amount=part_amt.astype(np.int64),
    )
