"""Writing netting results (set-offs and loops, CSV) exactly.

Outputs are written to a temporary file beside the target and renamed into place only when
everything succeeded, so a failed run never leaves a half-written file.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import numpy as np
from numpy.dtypes import StringDType

from .solver import NO_DUE, LoopTable, NettingResult, sorted_unique

__all__ = ["OutputFiles", "loop_rows", "open_csv", "warm_up", "write_loops", "write_setoff_rows", "write_setoffs"]

_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def _quoted(values: list[str]) -> list[str]:
    """CSV-quote the values that need it (minimal quoting, like the csv module)."""
    if not _NEEDS_QUOTES.search("\x00".join(values)):
        return values
    return ['"' + v.replace('"', '""') + '"' if _NEEDS_QUOTES.search(v) else v for v in values]


_ROWS_PER_CHUNK = 1 << 17
_THREADS = 2
_MONEY_MAX = 22  # 19 digits, the point and two decimals


def _table(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Byte table for the compiled formatters: entry k is ``data[offsets[k]:offsets[k + 1]]``."""
    encoded = [t.encode("utf-8") for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8) if encoded else np.zeros(0, dtype=np.uint8)
    return data, offsets


_ID_CACHE: list = []  # (ids array, tables) of the last ledger: both files use the same ids
_LEDGER_CACHE: list = []  # (ledger, {name: tables}) of the last ledger


def _ledger_tables(ledger) -> dict:
    if not (_LEDGER_CACHE and _LEDGER_CACHE[0] is ledger):
        _LEDGER_CACHE[:] = [ledger, {}]
    cache = _LEDGER_CACHE[1]
    if not cache:
        cache["names"] = _table(_quoted(ledger.parties))
        cache["dues"] = _due_table(ledger.due)
    return cache


def warm_up(ledger) -> None:
    """Load the compiled formatters and build the ledger's byte tables now (the CLI does this
    while another process runs the min-cost flow)."""
    from .rowbytes import loop_rows as format_loops
    from .rowbytes import setoff_rows

    _id_table(ledger.ids)
    _ledger_tables(ledger)
    z = np.zeros(1, dtype=np.int64)
    u = np.zeros(1, dtype=np.uint8)
    out = np.empty(256, dtype=np.uint8)
    setoff_rows(out, 0, 0, z, u, z, u, z, z, z, z, z, u, z, z, z, z, False)
    format_loops(out, 0, 0, z, np.zeros(1, dtype=np.int8), z, z, z, z, z, z, u, z, u, z, z, u, z, False)


