"""Validated, columnar obligations (the solver's input), its errors and array helpers."""

from __future__ import annotations

import bisect
import contextlib
import gc
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.dtypes import StringDType

INT64_MAX = 2**63 - 1  # the largest amount an int64 array (and a database bigint) holds

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
        compact: bool = True,
    ) -> Ledger:
        """Build from names coded in any order (e.g. first seen while reading a file).

        Validates: positive integer amounts, debtor ≠ creditor, unique ids and a total that fits
        a signed 64-bit number of fen. Raises :class:`LedgerError` naming the first bad row.
        ``checked=True`` is for callers (the file reader) that already validated amounts and ids.
        ``compact=False`` keeps the given name strings instead of fresh copies (see ``_build``):
        for names that are already compact, such as the fast reader's, decoded in one piece.
        """
        n = len(ids)
        if checked:
            return cls._build(
                ids, names, debtor_codes, creditor_codes, np.asarray(amounts, dtype=np.int64), due_ordinals, compact
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
    def _build(
        cls, ids, names, debtor_codes, creditor_codes, amount: np.ndarray, due_ordinals, compact: bool = True
    ) -> Ledger:
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
        parties = [names[i] for i in order]
        if compact:
            parties = np.array(parties, dtype=StringDType()).tolist()
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
