"""``liuzhuan netting solve``: fixtures, output files, options and every kind of bad input."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from liuzhuan.netting.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "netting"
LIUZHUAN = str(Path(sys.executable).with_name("liuzhuan"))


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *args) -> dict:
    code, out, err = run(capsys, "solve", *args, "--json")
    assert code == 0, err
    return json.loads(out.strip().splitlines()[-1])


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def yuan_to_fen(text: str) -> int:
    whole, _, frac = text.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


# ----------------------------------------------------------------------------------------------
# Fixtures from the seed
# ----------------------------------------------------------------------------------------------


def test_micro_fixture(capsys):
    data = run_json(capsys, FIXTURES / "micro.csv")
    assert data["cleared_fen"] == 300_00
    assert data["total_fen"] == 500_00
    assert data["remaining_fen"] == 200_00
    assert data["nid_fen"] == 100_00
    assert data["obligations"] == 4 and data["firms"] == 4 and data["loops"] == 1
    assert isinstance(data["seconds"], float)


def test_blog_fixture(capsys):
    data = run_json(capsys, FIXTURES / "blog.csv")
    assert (data["cleared_fen"], data["total_fen"]) == (570_00, 640_00)
    assert data["remaining_fen"] == data["nid_fen"] == 70_00
    assert data["firms"] == 5
    for key in ("obligations", "firms", "total_fen", "cleared_fen", "remaining_fen", "nid_fen", "loops"):
        assert type(data[key]) is int


def test_human_summary_in_chinese(capsys):
    code, out, err = run(capsys, "solve", FIXTURES / "blog.csv")
    assert code == 0 and err == ""
    assert "可清偿金额" in out and "¥570.00" in out and "89.06%" in out
    assert "净内部债务" in out and "¥70.00" in out


def test_console_script_subprocess(tmp_path):
    out = tmp_path / "s.csv"
    proc = subprocess.run(
        [LIUZHUAN, "netting", "solve", str(FIXTURES / "micro.csv"), "--json", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1])["cleared_fen"] == 30000
    assert out.exists()
    bad = write(tmp_path / "bad.csv", "debtor,creditor,amount\nA,B,-1\n")
    proc = subprocess.run(
        [LIUZHUAN, "netting", "solve", str(bad)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "第 2 行" in proc.stderr


# ----------------------------------------------------------------------------------------------
# Output files
# ----------------------------------------------------------------------------------------------


def check_files(setoffs: Path, loops: Path, unit: str = "yuan") -> tuple[list[dict], list[dict]]:
    conv = yuan_to_fen if unit == "yuan" else int
    rows = read_csv(setoffs)
    loop_rows = read_csv(loops)
    by_id = {r["id"]: r for r in rows}
    from_loops: dict[str, int] = defaultdict(int)
    legs: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in loop_rows:
        from_loops[r["obligation_id"]] += conv(r[f"amount_{unit}"])
        legs[(r["loop"], r["step"])].append(r)
        o = by_id[r["obligation_id"]]
        assert (o["debtor"], o["creditor"]) == (r["debtor"], r["creditor"])
    for r in rows:
        amount, setoff, paid, remaining = (
            conv(r[f"{k}_{unit}"]) for k in ("amount", "setoff", "paid", "remaining")
        )
        assert setoff + paid + remaining == amount
        assert from_loops.get(r["id"], 0) == setoff + paid
    for parts in legs.values():
        assert sum(conv(p[f"amount_{unit}"]) for p in parts) == conv(parts[0][f"loop_amount_{unit}"])
    return rows, loop_rows


def test_out_and_loops_files(tmp_path, capsys):
    out, loops = tmp_path / "setoffs.csv", tmp_path / "loops.csv"
    data = run_json(capsys, FIXTURES / "blog.csv", "--out", out, "--loops", loops)
    rows, loop_rows = check_files(out, loops)
    assert [r["id"] for r in rows] == [str(i) for i in range(2, 9)]  # no id column: file line numbers
    assert sum(yuan_to_fen(r["setoff_yuan"]) for r in rows) == data["cleared_fen"]
    assert len({r["loop"] for r in loop_rows}) == data["loops"] == 3
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loops.csv", "setoffs.csv"]


def test_fen_mode(tmp_path, capsys):
    f = write(tmp_path / "fen.csv", "id,debtor,creditor,amount\na,甲,乙,101\nb,乙,丙,102\nc,丙,甲,103\n")
    out, loops = tmp_path / "o.csv", tmp_path / "l.csv"
    data = run_json(capsys, f, "--fen", "--out", out, "--loops", loops)
    assert data["cleared_fen"] == 303 and data["remaining_fen"] == 3
    rows, _ = check_files(out, loops, unit="fen")
    assert rows[2]["remaining_fen"] == "2"


def test_chinese_headers_bom_and_due(tmp_path, capsys):
    text = '\ufeff编号,债务人,债权人,金额,到期日\n1,甲公司,乙公司,"1,000.50",2026-03-01\n2,乙公司,甲公司,￥800,2026/02/01\n'
    f = write(tmp_path / "zh.csv", text)
    data = run_json(capsys, f)
    assert data["cleared_fen"] == 1600_00 and data["firms"] == 2


def test_names_needing_quotes_round_trip(tmp_path, capsys):
    text = 'id,debtor,creditor,amount\n"a,1","Foo, Inc.","Bar ""X""",10\nb,"Bar ""X""",Baz,10\nc,Baz,"Foo, Inc.",10\n'
    f = write(tmp_path / "q.csv", text)
    out, loops = tmp_path / "o.csv", tmp_path / "l.csv"
    assert run_json(capsys, f, "--out", out, "--loops", loops)["cleared_fen"] == 3000
    rows, loop_rows = check_files(out, loops)
    assert rows[0]["id"] == "a,1" and rows[0]["debtor"] == "Foo, Inc." and rows[0]["creditor"] == 'Bar "X"'
    assert {r["debtor"] for r in loop_rows} == {"Foo, Inc.", 'Bar "X"', "Baz"}


