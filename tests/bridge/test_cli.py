"""``liuzhuan bridge`` CLI: last-line JSON, exit codes, Chinese errors naming the option."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from liuzhuan.bridge import cli

REPO = Path(__file__).resolve().parents[2]


def run(capsys, *argv: str) -> tuple[int, list[str], str, dict | None]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    payload = json.loads(lines[-1]) if lines else None
    return code, lines, err, payload


@pytest.fixture(autouse=True)
def _csv_only(monkeypatch):
    """Deterministic LPR source: the shipped history, even once a database table exists."""
    monkeypatch.setenv(cli.LPR_SOURCE_ENV, "csv")


def test_quote_ten_days_allowed(capsys):
    code, lines, err, data = run(
        capsys,
        "quote",
        "--principal",
        "1,000,015",
        "--draw",
        "2026-03-01",
        "--repay",
        "2026-03-10",
        "--daily-rate",
        "3‱",
    )
    assert code == 0 and err == ""
    assert data["days"] == 10
    assert data["daily_rate"] == "0.0003"
    assert data["fee_fen"] == 300_005  # 300 004.5 fen rounded half-up once
    assert data["cap_daily_rate"] == "0.00033"
    assert data["binding_cap"] == "daily_3.3_per_10k"
    assert data["allowed"] is True and data["reasons"] == []
    assert data["lpr_source"].startswith("shipped")
    assert len(lines) > 1 and "结论：符合规定" in "\n".join(lines[:-1])


def test_quote_eleven_days_refused_exit_2_with_json(capsys):
    code, lines, err, data = run(
        capsys, "quote", "--principal", "1000000", "--draw", "2026-03-01", "--repay", "2026-03-11"
    )
    assert code == 2 and err == ""
    assert data["allowed"] is False and data["days"] == 11
    assert data["reasons"] == ["使用天数 11 天超过 10 天上限（含提款日及还款日，第十条（二））"]
    assert data["daily_rate"] == "0.00033"  # rate omitted → cap
    assert "结论：不予办理" in "\n".join(lines[:-1])
    assert data["fee_fen"] == 363_000


def test_quote_365_basis_cap_from_lpr(capsys):
    code, _, _, data = run(
        capsys,
        "quote",
        "--principal",
        "1000000",
        "--draw",
        "2026-03-01",
        "--repay",
        "2026-03-10",
        "--basis",
        "365",
    )
    assert code == 0
    assert data["binding_cap"] == "4x_lpr"
    assert Fraction(Decimal(data["cap_daily_rate"])) <= Fraction(12, 36500)
    assert data["fee_fen"] == 328_767  # 1,000,000 × 12 % / 365 × 10 = 3 287.67 yuan


def test_quote_rate_above_cap_is_clamped(capsys):
    code, lines, _, data = run(
        capsys,
        "quote",
        "--principal",
        "100000",
        "--draw",
        "2026-03-01",
        "--repay",
        "2026-03-02",
        "--daily-rate",
        "0.0005",
    )
    assert code == 0
    assert data["clamped"] is True and data["daily_rate"] == "0.00033"
    assert data["configured_daily_rate"] == "0.0005"
    assert any("法定利率上限优先执行" in a for a in data["alerts"])
    assert any(line.startswith("提示：") for line in lines[:-1])


def test_quote_amount_limits(capsys):
    code, _, _, data = run(
        capsys,
        "quote",
        "--principal",
        "800000.01",
        "--draw",
        "2026-03-01",
        "--repay",
        "2026-03-10",
        "--due",
        "1000000",
        "--approved",
        "800000",
    )
    assert code == 2
    assert data["max_amount_fen"] == 80_000_000
    assert data["reasons"] == [
        "申请金额 ¥800,000.01 超过银行续贷批复当期审批额度 ¥800,000.00（第十条（三））"
    ]


def test_quote_entrusted_uses_january_lpr(capsys):
    code, _, _, data = run(
        capsys,
        "quote",
        "--principal",
        "1000000",
        "--draw",
        "2024-11-20",
        "--repay",
        "2024-11-29",
        "--mode",
        "entrusted",
    )
    assert code == 0
    assert data["contract_lpr_1y"] == "3.45" and data["lpr_1y"] == "3.10"
    assert data["rate_source"] == "entrusted_jan1_lpr"
    assert data["fee_fen"] == 95_833


def test_quote_entrusted_multiplier(capsys):
    code, _, _, data = run(
        capsys,
        "quote",
        "--principal",
        "1000000",
        "--draw",
        "2026-03-01",
        "--repay",
        "2026-03-10",
        "--mode",
        "entrusted",
        "--multiplier",
        "1.5",
    )
    assert code == 0 and data["daily_rate"] == "0.000125" and data["fee_fen"] == 125_000


def test_quote_repay_before_draw_refused(capsys):
    code, _, _, data = run(
        capsys, "quote", "--principal", "1000", "--draw", "2026-03-05", "--repay", "2026-03-01"
    )
    assert code == 2 and data["allowed"] is False and "早于提款日" in data["reasons"][0]


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("0.0003", "0.0003"), ("3‱", "0.0003"), ("3.0‱", "0.0003"), ("3.3‱", "0.00033"), ("0.03%", "0.0003")],
)
def test_daily_rate_formats(capsys, rate, expected):
    code, _, _, data = run(
        capsys,
        "quote",
        "--principal",
        "1000",
        "--draw",
        "2026-03-01",
        "--repay",
        "2026-03-01",
        "--daily-rate",
        rate,
    )
    assert code == 0 and data["daily_rate"] == expected


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["--principal", "abc", "--draw", "2026-03-01", "--repay", "2026-03-02"], "--principal"),
        (["--principal", "0", "--draw", "2026-03-01", "--repay", "2026-03-02"], "--principal"),
        (["--principal", "1.234", "--draw", "2026-03-01", "--repay", "2026-03-02"], "--principal"),
        (["--principal", "100", "--draw", "2026/13/01", "--repay", "2026-03-02"], "--draw"),
        (["--principal", "100", "--draw", "2026-02-30", "--repay", "2026-03-02"], "--draw"),
        (["--principal", "100", "--draw", "2026-03-01", "--repay", "tomorrow"], "--repay"),
        (["--principal", "100", "--draw", "2026-03-01", "--repay", "2026-03-02", "--mode", "bank"], "--mode"),
        (
            ["--principal", "100", "--draw", "2026-03-01", "--repay", "2026-03-02", "--basis", "366"],
            "--basis",
        ),
        (
            ["--principal", "100", "--draw", "2026-03-01", "--repay", "2026-03-02", "--daily-rate", "abc"],
            "--daily-rate",
        ),
        (
            ["--principal", "100", "--draw", "2026-03-01", "--repay", "2026-03-02", "--daily-rate", "0"],
            "--daily-rate",
        ),
        (["--principal", "100", "--draw", "2026-03-01", "--repay", "2026-03-02", "--due", "-5"], "--due"),
        (
            ["--principal", "100", "--draw", "2026-03-01", "--repay", "2026-03-02", "--multiplier", "2"],
            "--multiplier",
        ),
        (
            [
                "--principal",
                "100",
                "--draw",
                "2026-03-01",
                "--repay",
                "2026-03-02",
                "--mode",
                "entrusted",
                "--multiplier",
                "x",
            ],
            "--multiplier",
        ),
        (
            [
                "--principal",
                "100",
                "--draw",
                "2026-03-01",
                "--repay",
                "2026-03-02",
                "--mode",
                "entrusted",
                "--daily-rate",
                "3‱",
            ],
            "--daily-rate",
        ),
        (["--principal", "100", "--draw", "2019-01-01", "--repay", "2019-01-02"], "--draw"),
        (["--principal", "100", "--draw", "2026-03-01"], "--repay"),
        (["--principal"], "--principal"),
    ],
)
def test_malformed_input_exit_2_one_chinese_line(capsys, argv, option):
    code = cli.main(["quote", *argv])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert option in lines[0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in lines[0])


def test_unknown_and_missing_subcommand(capsys):
    assert cli.main([]) == 2
    assert "子命令" in capsys.readouterr().err
    assert cli.main(["nope"]) == 2
    assert "nope" in capsys.readouterr().err
    assert (
        cli.main(["quote", "--principal", "1", "--draw", "2026-03-01", "--repay", "2026-03-01", "--x"]) == 2
    )
    assert "无法识别" in capsys.readouterr().err


def test_help_exits_zero(capsys):
    assert cli.main(["quote", "-h"]) == 0
    assert "--principal" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("on", "basis", "lpr", "binding"),
    [
        ("2026-03-01", "360", "3.00", "daily_3.3_per_10k"),
        ("2026-03-01", "365", "3.00", "4x_lpr"),
        ("2019-09-01", "360", "4.25", "daily_3.3_per_10k"),
        ("2019-09-01", "365", "4.25", "daily_3.3_per_10k"),
    ],
)
def test_cap_command(capsys, on, basis, lpr, binding):
    code, _, err, data = run(capsys, "cap", "--on", on, "--basis", basis)
    assert code == 0 and err == ""
    assert data["lpr_1y"] == lpr and data["binding"] == binding
    lpr_daily = Fraction(Decimal(lpr)) * 4 / 100 / int(basis)
    assert Fraction(Decimal(data["lpr_4x_daily_rate"])) <= lpr_daily
    assert Fraction(Decimal(data["cap_daily_rate"])) <= min(lpr_daily, Fraction(33, 100_000))
    assert data["fixed_daily_cap"] == "0.00033"


def test_cap_command_errors(capsys):
    assert cli.main(["cap"]) == 2
    assert "--on" in capsys.readouterr().err
    assert cli.main(["cap", "--on", "2019-08-19"]) == 2
    assert "--on" in capsys.readouterr().err


def test_lpr_csv_override(capsys, tmp_path):
    path = tmp_path / "lpr.csv"
    path.write_text("effective_date,lpr_1y_percent,lpr_5y_percent\n2026-01-20,2.50,3.00\n", encoding="utf-8")
    code, _, _, data = run(capsys, "cap", "--on", "2026-03-01", "--lpr-csv", str(path))
    assert code == 0 and data["lpr_1y"] == "2.50" and data["binding"] == "4x_lpr"
    assert data["lpr_source"] == str(path)
    assert cli.main(["cap", "--on", "2026-03-01", "--lpr-csv", str(tmp_path / "none.csv")]) == 2
    assert "--lpr-csv" in capsys.readouterr().err


def test_console_script_subprocess():
    exe = Path(sys.executable).parent / "liuzhuan"
    cmd = [str(exe), "bridge", "quote", "--principal", "1000000", "--draw", "2026-03-01"]
    ok = subprocess.run([*cmd, "--repay", "2026-03-10"], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert ok.returncode == 0, ok.stderr
    data = json.loads(ok.stdout.strip().splitlines()[-1])
    assert data["days"] == 10 and data["allowed"] is True and data["fee_fen"] == 330_000
    refused = subprocess.run(
        [*cmd, "--repay", "2026-03-11"], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert refused.returncode == 2
    data = json.loads(refused.stdout.strip().splitlines()[-1])
    assert data["allowed"] is False and "第十条" in data["reasons"][0]
    bad = subprocess.run([*cmd, "--repay", "soon"], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert bad.returncode == 2 and bad.stdout == "" and "--repay" in bad.stderr


def _cli(*argv: str, **env: str) -> subprocess.CompletedProcess:
    """The console script in a child process with its own environment (its own database)."""
    environ = {k: v for k, v in os.environ.items() if k not in (cli.LPR_SOURCE_ENV, "DATABASE_URL")}
    environ.update(env)
    exe = Path(sys.executable).parent / "liuzhuan"
    return subprocess.run([str(exe), "bridge", *argv], capture_output=True, text=True, cwd=REPO, timeout=120, env=environ)


@pytest.mark.django_db
def test_database_rows_are_used_when_present(monkeypatch, capsys):
    from liuzhuan.bridge.models.fund import LprRate

    monkeypatch.delenv(cli.LPR_SOURCE_ENV)
    LprRate.objects.create(effective_date=dt.date(2026, 10, 20), lpr_1y=Decimal("2.80"), lpr_5y=Decimal("3.30"),
                           note="财政局新增")
    table = cli._table_from_database()
    assert table is not None and table.source == "database:LprRate"
    code, _, _, data = run(capsys, "cap", "--on", "2026-11-01", "--basis", "360")
    assert code == 0 and data["lpr_1y"] == "2.80" and data["lpr_source"] == "database:LprRate"


@pytest.mark.django_db
def test_empty_table_uses_the_shipped_history(monkeypatch):
    from liuzhuan.bridge.models.fund import LprRate

    monkeypatch.delenv(cli.LPR_SOURCE_ENV)
    LprRate.objects.all().delete()
    assert cli._table_from_database() is None
    assert cli.load_table(None).source.startswith("shipped")


def test_database_without_the_table_uses_the_shipped_history(tmp_path):
    """A database never migrated (a fresh checkout) has no LPR table yet: the shipped history."""
    done = _cli("cap", "--on", "2026-03-01", DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
                LIUZHUAN_VAR_DIR=str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["lpr_source"].startswith("shipped")


@pytest.mark.parametrize("url", ["sqlite:///{tmp}/no/such/folder/db.sqlite3", "postgres://postgres@127.0.0.1:1/nothing"])
def test_failing_database_is_an_error_not_a_silent_fallback(tmp_path, url):
    broken = url.format(tmp=tmp_path)
    done = _cli("cap", "--on", "2026-03-01", DATABASE_URL=broken, LIUZHUAN_VAR_DIR=str(tmp_path))
    assert done.returncode == cli.EXIT_FAILED and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "无法读取数据库中的 LPR 表" in lines[0] and cli.LPR_SOURCE_ENV in lines[0]
    # skipping the database on purpose still works
    ok = _cli("cap", "--on", "2026-03-01", DATABASE_URL=broken, LIUZHUAN_VAR_DIR=str(tmp_path), **{cli.LPR_SOURCE_ENV: "csv"})
    assert ok.returncode == 0, ok.stderr
