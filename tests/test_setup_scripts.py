"""``scripts/venv.sh`` under ``set -euo pipefail`` (as ``./run`` sources it), with a stand-in pip.

A new user's first ``./run`` once died silently because a ``grep`` that matched nothing ended the
pip pipeline. These tests run the real script in a temporary directory whose ``.venv/bin/python``
is a small shell stand-in: pip printing nothing, pip printing a warning, and pip failing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FAKE_PYTHON = """#!/usr/bin/env bash
# Stand-in for .venv/bin/python: `-m pip ...` behaves as FAKE_PIP says; `-c ...` imports succeed.
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then
  case " $* " in *" --version "*) echo "pip 99"; exit 0;; esac
  echo "$*" >> "$(dirname "$0")/../pip-calls"
  case "$FAKE_PIP" in
    silent) exit 0;;
    chatty) echo "WARNING: something is ignored"; exit 0;;
    fail) echo "ERROR: No matching distribution found for Django==0"; exit 1;;
  esac
fi
[ "$1" = "-c" ] && exit "${FAKE_IMPORT_RC:-0}"
exit 0
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "venv.sh", tmp_path / "scripts" / "venv.sh")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    return tmp_path


def ensure(project: Path, fake_pip: str, extras: str = "", **env: str) -> subprocess.CompletedProcess:
    script = f'set -euo pipefail; source scripts/venv.sh; ensure_venv "{extras}"; echo REACHED'
    return subprocess.run(
        ["bash", "-c", script], cwd=project, capture_output=True, text=True, timeout=60,
        env={**os.environ, "FAKE_PIP": fake_pip, **env},
    )


@pytest.mark.parametrize("fake_pip", ["silent", "chatty"])
def test_a_successful_install_reaches_the_next_step_and_writes_the_stamp(project, fake_pip):
    result = ensure(project, fake_pip)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("REACHED")
    stamp = (project / ".venv" / ".liuzhuan-installed").read_text().strip()
    assert len(stamp) == 16  # the pyproject hash, no extras
    # pip's own chatter goes to the log, not the user's terminal
    assert "ignored" not in result.stdout


def test_a_second_call_with_the_same_pyproject_installs_nothing(project):
    assert ensure(project, "silent").returncode == 0
    calls = (project / ".venv" / "pip-calls").read_text()
    again = ensure(project, "fail")  # pip would fail, but it must not be called at all
    assert again.returncode == 0, again.stderr
    assert (project / ".venv" / "pip-calls").read_text() == calls


def test_dev_extras_reinstall_once_and_then_satisfy_plain_runs(project):
    assert ensure(project, "silent").returncode == 0
    assert ensure(project, "silent", "[dev]").returncode == 0
    assert (project / ".venv" / ".liuzhuan-installed").read_text().strip().endswith("[dev]")
    calls = (project / ".venv" / "pip-calls").read_text().count("install")
    assert ensure(project, "fail").returncode == 0
    assert (project / ".venv" / "pip-calls").read_text().count("install") == calls


def test_a_failing_pip_stops_with_one_line_saying_what_to_do_and_no_stamp(project):
    result = ensure(project, "fail")
    assert result.returncode != 0
    assert "REACHED" not in result.stdout
    assert not (project / ".venv" / ".liuzhuan-installed").exists()
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("安装失败") and "pip-install.log" in last
    # the log keeps what pip said, and the tail of it is shown
    assert "No matching distribution" in (project / ".venv" / "pip-install.log").read_text()
    assert "No matching distribution" in result.stderr


def test_an_install_that_cannot_import_its_dependencies_is_not_stamped(project):
    result = ensure(project, "silent", FAKE_IMPORT_RC="1")
    assert result.returncode != 0
    assert not (project / ".venv" / ".liuzhuan-installed").exists()
    assert "删除 .venv" in result.stderr.strip().splitlines()[-1]


def test_the_run_script_reports_a_failed_install_instead_of_dying_silently(project):
    shutil.copy(ROOT / "run", project / "run")
    result = subprocess.run(
        ["bash", "run"], cwd=project, capture_output=True, text=True, timeout=60,
        env={**os.environ, "FAKE_PIP": "fail"},
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1].startswith("安装失败")


@pytest.mark.parametrize("script", ["run", "test", ".ci/run", "scripts/venv.sh"])
def test_shell_scripts_parse(script):
    assert subprocess.run(["bash", "-n", str(ROOT / script)], capture_output=True).returncode == 0
