"""The fast netting file paths give exactly what the exact ones do.

* Reading: plain CSVs are read column-wise on their bytes (``reading._read_csv_bytes``); anything
  unusual goes to the exact csv-module reader. On random files — quoted fields, BOM, CRLF, blank
  and short rows, bad amounts, dates and ids, invalid UTF-8 — the public reader must return the
  same ledger as the exact reader, or raise the same error (line, message, code).
* Writing: rows are formatted into byte buffers by compiled code; the files must equal, byte for
  byte, rows written the plain Python way.
* Solving in stages with the allocation sorted ahead (what the CLI does around its forked
  min-cost flow) gives the same result as ``solve``.
"""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liuzhuan.netting import fastcsv, reading, writing
from liuzhuan.netting.reading import InputError, read_obligations
from liuzhuan.netting.solver import NO_DUE, Ledger, NettingOptions, Obligation, prepare, solve

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ----------------------------------------------------------------------------------------------
# Reading
# ----------------------------------------------------------------------------------------------

NAMES = ["A", "B", "C", "甲公司", "乙公司", " A", "A ", "Ωmega", "a,b", 'q"t', "", "　甲公司"]
AMOUNTS = ["1", "12", "12.5", "12.34", "0", "0.00", "-5", "1.005", "abc", " 12", "", "12.", ".5",
           "１２", "1,234.50", "¥12", "99999999999999", "1000000000000.00", "007.50"]
IDS = ["1", "2", "3", "10", "01", "x1", "", " 4", "编号9", "99999999999999999999"]
DUES = ["2026-01-05", "", "2026/1/5", "2026-13-01", " 2026-01-05", "2026-02-30", "2026年3月1日", "x"]


def _exact(path) -> Ledger:
    rows, lines = reading._load(path)
    return reading._read_rows(rows, lines, fen=False)


def _outcome(fn, path):
    try:
        return "ok", fn(path)
    except InputError as exc:
        return "error", (exc.line, exc.message, exc.code)


def _same_ledger(a: Ledger, b: Ledger) -> bool:
    return (
        a.parties == b.parties
        and a.ids.tolist() == b.ids.tolist()
        and all(np.array_equal(getattr(a, f), getattr(b, f)) for f in ("debtor", "creditor", "amount", "due"))
    )


def _cell(v: str) -> str:
    return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\r\n') else v


@st.composite
def csv_files(draw) -> bytes:
    clean = draw(st.booleans())  # mostly well-formed files, so the fast path is exercised
    roles = ["debtor", "creditor", "amount"]
    if draw(st.booleans()):
        roles.insert(0, "id")
    if draw(st.booleans()):
        roles.append("due")
    if draw(st.booleans()):
        roles.append("note")
    roles = draw(st.permutations(roles))
    header = [
        {"debtor": draw(st.sampled_from(["debtor", "债务人", "Debtor"])), "creditor": "creditor",
         "amount": draw(st.sampled_from(["amount", "金额"])), "id": "id", "due": "到期日", "note": "备注"}[r]
        for r in roles
    ]
    n = draw(st.integers(1, 12))
    lines = [",".join(header)]
    for i in range(n):
        cells = []
        d = draw(st.sampled_from(NAMES[:4] if clean else NAMES))
        c = draw(st.sampled_from([x for x in (NAMES[:4] if clean else NAMES) if x != d] or ["B"]))
        for r in roles:
            if r == "debtor":
                cells.append(d)
            elif r == "creditor":
                cells.append(c)
            elif r == "amount":
                cells.append(draw(st.sampled_from(AMOUNTS[:4] if clean else AMOUNTS)))
            elif r == "id":
                cells.append(str(i + 1) if clean else draw(st.sampled_from(IDS)))
            elif r == "due":
                cells.append(draw(st.sampled_from(DUES[:2] if clean else DUES)))
            else:
                cells.append(draw(st.sampled_from(["", "x", "说明"])))
        if not clean and draw(st.integers(0, 9)) == 0:
            cells = cells[:-1]  # a short row
        lines.append(",".join(map(_cell, cells)))
        if not clean and draw(st.integers(0, 9)) == 0:
            lines.append("")  # a blank line
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    text = eol.join(lines) + (eol if draw(st.booleans()) else "")
    data = text.encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if not clean and draw(st.integers(0, 9)) == 0:
        data = data.replace("乙".encode(), b"\xd2\xd2", 1)  # not UTF-8
    if not clean and draw(st.integers(0, 9)) == 0:
        data = data.replace(b"\n", b"\r", 1)  # a stray CR ends a record for the csv module
    return data


