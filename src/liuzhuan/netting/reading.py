"""Reading obligation lists (CSV or XLSX) exactly.

Input columns (header row, any order, case-insensitive; Chinese aliases accepted):
``debtor``/债务人, ``creditor``/债权人, ``amount``/金额 (required); ``id``/编号, ``due``/到期日
(optional). Amounts are yuan with at most two decimals (or integer fen with ``fen=True``).
Every problem is reported as :class:`InputError` naming the file line (1 = header).
"""

from __future__ import annotations

import csv
import errno
import os
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
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

from .solver import NO_DUE, Ledger, gc_paused

__all__ = ["InputError", "os_reason", "read_obligations", "read_party_amounts"]

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "债务编号", "单号", "票据号"),
    "debtor": ("debtor", "债务人", "付款方", "欠款方", "from"),
    "creditor": ("creditor", "债权人", "收款方", "to"),
    "amount": ("amount", "金额", "金额(元)", "金额（元）", "金额(分)", "金额（分）"),
    "due": ("due", "due_date", "到期日", "到期日期"),
}
COLUMN_LABELS = {"id": "编号", "debtor": "债务人", "creditor": "债权人", "amount": "金额", "due": "到期日"}
REQUIRED = ("debtor", "creditor", "amount")

_ALIAS_TO_ROLE = {alias.lower(): role for role, aliases in COLUMN_ALIASES.items() for alias in aliases}
_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def os_reason(exc: OSError) -> str:
    """A short Chinese reason for an operating-system error."""
    reasons = {
        errno.ENOENT: "文件或目录不存在",
        errno.EACCES: "没有访问权限",
        errno.EISDIR: "这是一个目录",
        errno.ENOSPC: "磁盘空间不足",
        errno.EROFS: "文件系统只读",
    }
    return reasons.get(exc.errno or 0, exc.strerror or str(exc))


class InputError(ValueError):
    """A problem in an input file: ``line`` is the 1-based line (row) number, 0 for the file."""

    def __init__(self, line: int, message: str, code: str = "invalid", path: str | None = None):
        super().__init__(message)
        self.line = line
        self.message = message
        self.code = code
        self.path = path

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.message}" if self.line else self.message


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def _map_header(header: list) -> dict[str, int]:
    cols: dict[str, int] = {}
    for i, raw in enumerate(header):
        name = "" if raw is None else str(raw).strip().lstrip("\ufeff").strip().lower()
        role = _ALIAS_TO_ROLE.get(name)
        if role is None:
            continue
        if role in cols:
            raise InputError(1, f"列“{COLUMN_LABELS[role]}”出现了两次", "duplicate_column")
        cols[role] = i
    missing = [r for r in REQUIRED if r not in cols]
    if missing:
        names = "、".join(f"{r}（{COLUMN_LABELS[r]}）" for r in missing)
        raise InputError(1, f"缺少必需的列：{names}", "missing_column")
    return cols


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def _amount_parser(fen: bool) -> Callable[[str], int]:
    """Fast exact path for plain numbers; anything else goes through liuzhuan.core.money."""
    ceiling = DEFAULT_CEILING_FEN

    if fen:

        def parse(text: str) -> int:
            if text.isascii() and text.isdigit():
                v = int(text)
                if 0 < v <= ceiling:
                    return v
            return parse_fen(text, allow_zero=False)

        return parse

    def parse(text: str) -> int:
        if text.isascii():
            if text.isdigit():
                v = int(text) * 100
                if 0 < v <= ceiling:
                    return v
            else:
                whole, dot, frac = text.partition(".")
                if dot and whole.isdigit() and frac.isdigit() and len(frac) <= 2:
                    v = int(whole) * 100 + (int(frac) * 10 if len(frac) == 1 else int(frac))
                    if 0 < v <= ceiling:
                        return v
        return parse_yuan(text, allow_zero=False)

    return parse


