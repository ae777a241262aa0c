"""The house rules a newcomer relies on (docs/design/package-map.md).

The dependency directions are import-linter contracts in pyproject.toml; ./test runs them before
pytest, and this test runs them again so a plain ``pytest`` catches a broken rule too. No module
outside migrations grows past what a reader takes in at once.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "liuzhuan"
MAX_LINES = 650  # "about 600": a module past this is two subjects waiting to be split


def test_no_module_outside_migrations_is_over_the_size_limit():
    too_long = {
        str(path.relative_to(SRC)): n
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}, f"split these by subject: {too_long}"


def test_import_contracts_are_kept():
    exe = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(exe), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "BROKEN" not in result.stdout, result.stdout[-4000:]
    assert result.stdout.count(" KEPT") >= 6  # every contract in pyproject.toml was read and checked
