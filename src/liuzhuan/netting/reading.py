"""Reading obligation lists (CSV or XLSX) exactly.

Input columns (header row, any order, case-insensitive; Chinese aliases accepted):
``debtor``/债务人, ``creditor``/债权人, ``amount``/金额 (required); ``id``/编号, ``due``/到期日
(optional). Amounts are yuan with at most two decimals (or integer fen with ``fen=True``).
Every problem is reported as :class:`InputError` naming the file line (1 = header).
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Sequence
from itertools import chain, count
from operator import itemgetter
from pathlib import Path

import numpy as np
from numpy.dtypes import StringDType

from liuzhuan.core.money import (
    DEFAULT_CEILING_FEN,
    INT64_MAX,
    MoneyError,
    parse_fen,
    parse_yuan,
)

from .columns import (
    InputError,
    _amount_parser,
    _cell_text,
    _due_ordinal,
    _map_header,
    os_reason,
)
from .fastcsv import _read_csv_bytes
from .solver import Ledger, gc_paused

__all__ = ["InputError", "os_reason", "read_obligations", "read_party_amounts"]


def _load_csv(path: Path) -> tuple[list[list[str]], Sequence[int]]:
    """All records of a CSV file with the line number each one ends on."""
    try:
        f = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(0, f"无法打开文件：{path}（{os_reason(exc)}）", "unreadable") from exc
    with f:
        reader = csv.reader(f)
        try:
            rows = list(reader)
        except UnicodeDecodeError as exc:
            raise InputError(
                _first_bad_utf8_line(path), "文件不是 UTF-8 编码（请另存为 UTF-8 CSV）", "encoding"
            ) from exc
        except csv.Error as exc:
            raise InputError(reader.line_num, f"CSV 格式错误：{exc}", "csv") from exc
        if reader.line_num == len(rows):
            return rows, range(1, len(rows) + 1)  # one line per record: no bookkeeping needed
    # Quoted fields spanning lines: read again, noting where each record ends.
    lines: list[int] = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        rows = []
        for row in reader:
            rows.append(row)
            lines.append(reader.line_num)
    return rows, lines


def _first_bad_utf8_line(path: Path) -> int:
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data.count(b"\n", 0, exc.start) + 1
    return 0  # pragma: no cover - only called after a decoding error


def _load_xlsx(path: Path) -> tuple[list[list[str]], list[int]]:
    """The first worksheet's rows as text (row number = line number)."""
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
        raise InputError(0, "读取 XLSX 需要 openpyxl", "unreadable") from exc
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise InputError(0, f"无法打开文件：{path}（{os_reason(exc)}）", "unreadable") from exc
    except Exception as exc:
        raise InputError(
            0, f"无法读取 XLSX 文件：{path}（文件已损坏或不是 Excel 工作簿）", "unreadable"
        ) from exc
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        ws = wb.active
        for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
            rows.append([_cell_text(v) for v in row])
            lines.append(i)
    finally:
        wb.close()
    return rows, lines


def _load(path: str | os.PathLike) -> tuple[list[list[str]], Sequence[int]]:
    p = Path(path)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        return _load_xlsx(p)
    return _load_csv(p)


def read_obligations(path: str | os.PathLike, *, fen: bool = False, on_parsed=None) -> Ledger:
    """Read a CSV (UTF-8, BOM tolerated) or XLSX obligation list into a validated ledger.

    ``on_parsed(names, debtor_codes, creditor_codes, amounts)`` is called when the fast CSV reader
    has those (``Ledger.from_codes`` of them gives the returned ledger's parties, debtors,
    creditors and amounts) and is about to read ids and due dates; the CLI starts the min-cost
    flow there. Should the file then turn out to need the exact reader, ``on_parsed(None, None,
    None, None)`` withdraws it first.
    """
    try:
        with gc_paused():
            if Path(path).suffix.lower() not in (".xlsx", ".xlsm"):
                try:
                    data = Path(path).read_bytes()
                except OSError:
                    data = None  # the exact reader names the problem
                if data is not None:
                    called: list[bool] = []

                    def parsed(*arrays) -> None:
                        called.append(True)
                        on_parsed(*arrays)

                    ledger = _read_csv_bytes(data, fen, parsed if on_parsed is not None else None)
                    del data
                    if ledger is not None:
                        return ledger
                    if called:
                        on_parsed(None, None, None, None)
            rows, lines = _load(path)
            return _read_rows(rows, lines, fen=fen)
    except InputError as exc:
        exc.path = exc.path or str(path)
        raise


def _header(rows: list[list[str]], lines: Sequence[int]) -> int:
    """Index of the header row (the first non-blank one)."""
    for k, row in enumerate(rows):
        if any(str(x).strip() for x in row):
            return k
    raise InputError(lines[-1] if lines else 1, "文件为空，没有表头", "empty")