def _due_ordinal(text: str, cache: dict[str, int]) -> int:
    v = cache.get(text)
    if v is not None:
        return v
    s = text.strip()
    if not s:
        v = NO_DUE
    else:
        m = _DATE_RE.match(s)
        if m is None:
            raise ValueError(s)
        v = date(int(m.group(1)), int(m.group(2)), int(m.group(3))).toordinal()
    cache[text] = v
    return v


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


def read_obligations(path: str | os.PathLike, *, fen: bool = False) -> Ledger:
    """Read a CSV (UTF-8, BOM tolerated) or XLSX obligation list into a validated ledger."""
    try:
        with gc_paused():
            if Path(path).suffix.lower() not in (".xlsx", ".xlsm"):
                try:
                    data = Path(path).read_bytes()
                except OSError:
                    data = None  # the exact reader names the problem
                if data is not None:
                    ledger = _read_csv_bytes(data, fen)
                    del data
                    if ledger is not None:
                        return ledger
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

_BOM = b"\xef\xbb\xbf"
_CSV_FIELD_LIMIT = 131072  # the csv module's default field_size_limit (characters)
# masks[k] keeps the first k bytes of a little-endian 8-byte word
_WORD_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)
_POW10 = np.array([10**k for k in range(19)], dtype=np.int64)


