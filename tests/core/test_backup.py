"""``liuzhuan backup`` / ``restore``: a copy that passes its checks, a restore that brings the data
back and verifies, and refusals that change nothing (issue 17, operations)."""

from __future__ import annotations

import json
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from liuzhuan.core.integrity import run_all
from liuzhuan.members.models import Organisation

from ..conftest import is_postgres

pytestmark = pytest.mark.django_db(transaction=True)


def _backup(tmp_path, capsys, *extra):
    call_command("backup", "--to", str(tmp_path), *extra)
    out = capsys.readouterr().out
    assert "备份完成" in out
    files = sorted(p for p in tmp_path.iterdir() if p.suffix in (".sqlite3", ".pgdump"))
    assert len(files) == 1
    return files[0]


def test_backup_then_restore_brings_the_data_back(world, tmp_path, capsys):
    if is_postgres() and not shutil.which("pg_dump"):
        pytest.fail("pg_dump is needed for PostgreSQL backups")
    before = sorted(Organisation.objects.values_list("name", flat=True))
    path = _backup(tmp_path, capsys, "--no-verify")
    manifest = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))
    assert manifest["database"] == connection.vendor and manifest["bytes"] == path.stat().st_size
    assert len(manifest["sha256"]) == 64

    Organisation.objects.filter(pk=world.outsider_org.pk).update(name="改动后")
    world.carol.delete()
    call_command("restore", str(path), "--yes")
    assert "校验通过" in capsys.readouterr().out
    connection.close()
    assert sorted(Organisation.objects.values_list("name", flat=True)) == before
    assert Organisation.objects.get(pk=world.outsider_org.pk).name == world.outsider_org.name
    assert run_all().ok


def test_the_copy_is_checked(world, tmp_path, capsys):
    """SQLite: integrity_check and every invariant run against the copy; PostgreSQL: the archive
    lists back with its tables."""
    path = _backup(tmp_path, capsys)
    checks = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))["checks"]
    if is_postgres():
        assert checks["pg_restore_list"] == "ok" and checks["entries"] > 50
    else:
        assert checks == {"integrity_check": "ok", "verify": "ok"}


def test_restore_without_yes_changes_nothing(world, tmp_path, capsys):
    path = _backup(tmp_path, capsys, "--no-verify")
    Organisation.objects.filter(pk=world.outsider_org.pk).update(name="改动后")
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(path))
    assert Organisation.objects.get(pk=world.outsider_org.pk).name == "改动后"


def test_a_damaged_or_foreign_file_is_refused_before_anything_changes(world, tmp_path, capsys):
    path = _backup(tmp_path, capsys, "--no-verify")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="SHA-256"):
        call_command("restore", str(path), "--yes")
    foreign = tmp_path / "notes.sqlite3"
    foreign.write_bytes(b"hello, not a database" * 100)
    with pytest.raises(CommandError, match=r"不可用|不是流转平台|pg_restore"):
        call_command("restore", str(foreign), "--yes")
    with pytest.raises(CommandError, match="不存在"):
        call_command("restore", str(tmp_path / "missing.sqlite3"), "--yes")
    assert Organisation.objects.filter(pk=world.outsider_org.pk).exists()
    assert run_all().ok