class _Slow(Exception):
    """The bulk reader met something unusual: take the row-by-row path for an exact message."""


def _read_rows(rows: list[list[str]], lines: Sequence[int], *, fen: bool) -> Ledger:
    h = _header(rows, lines)
    cols = _map_header_at(rows[h], lines[h])
    body = rows[h + 1 :]
    body_lines = lines[h + 1 :]
    try:
        return _read_bulk(body, body_lines, cols, fen)
    except _Slow:
        return _read_each(body, body_lines, cols, fen)


def _map_header_at(header: list, line: int) -> dict[str, int]:
    try:
        return _map_header(header)
    except InputError as exc:
        raise InputError(line, exc.message, exc.code) from exc


def _plain_amount(fen: bool) -> Callable[[str], int]:
    """Plain ``123``/``123.4``/``123.45`` (or integer fen) → fen; 0 for anything else."""
    if fen:
        return lambda t: int(t) if t.isdigit() and t.isascii() else 0

    def parse(t: str) -> int:
        if t.isdigit() and t.isascii():
            return int(t) * 100
        whole, dot, frac = t.partition(".")
        if dot and whole.isdigit() and frac.isdigit() and whole.isascii() and frac.isascii():
            if len(frac) == 2:
                return int(whole) * 100 + int(frac)
            if len(frac) == 1:
                return int(whole) * 100 + int(frac) * 10
        return 0

    return parse


_ALL_INTEGERS = re.compile(r"[0-9]{1,15}(?:\n[0-9]{1,15})*")
_ALL_TWO_DECIMALS = re.compile(r"[0-9]{1,13}\.[0-9]{2}(?:\n[0-9]{1,13}\.[0-9]{2})*")


def _bulk_amounts(texts: list[str], fen: bool) -> list[int]:
    """Whole-column fast paths (one regex over the joined column, then C-level ``int``) for the
    two shapes exports use; anything else is parsed value by value."""
    joined = "\n".join(texts)
    if _ALL_INTEGERS.fullmatch(joined):
        values = list(map(int, texts))
        return values if fen else [v * 100 for v in values]
    if not fen and _ALL_TWO_DECIMALS.fullmatch(joined):
        return list(map(int, joined.replace(".", "").split("\n")))
    return list(map(_plain_amount(fen), texts))


def _read_bulk(body: list[list[str]], body_lines: Sequence[int], cols: dict[str, int], fen: bool) -> Ledger:
    """Column-at-a-time reading for clean files (C-level map/set/dict work, no per-row Python).

    Any irregularity (blank row, bad value, duplicate, non-plain amount format) raises _Slow so
    that the row-by-row reader produces the exact first error or handles the unusual format.
    """
    n = len(body)
    width = max(cols.values()) + 1
    if n and min(map(len, body)) < width:
        raise _Slow
    col = {role: list(map(str.strip, map(itemgetter(i), body))) for role, i in cols.items()}
    debtors, creditors, amounts_text = col["debtor"], col["creditor"], col["amount"]
    if not (all(debtors) and all(creditors) and all(amounts_text)):
        raise _Slow
    amounts = _bulk_amounts(amounts_text, fen)
    if n and (min(amounts) <= 0 or max(amounts) > DEFAULT_CEILING_FEN or sum(amounts) > INT64_MAX):
        raise _Slow
    if "id" in col:
        ids = col["id"]
        if not all(ids) or len(set(ids)) != n:
            raise _Slow
    else:
        ids = np.asarray(body_lines, dtype=np.int64).astype(StringDType())
    dues = None
    if "due" in col:
        cache: dict[str, int] = {}
        try:
            for text in set(col["due"]):
                _due_ordinal(text, cache)
        except ValueError as exc:
            raise _Slow from exc
        dues = list(map(cache.__getitem__, col["due"]))
    # One C-level pass codes every name: setdefault stores the position where a name first
    # appears (sparse codes), a lookup array then makes them dense.
    index: dict[str, int] = {}
    sparse = np.asarray(list(map(index.setdefault, chain(debtors, creditors), count())), dtype=np.int64)
    names = list(index)
    dense = np.zeros(max(sparse.size, 1), dtype=np.int64)
    dense[np.fromiter(index.values(), dtype=np.int64, count=len(index))] = np.arange(
        len(index), dtype=np.int64
    )
    codes = dense[sparse]
    dcodes, ccodes = codes[:n], codes[n:]
    if n and (dcodes == ccodes).any():
        raise _Slow
    return Ledger.from_codes(ids, names, dcodes, ccodes, amounts, dues, checked=True)