class _Fields:
    """Byte windows over the file: field ``i`` of a column is ``buf[start[i]:end[i]]``."""

    def __init__(self, data: bytes):
        self.data = data
        buf = np.zeros(len(data) + 16, dtype=np.uint8)  # padded: 8-byte reads past the end stay inside
        buf[: len(data)] = np.frombuffer(data, dtype=np.uint8)
        self.buf = buf
        # every byte offset as the start of a little-endian 8-byte word (an overlapping view)
        self.words = np.ndarray((buf.size - 7,), dtype="<u8", buffer=buf, strides=(1,))

    def word_columns(self, start: np.ndarray, length: np.ndarray, n_words: int) -> list[np.ndarray]:
        """The field bytes as ``n_words`` uint64 columns, zero past each field's end."""
        out = []
        for w in range(n_words):
            v = self.words[start + 8 * w]
            v &= _WORD_MASKS[np.clip(length - 8 * w, 0, 8)]
            out.append(v)
        return out

    def factorize(self, start: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Equal byte strings get equal codes: (codes 0..k-1, index of one field per code).

        Hashes each field (its bytes read as words) and sorts the hashes; then checks every
        field byte for byte against its group's first field, so a hash collision can only send
        the file to the exact reader (None), never merge two different values.
        """
        if length.size == 0:
            return None
        words = self.word_columns(start, length, int(length.max() + 7) // 8)
        h = length.astype(np.uint64)
        for v in words:
            h = (h ^ v) * np.uint64(0x9E3779B97F4A7C15)
            h ^= h >> np.uint64(29)
        order = np.argsort(h)
        hs = h[order]
        new = np.empty(hs.size, dtype=bool)
        new[0] = True
        np.not_equal(hs[1:], hs[:-1], out=new[1:])
        codes = np.empty(hs.size, dtype=np.int64)
        codes[order] = np.cumsum(new) - 1
        first = order[new]
        rep = first[codes]
        same = length == length[rep]
        for v in words:
            same &= v == v[rep]
        if not same.all():
            return None
        return codes, first

    def text(self, start: int, end: int) -> str:
        return self.data[start:end].decode("utf-8")  # UnicodeDecodeError: the caller falls back


def _unsigned_ints(fields: _Fields, start, length, max_digits: int) -> np.ndarray | None:
    """ASCII digit fields (1..max_digits digits) as int64, or None."""
    if length.size == 0:
        return np.zeros(0, dtype=np.int64)
    if length.min() < 1 or length.max() > max_digits:
        return None
    value = np.zeros(length.size, dtype=np.int64)
    for j in range(int(length.max())):
        d = fields.buf[start + j] - np.uint8(48)  # wraps below '0', so one test covers both ends
        live = length > j
        if (d[live] > 9).any():
            return None
        value = np.where(live, value * 10 + d, value)
    return value


def _amounts_from_bytes(fields: _Fields, start, length, fen: bool) -> np.ndarray | None:
    """``123``, ``123.4``, ``123.45`` (or integer fen) → fen, exactly as the exact reader; None
    for anything else (it then gives the exact answer or message)."""
    if fen:
        return _unsigned_ints(fields, start, length, 15)
    if length.size and length.min() < 1:
        return None
    end = start + length
    buf = fields.buf
    two = (length >= 4) & (buf[end - 3] == 46)  # 123.45
    one = ~two & (length >= 3) & (buf[end - 2] == 46)  # 123.4
    whole_len = length - np.where(two, 3, np.where(one, 2, 0))
    whole = _unsigned_ints(fields, start, whole_len, 14)
    if whole is None:
        return None
    d1 = buf[end - 2] - np.uint8(48)
    d2 = buf[end - 1] - np.uint8(48)
    if (d2[one | two] > 9).any() or (d1[two] > 9).any():
        return None
    frac = np.where(two, d1.astype(np.int64) * 10 + d2, np.where(one, d2.astype(np.int64) * 10, 0))
    return whole * 100 + frac


def _iso_dates(fields: _Fields, start, length) -> tuple[np.ndarray, np.ndarray] | None:
    """Factorize a due column of plain ``YYYY-MM-DD`` cells by their digits (no sort); None
    when any cell has another shape (then the general byte factorization runs)."""
    if length.size == 0 or length.min() != 10 or length.max() != 10:
        return None
    buf = fields.buf
    key = np.zeros(length.size, dtype=np.int64)
    for j in (0, 1, 2, 3, 5, 6, 8, 9):
        d = buf[start + j] - np.uint8(48)
        if (d > 9).any():
            return None
        key = key * 10 + d
    if not ((buf[start + 4] == 45).all() and (buf[start + 7] == 45).all()):
        return None
    lo = int(key.min())
    span = int(key.max()) - lo + 1
    if span > 4 * length.size + 100_000:
        return None
    present = np.zeros(span, dtype=np.int64)
    present[key - lo] = 1
    values = np.flatnonzero(present)
    code_of = np.cumsum(present) - 1
    codes = code_of[key - lo]
    first = np.empty(values.size, dtype=np.int64)
    first[codes[::-1]] = np.arange(codes.size - 1, -1, -1, dtype=np.int64)  # first field of each value
    return codes, first


def _read_csv_bytes(data: bytes, fen: bool) -> Ledger | None:
    """The common case: a plain, well-formed CSV without quotes read column-wise on its bytes.

    Returns None whenever anything is unusual (quotes, blank or short rows, stray CRs, odd
    amount formats, empty cells, duplicates, bad dates, self-debts ...): the exact reader then
    gives the result or the exact message and line. Results are identical (a property test
    holds the two readers to it).
    """
    if data.startswith(_BOM):
        data = data[3:]
    if b'"' in data or b"\x00" in data:
        return None
    n_lf = data.count(b"\n")
    n_cr = data.count(b"\r")
    crlf = n_cr > 0
    if crlf and not (n_cr == n_lf == data.count(b"\r\n")):
        return None
    if not data.endswith(b"\n"):
        data += b"\r\n" if crlf else b"\n"
        n_lf += 1
    eol = 2 if crlf else 1
    head_end = data.find(b"\n") + 1
    try:
        header = data[: head_end - eol].decode("utf-8").split(",")
    except UnicodeDecodeError:
        return None
    if not any(x.strip() for x in header):
        return None
    try:
        cols = _map_header(header)
    except InputError:
        return None
    n = n_lf - 1
    if n == 0:
        return None
    k = len(header) - 1  # commas per line
    fields = _Fields(data)
    buf = fields.buf[: len(data)]
    nls = np.flatnonzero(buf == 10)
    line_start = np.empty(n, dtype=np.int64)
    line_start[0] = head_end
    line_start[1:] = nls[1:-1] + 1
    line_end = nls[1:] - (eol - 1)
    if k:
        commas = np.flatnonzero(buf[head_end:] == 44) + head_end
        if commas.size != k * n:
            return None
        commas = commas.reshape(n, k)
        if (commas[:, 0] < line_start).any() or (commas[:, -1] >= line_end).any():
            return None
        starts = np.concatenate([line_start[:, None], commas + 1], axis=1)
        ends = np.concatenate([commas, line_end[:, None]], axis=1)
    else:
        if (buf[head_end:] == 44).any():
            return None
        starts, ends = line_start[:, None], line_end[:, None]
    lengths = ends - starts
    if lengths.max() > _CSV_FIELD_LIMIT:
        return None
    if len(header) > len(cols):
        try:  # columns we do not read must still be valid UTF-8, as for the exact reader
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def col(role: str) -> tuple[np.ndarray, np.ndarray]:
        i = cols[role]
        return starts[:, i], lengths[:, i]

    amounts = _amounts_from_bytes(fields, *col("amount"), fen)
    if amounts is None or amounts.min() <= 0 or amounts.max() > DEFAULT_CEILING_FEN:
        return None
    if n * int(amounts.max()) > INT64_MAX and sum(amounts.tolist()) > INT64_MAX:
        return None

    # Names: equal raw bytes share a code; each distinct raw value is decoded and stripped once.
    ds, dl = col("debtor")
    cs, cl = col("creditor")
    both = fields.factorize(np.concatenate([ds, cs]), np.concatenate([dl, cl]))
    if both is None:
        return None
    raw_codes, first = both
    all_starts = np.concatenate([ds, cs])
    all_lengths = np.concatenate([dl, cl])
    index: dict[str, int] = {}
    remap = np.empty(first.size, dtype=np.int64)
    try:
        for g, i in enumerate(first.tolist()):
            name = fields.text(int(all_starts[i]), int(all_starts[i] + all_lengths[i])).strip()
            if not name:
                return None
            remap[g] = index.setdefault(name, len(index))
    except UnicodeDecodeError:
        return None
    codes = remap[raw_codes]
    dcodes, ccodes = codes[:n], codes[n:]
    if (dcodes == ccodes).any():
        return None

    dues = None
    if "due" in cols:
        us, ul = col("due")
        f = _iso_dates(fields, us, ul) or fields.factorize(us, ul)
        if f is None:
            return None
        due_codes, due_first = f
        cache: dict[str, int] = {}
        try:
            ordinals = [
                _due_ordinal(fields.text(int(us[i]), int(us[i] + ul[i])).strip(), cache)
                for i in due_first.tolist()
            ]
        except (ValueError, UnicodeDecodeError):
            return None
        dues = np.asarray(ordinals, dtype=np.int64)[due_codes]

    if "id" in cols:
        ids = _ids_from_bytes(fields, *col("id"))
        if ids is None:
            return None
    else:
        ids = np.arange(2, n + 2, dtype=np.int64).astype(StringDType())
    return Ledger.from_codes(ids, list(index), dcodes, ccodes, amounts, dues, checked=True)


def _ids_from_bytes(fields: _Fields, start, length) -> np.ndarray | None:
    """Ids as a StringDType array if all are present and distinct (after stripping)."""
    values = _unsigned_ints(fields, start, length, 18)
    if values is not None:
        leading_zero = (length > 1) & (fields.buf[start] == 48)
        if not leading_zero.any():  # canonical integers: distinct numbers are distinct texts
            lo, hi = int(values.min()), int(values.max())
            if hi - lo < 8 * values.size:  # dense numbers (line numbers, sequences): count them
                if np.bincount(values - lo).max() > 1:
                    return None
            else:
                s = np.sort(values)
                if (s[1:] == s[:-1]).any():
                    return None
            return values.astype(StringDType())
    try:
        ids = [fields.text(a, a + b).strip() for a, b in zip(start.tolist(), length.tolist(), strict=True)]
    except UnicodeDecodeError:
        return None
    if not all(ids) or len(set(ids)) != len(ids):
        return None
    return np.array(ids, dtype=StringDType())