def test_xlsx_input(tmp_path, capsys):
    openpyxl = pytest.importorskip("openpyxl")
    from datetime import datetime

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["债务人", "债权人", "金额", "到期日"])
    ws.append(["甲", "乙", 100.5, datetime(2026, 1, 1)])
    ws.append(["乙", "丙", 100, None])
    ws.append(["丙", "甲", "100.50", None])
    ws.append([None, None, None, None])
    path = tmp_path / "in.xlsx"
    wb.save(path)
    data = run_json(capsys, path)
    assert data["cleared_fen"] == 3 * 100_00 and data["total_fen"] == 301_00
    ws.append(["甲", "乙", 1.234, None])
    wb.save(path)
    code, _out, err = run(capsys, "solve", path)
    assert code == 2 and "第 6 行" in err and "两位小数" in err


def test_two_processes_give_identical_files(tmp_path, capsys):
    import random

    rnd = random.Random(11)
    lines = ["id,debtor,creditor,amount,due"]
    for i in range(2_000):
        d, c = rnd.sample(range(60), 2)
        lines.append(f"{i},企业{d},企业{c},{rnd.randint(1, 10**6) / 100:.2f},2026-0{rnd.randint(1, 9)}-01")
    f = write(tmp_path / "r.csv", "\n".join(lines) + "\n")
    results = []
    for jobs in ("1", "2"):
        out, loops = tmp_path / f"o{jobs}.csv", tmp_path / f"l{jobs}.csv"
        data = run_json(capsys, f, "--out", out, "--loops", loops, "--jobs", jobs)
        data.pop("seconds")
        data.pop("phases")
        results.append((data, out.read_bytes(), loops.read_bytes()))
        check_files(out, loops)
    assert results[0] == results[1]
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".tmp", ".part")]


# ----------------------------------------------------------------------------------------------
# Options
# ----------------------------------------------------------------------------------------------


def test_exclude_cap_min_loop(tmp_path, capsys):
    blog = FIXTURES / "blog.csv"
    assert run_json(capsys, blog, "--exclude", "Alice")["cleared_fen"] == 21000
    assert run_json(capsys, blog, "--cap", "Eve=100")["cleared_fen"] == 50000
    caps = write(tmp_path / "caps.csv", "参与方,金额\nEve,100\n")
    assert run_json(capsys, blog, "--caps", caps)["cleared_fen"] == 50000
    data = run_json(capsys, blog, "--min-loop", "50")
    assert data["cleared_fen"] == 42000 and data["loops"] == 2  # the 30-yuan five-party loop is dropped