def _read_each(body: list[list[str]], body_lines: Sequence[int], cols: dict[str, int], fen: bool) -> Ledger:
    ii = cols.get("id")
    di, ci, ai = cols["debtor"], cols["creditor"], cols["amount"]
    ui = cols.get("due")
    width = max(cols.values()) + 1
    parse_amount = _amount_parser(fen)
    due_cache: dict[str, int] = {}

    ids: list[str] = []
    codes: dict[str, int] = {}
    names: list[str] = []
    dcodes: list[int] = []
    ccodes: list[int] = []
    amounts: list[int] = []
    dues: list[int] | None = [] if ui is not None else None
    id_line: dict[str, int] = {}
    total = 0
    for line, row in zip(body_lines, body, strict=True):
        if len(row) < width:
            if not any(str(x).strip() for x in row):
                continue
            row = list(row) + [""] * (width - len(row))
        d = row[di].strip()
        c = row[ci].strip()
        a = row[ai].strip()
        if not d:
            if not c and not a and not any(str(x).strip() for x in row):
                continue  # blank row (spreadsheets leave these)
            raise InputError(line, "债务人为空", "empty_debtor")
        if not c:
            raise InputError(line, "债权人为空", "empty_creditor")
        if d == c:
            raise InputError(line, f"债务人与债权人相同（“{d}”）", "self_debt")
        if not a:
            raise InputError(line, "金额为空", "empty_amount")
        try:
            v = parse_amount(a)
        except MoneyError as exc:
            raise InputError(line, exc.message, exc.code) from exc
        total += v
        if total > INT64_MAX:
            raise InputError(line, "金额合计超过 64 位整数上限（以分计），请拆分文件", "total_too_large")
        if ii is not None:
            oid = row[ii].strip()
            if not oid:
                raise InputError(line, "编号为空", "empty_id")
        else:
            oid = str(line)
        first = id_line.get(oid)
        if first is not None:
            raise InputError(line, f"编号“{oid}”重复（与第 {first} 行相同）", "duplicate_id")
        id_line[oid] = line
        if dues is not None:
            try:
                dues.append(_due_ordinal(row[ui], due_cache))
            except ValueError as exc:
                raise InputError(
                    line, f"到期日“{row[ui].strip()}”不是有效日期（应为 YYYY-MM-DD）", "invalid_due"
                ) from exc
        k = codes.get(d)
        if k is None:
            k = codes[d] = len(names)
            names.append(d)
        dcodes.append(k)
        k = codes.get(c)
        if k is None:
            k = codes[c] = len(names)
            names.append(c)
        ccodes.append(k)
        amounts.append(v)
        ids.append(oid)
    return Ledger.from_codes(ids, names, dcodes, ccodes, amounts, dues, checked=True)


def read_party_amounts(path: str | os.PathLike, *, fen: bool = False, what: str = "金额") -> dict[str, int]:
    """Read ``party,amount`` rows (header ``party``/参与方/企业, ``amount``/金额) — for liquidity or caps."""
    try:
        return _read_party_amounts(path, fen=fen, what=what)
    except InputError as exc:
        exc.path = exc.path or str(path)
        raise


def _read_party_amounts(path: str | os.PathLike, *, fen: bool, what: str) -> dict[str, int]:
    rows, lines = _load(path)
    h = _header(rows, lines)
    party_aliases = ("party", "name", "firm", "参与方", "企业", "单位", "名称")
    amount_aliases = ("amount", "金额", "金额(元)", "金额（元）", "liquidity", "cap", "流动性", "上限")
    norm = [str(x).strip().lstrip("\ufeff").lower() for x in rows[h]]
    pi = next((i for i, x in enumerate(norm) if x in party_aliases), None)
    ai = next((i for i, x in enumerate(norm) if x in amount_aliases), None)
    if pi is None or ai is None:
        raise InputError(lines[h], "缺少必需的列：party（参与方）、amount（金额）", "missing_column")
    out: dict[str, int] = {}
    for line, row in zip(lines[h + 1 :], rows[h + 1 :], strict=True):
        if not any(str(x).strip() for x in row):
            continue
        row = list(row) + [""] * (max(pi, ai) + 1 - len(row))
        name = row[pi].strip()
        text = row[ai].strip()
        if not name:
            raise InputError(line, "参与方为空", "empty_party")
        if name in out:
            raise InputError(line, f"参与方“{name}”重复", "duplicate_party")
        if not text:
            raise InputError(line, f"{what}为空", "empty_amount")
        try:
            out[name] = parse_fen(text) if fen else parse_yuan(text)  # zero allowed here
        except MoneyError as exc:
            raise InputError(line, exc.message, exc.code) from exc
    return out


# --------------------------------------------------------------------------------------------
# Fast path: a plain CSV read as bytes with NumPy (no Python object per row or field)
# --------------------------------------------------------------------------------------------