def _id_table(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(ints, bytes, offsets, widest): plain numbers as int64 (formatted by the compiled code),
    anything else as a byte table of CSV-quoted texts."""
    if _ID_CACHE and _ID_CACHE[0] is ids:
        return _ID_CACHE[1]
    empty = np.zeros(0, dtype=np.int64)
    tables = None
    if len(ids) and bool((np.strings.str_len(ids) < 19).all() & np.strings.isdigit(ids).all()):
        try:
            as_int = ids.astype(np.int64)
        except ValueError:  # digits int() does not take (superscripts ...)
            as_int = None
        if as_int is not None and bool((as_int.astype(StringDType()) == ids).all()):  # canonical: ASCII, no leading zeros
            tables = (as_int, np.zeros(0, dtype=np.uint8), empty, 19)
    if tables is None:
        data, offsets = _table(_quoted(ids.tolist()))
        tables = (empty, data, offsets, int(np.diff(offsets).max(initial=0)))
    _ID_CACHE[:] = [ids, tables]
    return tables


def _due_table(due: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(code per obligation, bytes, offsets): ISO dates, the last entry empty (no due date)."""
    dated = due != NO_DUE
    values = sorted_unique(due[dated]) if dated.any() else np.zeros(0, dtype=np.int64)
    texts = [date.fromordinal(d).isoformat() for d in values.tolist()] + [""]
    codes = np.full(due.size, len(values), dtype=np.int64)
    codes[dated] = np.searchsorted(values, due[dated])
    data, offsets = _table(texts)
    return codes, data, offsets


def _widest(offsets: np.ndarray) -> int:
    return int(np.diff(offsets).max(initial=0))


def _header_bytes(names: list[str]) -> bytes:
    return (",".join(names) + "\n").encode("utf-8")


def write_setoffs(fh, result: NettingResult, *, fen: bool = False) -> None:
    """One row per obligation in input order: id, debtor, creditor, amount, due, setoff, paid,
    remaining. ``fh`` is a binary file (see :func:`open_csv`)."""
    write_setoff_rows(fh, result.ledger, result.setoff, result.paid, result.remaining, fen=fen)


def write_setoff_rows(fh, ledger, setoff: np.ndarray, paid: np.ndarray, remaining: np.ndarray, *, fen: bool) -> None:
    """:func:`write_setoffs` from the per-obligation arrays (the CLI starts it as soon as the
    allocation is known, before the loops)."""
    from .rowbytes import setoff_rows

    unit = "fen" if fen else "yuan"
    fh.write(_header_bytes(
        ["id", "debtor", "creditor", f"amount_{unit}", "due", f"setoff_{unit}", f"paid_{unit}", f"remaining_{unit}"]
    ))
    n = len(ledger)
    if n == 0:
        return
    id_int, id_bytes, id_off, id_width = _id_table(ledger.ids)
    tables = _ledger_tables(ledger)
    names, name_off = tables["names"]
    due_code, due_bytes, due_off = tables["dues"]
    row_max = id_width + 2 * _widest(name_off) + _widest(due_off) + 4 * _MONEY_MAX + 8
    _write_chunks(fh, range(n), row_max, lambda out, a, b: setoff_rows(
        out, a, b, id_int, id_bytes, id_off, names, name_off, ledger.debtor, ledger.creditor,
        ledger.amount, due_code, due_bytes, due_off, setoff, paid, remaining, fen,
    ))


def loop_rows(table: LoopTable) -> int:
    """Number of data rows :func:`write_loops` writes for ``table``."""
    return int(table.part_amount.size)


def write_loops(
    fh,
    result: NettingResult,
    *,
    fen: bool = False,
    table: LoopTable | None = None,
    rows: range | None = None,
    header: bool = True,
) -> None:
    """One row per obligation part of every loop leg, in loop order.

    Columns: loop (1-based), kind (bilateral/multilateral/chain), step (1-based leg number),
    debtor, creditor, obligation id, amount (of this part), loop amount. The parts of one leg
    add up to the loop amount; over all loops the parts of an obligation add up to its
    set-off (+ paid, for chains). ``rows``/``header`` write a slice (for two writers). ``fh`` is
    a binary file.
    """
    from .rowbytes import loop_rows as format_rows

    table = result.loops if table is None else table
    ledger = result.ledger
    unit = "fen" if fen else "yuan"
    if header:
        fh.write(_header_bytes(
            ["loop", "kind", "step", "debtor", "creditor", "obligation_id", f"amount_{unit}", f"loop_amount_{unit}"]
        ))
    rows = range(loop_rows(table)) if rows is None else rows
    if len(rows) == 0:
        return
    id_int, id_bytes, id_off, id_width = _id_table(ledger.ids)
    names, name_off = _ledger_tables(ledger)["names"]
    kinds, kind_off = _table(["bilateral", "multilateral", "chain"])
    row_max = 2 * 20 + 12 + 2 * _widest(name_off) + id_width + 2 * _MONEY_MAX + 8
    _write_chunks(fh, rows, row_max, lambda out, a, b: format_rows(
        out, a, b, table.amount, table.kind, table.leg_ptr, table.leg_debtor, table.leg_creditor,
        table.part_ptr, table.part_obligation, table.part_amount, kinds, kind_off, names, name_off,
        id_int, id_bytes, id_off, fen,
    ))


def _write_chunks(fh, rows: range, row_max: int, fmt) -> None:
    """Format ``rows`` chunk by chunk (``fmt(out, a, b)`` → bytes used) and write them in order.

    The compiled formatters release the GIL, so two threads format chunks side by side while
    this thread writes; at most a few chunks are in memory at once.
    """
    chunks = [(a, min(rows.stop, a + _ROWS_PER_CHUNK)) for a in range(rows.start, rows.stop, _ROWS_PER_CHUNK)]

    def one(ab: tuple[int, int]) -> memoryview:
        a, b = ab
        out = np.empty((b - a) * row_max, dtype=np.uint8)
        return memoryview(out)[: fmt(out, a, b)]

    if len(chunks) < 2:
        for ab in chunks:
            fh.write(one(ab))
        return
    with ThreadPoolExecutor(max_workers=_THREADS) as pool:
        pending = deque(pool.submit(one, ab) for ab in chunks[: 2 * _THREADS])
        for ab in chunks[2 * _THREADS :]:
            fh.write(pending.popleft().result())
            pending.append(pool.submit(one, ab))
        while pending:
            fh.write(pending.popleft().result())


def open_csv(path: str | os.PathLike):
    """A binary file for CSV output, starting with the UTF-8 BOM (so Excel shows the Chinese
    text correctly; our reader tolerates it)."""
    fh = open(path, "wb", buffering=1 << 20)
    fh.write(b"\xef\xbb\xbf")
    return fh


class OutputFiles:
    """Write several files atomically: each goes to a temp file, all are renamed on success."""

    def __init__(self):
        self._pending: list[tuple[str, Path]] = []

    def reserve(self, target: str | os.PathLike) -> str:
        """Create the temporary file for ``target`` and return its path."""
        target = Path(target)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        self._pending.append((tmp, target))
        os.chmod(tmp, 0o644)
        return tmp

    def scratch(self, target: str | os.PathLike) -> str:
        """A scratch file beside ``target`` (the caller removes it; it is never renamed)."""
        target = Path(target)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        os.close(fd)
        return tmp

    def open(self, target: str | os.PathLike):
        return open_csv(self.reserve(target))

    def commit(self) -> None:
        for tmp, target in self._pending:
            os.replace(tmp, target)
        self._pending.clear()

    def discard(self) -> None:
        for tmp, _target in self._pending:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        self._pending.clear()