@PROPERTY
@given(data=csv_files())
def test_reader_equals_exact_reader(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("r") / "f.csv"
    path.write_bytes(data)
    fast, exact = _outcome(read_obligations, path), _outcome(_exact, path)
    assert fast[0] == exact[0], (fast, exact)
    if fast[0] == "ok":
        assert _same_ledger(fast[1], exact[1])
    else:
        assert fast[1] == exact[1]


def test_clean_files_take_the_fast_path(tmp_path):
    text = "\ufeffid,debtor,creditor,amount,due\r\n7,甲,乙,12.5,2026-03-01\r\n8, 乙 ,甲,3,\r\n9,丙,甲,0.07,2026-01-31\r\n"
    path = tmp_path / "f.csv"
    path.write_text(text, encoding="utf-8")
    fast = reading._read_csv_bytes(path.read_bytes(), False)
    assert fast is not None and _same_ledger(fast, _exact(path))
    assert fast.amount.tolist() == [1250, 300, 7]
    assert fast.parties == ["丙", "乙", "甲"] and fast.ids.tolist() == ["7", "8", "9"]
    assert fast.due.tolist() == [date(2026, 3, 1).toordinal(), NO_DUE, date(2026, 1, 31).toordinal()]
    # without an id column the ids are the line numbers; fen mode takes integers only
    path.write_text("debtor,creditor,amount\nA,B,100\nB,A,250\n", encoding="utf-8")
    fen = reading._read_csv_bytes(path.read_bytes(), True)
    assert fen.ids.tolist() == ["2", "3"] and fen.amount.tolist() == [100, 250]
    assert reading._read_csv_bytes(b"debtor,creditor,amount\nA,B,1.5\n", True) is None


@pytest.mark.parametrize(
    "data",
    [
        b'debtor,creditor,amount\n"A",B,1\n',  # quotes
        b"debtor,creditor,amount\nA,B,1\n\nB,A,1\n",  # blank line
        b"debtor,creditor,amount\nA,B,1\rB,A,1\n",  # lone CR
        b"debtor,creditor,amount\nA,A,1\n",  # self-debt
        b"id,debtor,creditor,amount\n1,A,B,1\n1,B,A,1\n",  # duplicate id
        b"debtor,creditor,amount\nA,B,1,extra\n",  # a longer row
        b"debtor,creditor,amount,due\nA,B,1,2026-02-30\n",  # no such date
    ],
)
def test_unusual_files_go_to_the_exact_reader(data):
    assert reading._read_csv_bytes(data, False) is None


def test_a_long_name_with_short_names_at_the_end_of_the_file(tmp_path):
    # names are compared as 8-byte words: the short fields' later words lie past the file's end
    # (this crashed with an IndexError before the reads were clamped)
    path = tmp_path / "names.csv"
    path.write_text("debtor,creditor,amount\n北京某某科技有限公司某某分公司,B,1\nB,C,1\nC,A,1\n", encoding="utf-8")
    fast = reading._read_csv_bytes(path.read_bytes(), False)
    assert fast is not None and _same_ledger(fast, _exact(path))
    assert fast.parties == ["A", "B", "C", "北京某某科技有限公司某某分公司"]


def test_names_group_by_the_full_hash_when_truncated_hashes_collide(tmp_path, monkeypatch):
    # Names are grouped by one sort of (top hash bits, index); should two names share those bits
    # the byte check fails and the full 64-bit hash groups them instead (same ledger either way).
    path = tmp_path / "names.csv"
    path.write_text("debtor,creditor,amount\n甲,乙,1\n乙,丙,2\n丙,甲,3\n丁,甲,4\n", encoding="utf-8")
    groups = fastcsv._Fields._groups
    calls = []

    def first_fails(words, length, hs, order):
        calls.append(hs.dtype)
        return None if len(calls) == 1 else groups(words, length, hs, order)

    monkeypatch.setattr(fastcsv._Fields, "_groups", staticmethod(first_fails))
    fast = reading._read_csv_bytes(path.read_bytes(), False)
    assert len(calls) == 2 and fast is not None and _same_ledger(fast, _exact(path))


_LONG = "x" * (fastcsv._CSV_FIELD_LIMIT + 1)


@pytest.mark.parametrize("column", range(5))
def test_a_field_over_the_csv_limit_in_any_column_goes_to_the_exact_reader(tmp_path, column):
    # note (first), debtor, creditor, amount, memo (last): read and unread columns alike
    row = ["n", "A", "B", "1", "m"]
    row[column] = ("A" if column == 1 else "B" if column == 2 else "") + _LONG[1 if column in (1, 2) else 0:]
    path = tmp_path / "long.csv"
    path.write_text("note,debtor,creditor,amount,memo\n" + ",".join(row) + "\nB,A,C,2,m\n", encoding="utf-8")
    assert reading._read_csv_bytes(path.read_bytes(), False) is None
    assert _outcome(read_obligations, path) == _outcome(_exact, path)
    # one byte shorter is within the limit: the fast path reads it, as the exact reader does
    path.write_text(path.read_text(encoding="utf-8").replace("x" * 1000, "x" * 999, 1), encoding="utf-8")
    fast = reading._read_csv_bytes(path.read_bytes(), False)
    assert fast is not None and _same_ledger(fast, _exact(path)) if column != 3 else fast is None


def test_ids_equal_as_numbers_stay_distinct(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("id,debtor,creditor,amount\n01,A,B,1\n1,B,A,2\n", encoding="utf-8")
    assert read_obligations(path).ids.tolist() == ["01", "1"]


# ----------------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------------


def _money(v: int, fen: bool) -> str:
    return str(v) if fen else f"{v // 100}.{v % 100:02d}"


def _plain_setoffs(result, fen: bool) -> bytes:
    led = result.ledger
    unit = "fen" if fen else "yuan"
    rows = [f"id,debtor,creditor,amount_{unit},due,setoff_{unit},paid_{unit},remaining_{unit}"]
    for i in range(len(led)):
        d = int(led.due[i])
        rows.append(",".join([
            _cell(str(led.ids[i])), _cell(led.parties[int(led.debtor[i])]), _cell(led.parties[int(led.creditor[i])]),
            _money(int(led.amount[i]), fen), "" if d == NO_DUE else date.fromordinal(d).isoformat(),
            _money(int(result.setoff[i]), fen), _money(int(result.paid[i]), fen), _money(int(result.remaining[i]), fen),
        ]))
    return ("\n".join(rows) + "\n").encode()


def _plain_loops(result, fen: bool) -> bytes:
    led = result.ledger
    unit = "fen" if fen else "yuan"
    rows = [f"loop,kind,step,debtor,creditor,obligation_id,amount_{unit},loop_amount_{unit}"]
    for no, loop in enumerate(result.loops, start=1):
        for step, leg in enumerate(loop.legs, start=1):
            for obl, amount in leg.parts:
                rows.append(",".join([
                    str(no), loop.kind, str(step), _cell(leg.debtor), _cell(leg.creditor), _cell(str(led.ids[obl])),
                    _money(amount, fen), _money(loop.amount, fen),
                ]))
    return ("\n".join(rows) + "\n").encode()


OBL_NAMES = ["甲公司", "乙公司", "丙公司", "a,b", 'say "x"', "line\nbreak", "Ωmega"]


@st.composite
def results(draw):
    k = draw(st.integers(2, len(OBL_NAMES)))
    names = OBL_NAMES[:k]
    id_style = draw(st.sampled_from(["int", "padded", "text"]))
    out = []
    for i in range(draw(st.integers(0, 30))):
        d = draw(st.sampled_from(names))
        c = draw(st.sampled_from([x for x in names if x != d]))
        oid = {"int": str(i * 7 + 1), "padded": f"{i:03d}", "text": f"单,{i}"}[id_style]
        due = draw(st.one_of(st.none(), st.integers(0, 400).map(lambda x: date.fromordinal(739_000 + x))))
        out.append(Obligation(oid, d, c, draw(st.integers(1, 10**9)), due))
    debtors = sorted({o.debtor for o in out})
    liquidity = {debtors[0]: draw(st.integers(0, 10**8))} if debtors and draw(st.booleans()) else {}
    return solve(out, NettingOptions(liquidity=liquidity))


@PROPERTY
@given(result=results(), fen=st.booleans(), chunk=st.sampled_from([1, 3, 1 << 17]))
def test_writers_equal_plain_rows(result, fen, chunk):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(writing, "_ROWS_PER_CHUNK", chunk)  # several chunks: the threaded path
        _check_writers(result, fen)


def _check_writers(result, fen: bool) -> None:
    fh = io.BytesIO()
    writing.write_setoffs(fh, result, fen=fen)
    assert fh.getvalue() == _plain_setoffs(result, fen)
    fh = io.BytesIO()
    writing.write_loops(fh, result, fen=fen)
    assert fh.getvalue() == _plain_loops(result, fen)
    # two slices written one after the other make the same file
    n = writing.loop_rows(result.loops)
    head, tail = io.BytesIO(), io.BytesIO()
    writing.write_loops(head, result, fen=fen, rows=range(n // 2))
    writing.write_loops(tail, result, fen=fen, rows=range(n // 2, n), header=False)
    assert head.getvalue() + tail.getvalue() == fh.getvalue()


# ----------------------------------------------------------------------------------------------
# Solving in stages
# ----------------------------------------------------------------------------------------------


@PROPERTY
@given(
    rows=st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(1, 500), st.sampled_from(["n", "t", "z"])),
        max_size=40,
    )
)
def test_allocation_sorted_ahead_gives_the_same_result(rows):
    obls = [
        Obligation({"n": str(i * 13 % 41 + 1), "t": f"k{i}", "z": f"{i:02d}"}[s] + ("" if s == "n" else f"-{i}"),
                   f"P{d}", f"P{c}", a)
        for i, (d, c, a, s) in enumerate(rows)
        if d != c
    ]
    reference = solve(obls)
    problem = prepare(obls)
    problem.prepare_allocation()
    staged = problem.finish(problem.circulation())
    assert staged.cleared.tolist() == reference.cleared.tolist()
    assert list(staged.loops) == list(reference.loops)


def test_allocation_sorted_ahead_on_parallel_numeric_ids_and_not_on_mixed_ones():
    rows = [("10", "A", "B", 50, None), ("9", "A", "B", 50, None), ("11", "B", "C", 70, date(2026, 1, 2)),
            ("2", "B", "C", 70, date(2026, 1, 1)), ("3", "C", "A", 60, None)]
    obls = [Obligation(*r) for r in rows]
    problem = prepare(obls)
    problem.prepare_allocation()
    assert problem._order_all is not None  # every id numeric: sorted ahead
    staged = problem.finish(problem.circulation())
    assert staged.cleared.tolist() == solve(obls).cleared.tolist() == [10, 50, 0, 60, 60]  # "9" before "10"
    # "10" < "9" by code point: one text id among parallel obligations changes the order, so wait
    problem = prepare([*obls, Obligation("x", "A", "B", 5)])
    problem.prepare_allocation()
    assert problem._order_all is None


@PROPERTY
@given(data=st.data())
def test_cut_legs_equals_the_searchsorted_cut_per_pair(data):
    from liuzhuan.netting.solver.walk import cut_legs

    def partition(total: int) -> list[int]:
        ends = [*sorted(data.draw(st.sets(st.integers(1, total - 1), max_size=6)) if total > 1 else []), total]
        return np.diff(ends, prepend=0).tolist()

    n_pairs = data.draw(st.integers(1, 5))
    totals = [data.draw(st.integers(1, 60)) for _ in range(n_pairs)]
    obl_amount = [partition(t) for t in totals]
    legs = [(p, a) for p in range(n_pairs) for a in partition(totals[p])]
    legs = data.draw(st.permutations(legs))  # loop order interleaves the pairs; each pair's own order is kept
    leg_pair = np.asarray([p for p, _ in legs], dtype=np.int64)
    leg_amount = np.asarray([a for _, a in legs], dtype=np.int64)
    pair_ptr = np.cumsum([0, *map(len, obl_amount)]).astype(np.int64)
    obl = np.arange(int(pair_ptr[-1]), dtype=np.int64)[::-1].copy()  # any obligation numbers
    amounts = np.asarray([a for per in obl_amount for a in per], dtype=np.int64)
    part_ptr, part_obl, part_amt = cut_legs(leg_pair, leg_amount, pair_ptr, obl, amounts)
    for p in range(n_pairs):  # the former cut: the union of both sets of breakpoints, pair by pair
        mine = np.flatnonzero(leg_pair == p)
        leg_end = np.cumsum(leg_amount[mine])
        obl_end = np.cumsum(obl_amount[p])
        bps = np.unique(np.concatenate([leg_end, obl_end]))
        at_leg = np.searchsorted(leg_end, bps)
        at_obl = np.searchsorted(obl_end, bps)
        got = [(int(i), int(part_obl[k]), int(part_amt[k])) for i in mine for k in range(part_ptr[i], part_ptr[i + 1])]
        want = [(int(mine[a]), int(obl[pair_ptr[p] + b]), int(x))
                for a, b, x in zip(at_leg, at_obl, np.diff(bps, prepend=0), strict=True)]
        assert got == want
    # legs that need more than their pair's obligations hold: reported, not cut
    assert cut_legs(leg_pair, leg_amount + 1, pair_ptr, obl, amounts)[0].size == 0
