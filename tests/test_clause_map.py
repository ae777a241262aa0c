"""The clause map (docs/rules/000.md, docs/rules/003.md) names, for each clause of the two policy
texts, the code that enforces it and the test that proves it. This test keeps the map honest: a row
whose dotted code path no longer imports or resolves, or whose test node id names a file or function
that no longer exists, fails here. Test files are parsed with ``ast``, never run or imported.

A row is ``| 条款 | 原文 | 代码 | 测试 | 状态 | 取舍 |``; code and test cells hold backticked items
(several allowed) or "—". Rows being worked on elsewhere carry the status "in progress (issue 19)"
and "—" in both cells.
"""

from __future__ import annotations

import ast
import importlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAP_DIR = ROOT / "docs" / "rules"
SEEDS = ("000", "003")
STATUSES = {"enforced", "partly", "absent", "not software", "in progress (issue 19)"}
EMPTY = "—"
BACKTICKED = re.compile(r"`([^`]+)`")
COLUMNS = 6


@dataclass(frozen=True)
class Row:
    source: str
    line: int
    clause: str
    quote: str
    code: tuple[str, ...]
    tests: tuple[str, ...]
    status: str
    code_cell: str
    test_cell: str


def _items(cell: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in BACKTICKED.findall(cell))


def parse_table(text: str, source: str) -> tuple[list[Row], list[str]]:
    """The rows of every table in ``text`` after its header and separator, and format problems."""
    rows, problems = [], []
    for no, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] in ("条款", "") or set(cells[0]) <= set("-: "):
            continue  # header or separator
        if len(cells) != COLUMNS:
            problems.append(f"{source}:{no}: {len(cells)} cells, expected {COLUMNS}")
            continue
        clause, quote, code_cell, test_cell, status, _choice = cells
        rows.append(Row(source, no, clause, quote, _items(code_cell), _items(test_cell), status, code_cell, test_cell))
    return rows, problems


@cache
def _resolves(dotted: str) -> bool:
    """``a.b.c.name.attr``: the longest importable module prefix, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


@cache
def _test_names(path: Path) -> frozenset[str]:
    """``name`` and ``Class::name`` of the test functions defined in a test file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.update(f"{node.name}::{f.name}" for f in node.body if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef))
    return frozenset(n for n in names if n.rsplit("::", 1)[-1].startswith("test_"))


def _test_exists(node_id: str, root: Path) -> str | None:
    """None when the node id names an existing test function, else why not."""
    file, sep, name = node_id.partition("::")
    if not sep or not name:
        return f"`{node_id}` is not a test node id (file.py::test_name)"
    path = root / file
    if not file.endswith(".py") or not path.is_file():
        return f"test file {file} does not exist"
    name = name.split("[", 1)[0]  # a parametrised id names the function
    if name not in _test_names(path):
        return f"{file} has no test {name}"
    return None


def row_problems(row: Row, root: Path = ROOT) -> list[str]:
    where = f"{row.source}:{row.line} ({row.clause})"
    out = []
    if row.status not in STATUSES:
        out.append(f"{where}: status {row.status!r} is not one of {sorted(STATUSES)}")
    if not row.quote or row.quote == EMPTY:
        out.append(f"{where}: no quotation of the clause")
    for cell, items, kind in ((row.code_cell, row.code, "code"), (row.test_cell, row.tests, "test")):
        if cell != EMPTY and not items:
            out.append(f"{where}: the {kind} cell must hold backticked items or {EMPTY}")
    if row.status == "in progress (issue 19)" and (row.code or row.tests):
        out.append(f"{where}: a row in progress leaves code and test as {EMPTY}")
    if row.status == "enforced" and not (row.code and row.tests):
        out.append(f"{where}: an enforced clause names its code and its test")
    for dotted in row.code:
        if not dotted.startswith("liuzhuan.") or not _resolves(dotted):
            out.append(f"{where}: code path {dotted} does not import or resolve")
    for node_id in row.tests:
        why = _test_exists(node_id, root)
        if why:
            out.append(f"{where}: {why}")
    return out


def load(seed: str) -> tuple[list[Row], list[str]]:
    return parse_table((MAP_DIR / f"{seed}.md").read_text(encoding="utf-8"), f"docs/rules/{seed}.md")


@pytest.mark.parametrize("seed", SEEDS)
def test_every_row_names_code_and_tests_that_exist(seed):
    rows, problems = load(seed)
    assert len(rows) >= 30, f"docs/rules/{seed}.md has only {len(rows)} rows"
    for row in rows:
        problems += row_problems(row)
    assert not problems, "\n".join(problems)


CHINESE_NUMERALS = "一二三四五六七八九十"


def _article(n: int) -> str:
    if n <= 10:
        return f"第{CHINESE_NUMERALS[n - 1]}条"
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_NUMERALS[tens - 1]
    return f"第{head}十{CHINESE_NUMERALS[ones - 1] if ones else ''}条"


def test_every_article_of_the_bridge_rules_has_a_row():
    """The 管理办法 has thirty articles; each appears in the clause column at least once."""
    clauses = " ".join(r.clause for r in load("003")[0])
    missing = [_article(n) for n in range(1, 31) if _article(n) not in clauses]
    assert not missing, missing


def test_every_section_of_the_certificate_plan_has_a_row():
    clauses = " ".join(r.clause for r in load("000")[0])
    sections = ["一", "二（一）", "二（二）", "二（三）", "二（四）", "三（一）", "三（二）", "三（三）", "三（四）", "三（五）", "三（六）",
                "四（一）", "四（二）", "四（三）", "五", "六"]
    missing = [s for s in sections if s not in clauses]
    assert not missing, missing


def test_the_checker_catches_a_stale_row(tmp_path):
    """A row naming a function or a test that is gone is reported; "—" and a parametrised id are fine."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("import pytest\n\n\ndef test_here():\n    pass\n\n\nclass TestK:\n    def test_m(self):\n        pass\n",
                                                  encoding="utf-8")
    text = """| 条款 | 原文 | 代码 | 测试 | 状态 | 取舍 |
|---|---|---|---|---|---|
| 第一条 | 「甲」 | `liuzhuan.bridge.recovery.rules.ban_last_day` | `tests/test_x.py::test_here[a-b]` `tests/test_x.py::TestK::test_m` | enforced | — |
| 第二条 | 「乙」 | `liuzhuan.bridge.recovery.rules.no_such_rule` | `tests/test_x.py::test_gone` | enforced | — |
| 第三条 | 「丙」 | `liuzhuan.no_such_package.f` | `tests/test_y.py::test_here` | partly | — |
| 第四条 | 「丁」 | — | — | in progress (issue 19) | — |
| 第五条 | 「戊」 | `liuzhuan.bridge.recovery.rules.ban_last_day` | — | in progress (issue 19) | — |
| 第六条 | 「己」 | — | — | done | — |
"""
    rows, problems = parse_table(text, "x.md")
    assert not problems and len(rows) == 6
    found = {r.clause: row_problems(r, tmp_path) for r in rows}
    assert found["第一条"] == [] and found["第四条"] == []
    assert any("no_such_rule does not import or resolve" in p for p in found["第二条"])
    assert any("has no test test_gone" in p for p in found["第二条"])
    assert any("no_such_package.f does not import" in p for p in found["第三条"])
    assert any("test_y.py does not exist" in p for p in found["第三条"])
    assert any("in progress leaves code and test" in p for p in found["第五条"])
    assert any("status 'done'" in p for p in found["第六条"])
    assert parse_table("| a | b |\n", "y.md")[1] == ["y.md:1: 2 cells, expected 6"]
