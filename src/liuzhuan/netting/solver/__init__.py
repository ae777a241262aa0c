"""Optimal multilateral netting of inter-firm debts (清欠 / 三角债抵销).

Pure package: imports only the standard library, numpy and OR-Tools (numpy ships with OR-Tools) —
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

Modules: ``ledger`` (validated columnar input), ``results`` (options, loops, result),
``components`` (strongly connected components), ``engine`` (circulation, allocation), ``loops``
(cycle decomposition and the loop table; the compiled parts in ``walk``).
"""

from .components import strongly_connected_components
from .engine import Problem, prepare, solve
from .ledger import (
    NO_DUE,
    Ledger,
    LedgerError,
    NettingError,
    Obligation,
    OptionsError,
    gc_paused,
    sorted_unique,
)
from .loops import warm_up
from .results import Leg, Loop, LoopTable, NettingOptions, NettingResult

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
    "Problem",
    "gc_paused",
    "prepare",
    "solve",
    "sorted_unique",
    "strongly_connected_components",
    "warm_up",
]