def test_liquidity_options(tmp_path, capsys):
    micro = FIXTURES / "micro.csv"
    data = run_json(capsys, micro, "--cash", "40=1000")
    assert data["cleared_fen"] == 500_00 and data["liquidity_used_fen"] == 100_00
    assert data["cleared_per_yuan"] == 2.0 and data["chains"] == 1
    liq = write(tmp_path / "liq.csv", "party,amount\n40,50\n")
    out, loops = tmp_path / "o.csv", tmp_path / "l.csv"
    data = run_json(capsys, micro, "--liquidity", liq, "--out", out, "--loops", loops)
    assert data["liquidity_used_fen"] == 50_00 and data["cleared_fen"] == 400_00
    _rows, loop_rows = check_files(out, loops)
    assert {r["kind"] for r in loop_rows} == {"multilateral", "chain"}
    code, out_text, _ = run(capsys, "solve", micro, "--cash", "40=1000")
    assert code == 0 and "实际动用资金" in out_text and "每元资金多清偿" in out_text


# ----------------------------------------------------------------------------------------------
# Bad input: exit 2, one line on stderr naming the line and the problem, nothing written
# ----------------------------------------------------------------------------------------------

BAD_CASES = [
    ("debtor,creditor\nA,B\n", 1, "缺少必需的列"),
    ("\n\ndebtor,creditor\nA,B\n", 3, "缺少必需的列"),  # the header's own line, not line 1
    ("debtor,creditor,amount\nA,B,\n", 2, "金额为空"),
    ("debtor,creditor,amount\nA,B,10\nB,A,0\n", 3, "大于零"),
    ("debtor,creditor,amount\nA,B,-5\n", 2, "负数"),
    ("debtor,creditor,amount\nA,B,1.005\n", 2, "两位小数"),
    ("debtor,creditor,amount\nA,B,abc\n", 2, "不是有效的数字"),
    ("debtor,creditor,amount\nA,B,10\nA,A,10\n", 3, "债务人与债权人相同"),
    ("id,debtor,creditor,amount\n1,A,B,10\n2,B,C,10\n1,C,A,10\n", 4, "编号“1”重复（与第 2 行相同）"),
    ("debtor,creditor,amount\n,B,10\n", 2, "债务人为空"),
    ("debtor,creditor,amount\nA,,10\n", 2, "债权人为空"),
    ("debtor,creditor,amount,due\nA,B,10,2026-13-01\n", 2, "到期日"),
    ("", 1, "文件为空"),
    ("debtor,creditor,amount\nA,B,10\n\nB,A,1.234\n", 4, "两位小数"),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD_CASES)
def test_bad_input(tmp_path, capsys, text, line, message):
    f = write(tmp_path / "bad.csv", text)
    out, loops = tmp_path / "out.csv", tmp_path / "loops.csv"
    code, stdout, err = run(capsys, "solve", f, "--json", "--out", out, "--loops", loops)
    assert code == 2
    assert stdout == ""
    assert len(err.strip().splitlines()) == 1, err
    assert f"第 {line} 行" in err and message in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"], "nothing half-written"


def test_sum_beyond_int64(tmp_path, capsys):
    # 92,234 amounts of one trillion yuan (the per-amount ceiling) exceed 2^63 − 1 fen.
    rows = 92_234
    f = tmp_path / "huge.csv"
    f.write_text("debtor,creditor,amount\n" + "A,B,1000000000000\n" * rows, encoding="utf-8")
    code, _out, err = run(capsys, "solve", f, "--json")
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert f"第 {rows + 1} 行" in err and "64 位" in err


