"""Options, loops and the result of a netting run."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from .ledger import KIND_NAMES, Ledger, _int_bincount

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
    #: computes the loop table later when the decomposition was deferred (``loops=False``)
    _deferred: Callable[[], LoopTable] | None = field(default=None, repr=False)

    def build_loops(self) -> LoopTable:
        """The loop decomposition: ``self.loops`` if it was computed, otherwise computed now
        (a run with ``loops=False`` and neither ``min_loop`` nor liquidity can defer it, e.g. to
        another process while the set-offs are being written)."""
        if len(self.loops) or self._deferred is None:
            return self.loops
        return self._deferred()

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
