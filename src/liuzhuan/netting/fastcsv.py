"""The fast path for plain CSV files: columns read straight off the bytes with NumPy, no Python
object per row. Anything unusual (quotes, NUL, mixed line ends, ragged rows) returns None and the
exact csv-module reader in reading.py runs instead, so messages and line numbers come from there."""

from __future__ import annotations

import numpy as np
from numpy.dtypes import StringDType

from liuzhuan.core.money import DEFAULT_CEILING_FEN, INT64_MAX

from .columns import InputError, _due_ordinal, _map_header
from .solver import Ledger

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
        last = self.words.size - 1
        for w in range(n_words):
            at = start + 8 * w
            if w:  # a shorter field's later words lie past its end, maybe past the file: masked anyway
                np.minimum(at, last, out=at)
            v = self.words[at]
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
        bits = max(1, (h.size - 1).bit_length())
        if bits <= 24:
            # Sort values, not indices: the hash's top 64 − bits bits with the field's index below
            # them, one SIMD sort (≈ 0.02 s for 2M values against 0.13 s for an argsort).
            # Truncated hashes that collide only fail the check below; the full hash decides then.
            low = np.uint64((1 << bits) - 1)
            packed = np.sort((h & ~low) | np.arange(h.size, dtype=np.uint64))
            grouped = self._groups(words, length, packed & ~low, (packed & low).astype(np.int64))
            if grouped is not None:
                return grouped
        order = np.argsort(h)
        return self._groups(words, length, h[order], order)

    @staticmethod
    def _groups(words, length, hs, order) -> tuple[np.ndarray, np.ndarray] | None:
        """Codes from sorted hashes ``hs`` of the fields ``order``; None unless every field of a
        group equals the group's first byte for byte."""
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


_ZEROS = np.uint64(0x3030303030303030)  # "00000000"
_HIGH_NIBBLES = np.uint64(0xF0F0F0F0F0F0F0F0)
# the low n bytes of "00000000": left padding for a field of 8 - n digits
_PAD = np.array([int(_ZEROS) & ((1 << (8 * k)) - 1) for k in range(9)], dtype=np.uint64)[::-1].copy()


def _eight_digits(fields: _Fields, at: np.ndarray, n: np.ndarray) -> np.ndarray | None:
    """The ``n`` (0..8) ASCII digits at ``at`` as numbers, eight at a time in one 64-bit word
    (SWAR, as simdjson parses eight digits); None if any of them is not a digit."""
    word = fields.words[at] & _WORD_MASKS[n]
    x = (word << ((8 - n) * 8).astype(np.uint64)) | _PAD[n]  # right-aligned, zeros in front
    if not (((x & _HIGH_NIBBLES) == _ZEROS).all()
            and (((x + np.uint64(0x0606060606060606)) & _HIGH_NIBBLES) == _ZEROS).all()):
        return None
    v = ((x & np.uint64(0x0F0F0F0F0F0F0F0F)) * np.uint64(2561)) >> np.uint64(8)
    v = ((v & np.uint64(0x00FF00FF00FF00FF)) * np.uint64(6553601)) >> np.uint64(16)
    return ((v & np.uint64(0x0000FFFF0000FFFF)) * np.uint64(42949672960001)) >> np.uint64(32)


def _unsigned_ints(fields: _Fields, start, length, max_digits: int) -> np.ndarray | None:
    """ASCII digit fields (1..max_digits ≤ 18 digits) as int64, or None."""
    if length.size == 0:
        return np.zeros(0, dtype=np.int64)
    if length.min() < 1 or length.max() > max_digits:
        return None
    value = np.zeros(length.size, dtype=np.uint64)
    rest = length.astype(np.int64)  # digits not read yet, in front of those read
    scale = 1
    for _ in range((int(length.max()) + 7) // 8):  # the last eight digits first
        n = np.minimum(rest, 8)
        rest = rest - n
        part = _eight_digits(fields, start + rest, n)
        if part is None:
            return None
        value += part * np.uint64(scale)
        scale *= 10**8
    return value.astype(np.int64)


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


def _read_csv_bytes(data: bytes, fen: bool, on_parsed=None) -> Ledger | None:
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
    crlf = b"\r" in data
    if crlf and not (data.count(b"\r") == n_lf == data.count(b"\r\n")):
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
    elif (buf[head_end:] == 44).any():
        return None
    table = [line_start, commas if k else None, line_end]

    def field(i: int) -> tuple[np.ndarray, np.ndarray]:
        """Start and length of every field of column ``i`` (computed for the columns read only)."""
        start = table[0] if i == 0 else table[1][:, i - 1] + 1
        end = table[2] if i == k else table[1][:, i]
        return start, end - start

    def col(role: str) -> tuple[np.ndarray, np.ndarray]:
        return field(cols[role])

    if int((line_end - line_start).max()) > _CSV_FIELD_LIMIT:  # then some field might be too
        if any(int(field(i)[1].max()) > _CSV_FIELD_LIMIT for i in range(k + 1)):
            return None
    if len(header) > len(cols):
        try:  # columns we do not read must still be valid UTF-8, as for the exact reader
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None

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
    # Decode the distinct names in one go: their bytes joined by newlines (which no field holds).
    first_start = all_starts[first].tolist()
    first_end = (all_starts[first] + all_lengths[first]).tolist()
    try:
        texts = b"\n".join([data[a:b] for a, b in zip(first_start, first_end, strict=True)]).decode("utf-8")
    except UnicodeDecodeError:
        return None
    stripped = [text.strip() for text in texts.split("\n")]
    if not all(stripped):
        return None
    index = {name: i for i, name in enumerate(dict.fromkeys(stripped))}  # equal once stripped: one code
    remap = np.array([index[name] for name in stripped], dtype=np.int64)
    codes = remap[raw_codes]
    dcodes, ccodes = codes[:n], codes[n:]
    if (dcodes == ccodes).any():
        return None
    # Only the id and due columns are read from here on: drop the field table (≈ 200 MB at 1M
    # rows) before a forked child (on_parsed) would keep it alive for its whole solve.
    later = {role: (col(role)[0].copy(), col(role)[1].copy()) for role in ("due", "id") if role in cols}
    table.clear()
    del line_start, line_end, nls, all_starts, all_lengths, ds, dl, cs, cl, raw_codes
    if k:
        del commas
    if on_parsed is not None:  # the ledger's flow network is known; ids and due dates come next
        on_parsed(list(index), dcodes, ccodes, amounts)

    dues = None
    if "due" in cols:
        us, ul = later["due"]
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
        ids = _ids_from_bytes(fields, *later["id"])
        if ids is None:
            return None
    else:
        ids = np.arange(2, n + 2, dtype=np.int64).astype(StringDType())
    return Ledger.from_codes(ids, list(index), dcodes, ccodes, amounts, dues, checked=True, compact=False)


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