def test_failure_keeps_existing_output(tmp_path, capsys):
    out = write(tmp_path / "out.csv", "old content\n")
    bad = write(tmp_path / "bad.csv", "debtor,creditor,amount\nA,B,x\n")
    code, _, _ = run(capsys, "solve", bad, "--out", out)
    assert code == 2 and out.read_text() == "old content\n"
    # An unwritable target: the run fails, the earlier output is untouched, no temp files remain.
    code, _, err = run(
        capsys, "solve", FIXTURES / "micro.csv", "--out", out, "--loops", tmp_path / "no" / "l.csv"
    )
    assert code == 2 and len(err.strip().splitlines()) == 1 and "无法写出" in err
    assert out.read_text() == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "out.csv"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["solve"], "缺少参数"),
        (["solve", "x.csv", "--bogus"], "无法识别的参数"),
        (["solve", "/nonexistent/x.csv"], "不存在"),
        (["solve", str(FIXTURES / "blog.csv"), "--exclude", "Zed"], "没有参与方“Zed”"),
        (["solve", str(FIXTURES / "blog.csv"), "--cap", "Eve"], "名称=金额"),
        (["solve", str(FIXTURES / "blog.csv"), "--cap", "Eve=-1"], "负数"),
        (["solve", str(FIXTURES / "blog.csv"), "--min-loop", "0.001"], "两位小数"),
    ],
)
def test_bad_arguments(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err, err


def test_bad_liquidity_file_names_that_file(tmp_path, capsys):
    liq = write(tmp_path / "liq.csv", "party,amount\n40,10\n30,abc\n")
    code, _out, err = run(capsys, "solve", FIXTURES / "micro.csv", "--liquidity", liq)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"{liq} 第 3 行" in err and "micro.csv" not in err
    caps = write(tmp_path / "caps.csv", "name\nEve\n")
    code, _out, err = run(capsys, "solve", FIXTURES / "blog.csv", "--caps", caps)
    assert code == 2 and f"{caps} 第 1 行" in err and "缺少必需的列" in err


def test_help(capsys):
    assert main(["solve", "--help"]) == 0
    assert "债务清单" in capsys.readouterr().out


def test_not_utf8_names_the_line(tmp_path, capsys):
    f = tmp_path / "gbk.csv"
    f.write_bytes(b"debtor,creditor,amount\nA,B,1\nA,B,2\n" + "甲,乙,3\n".encode("gbk"))
    code, _out, err = run(capsys, "solve", f)
    assert code == 2 and "第 4 行" in err and "UTF-8" in err and len(err.strip().splitlines()) == 1


def test_multiline_quoted_field_line_numbers(tmp_path, capsys):
    f = write(tmp_path / "m.csv", 'debtor,creditor,amount\n"A\nCo",B,1\nB,"A\nCo",1\nB,C,0\n')
    code, _out, err = run(capsys, "solve", f)
    assert code == 2 and "第 6 行" in err
    f = write(tmp_path / "m.csv", 'debtor,creditor,amount\n"A\nCo",B,1\nB,"A\nCo",1\n')
    assert run_json(capsys, f)["cleared_fen"] == 200


def test_min_parties_option(tmp_path, capsys):
    f = write(tmp_path / "o.csv", "debtor,creditor,amount\nA,B,100\nB,A,100\nC,D,50\nD,E,50\nE,C,50\n")
    assert run_json(capsys, f)["cleared_fen"] == 350_00
    assert run_json(capsys, f, "--min-parties", "3")["cleared_fen"] == 150_00
    code, _out, err = run(capsys, "solve", f, "--min-parties", "1")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "最少参与方" in err


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_errors_with_either_number_of_processes(tmp_path, capsys, jobs):
    # --jobs 2 forks before the aggregation: a bad option fails in the parent, which ends the child.
    code, out, err = run(capsys, "solve", FIXTURES / "blog.csv", "--exclude", "Zed", "--jobs", jobs)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "没有参与方“Zed”" in err
    # The set-off file is written by a thread during the walk: its failure is reported the same way
    # and the loop file is not left behind.
    loops = tmp_path / "l.csv"
    code, out, err = run(
        capsys, "solve", FIXTURES / "blog.csv", "--out", tmp_path / "no" / "o.csv", "--loops", loops, "--jobs", jobs
    )
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "无法写出" in err
    assert list(tmp_path.iterdir()) == []


def test_two_processes_when_the_exact_reader_reads(tmp_path, capsys):
    # --jobs 2 forks the flow while the fast reader reads ids and due dates; a file that then
    # needs the exact reader withdraws that child (no process is left behind) and reports as usual.
    import os

    dup = write(tmp_path / "dup.csv", "id,debtor,creditor,amount\n1,A,B,10\n2,B,A,10\n1,B,C,5\n")
    code, out, err = run(capsys, "solve", dup, "--jobs", "2")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "第 4 行" in err, err
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
    quoted = write(tmp_path / "q.csv", 'debtor,creditor,amount\n"A, Ltd",B,10\nB,"A, Ltd",7.5\n')
    assert run_json(capsys, quoted, "--jobs", "2")["cleared_fen"] == 1500
    assert run_json(capsys, quoted, "--jobs", "1")["cleared_fen"] == 1500
