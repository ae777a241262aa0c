"""``liuzhuan backup`` / ``liuzhuan restore``: copies of the whole database that can be trusted.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot while
the site keeps serving (WAL readers are not blocked); the copy is then checked with
``PRAGMA integrity_check`` and by running every business invariant (``liuzhuan verify``) against
the copy in a child process. PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot in one
transaction); the archive is checked by ``pg_restore --list``. Each backup gets a manifest
``<file>.json`` (time, database, size, SHA-256, what was checked) so an operator can tell a good
copy from a truncated one before restoring it.

Restore replaces the live database with a copy (asked for with ``--yes``), then runs ``verify``
on the result; it refuses a file that is not an intact liuzhuan backup before touching anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

from .errors import DomainError

#: tables a liuzhuan database has, whatever its version
_MARKERS = ("django_migrations", "core_auditevent", "core_audithead")


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _vendor() -> str:
    return connection.vendor


def default_dir() -> Path:
    return Path(settings.VAR_DIR) / "backups"


def backup(to_dir: Path | None = None, *, verify_copy: bool = True) -> BackupResult:
    to_dir = Path(to_dir or default_dir())
    to_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    if _vendor() == "sqlite":
        path = to_dir / f"liuzhuan-{stamp}.sqlite3"
        checks = _backup_sqlite(path, verify_copy)
    elif _vendor() == "postgresql":
        path = to_dir / f"liuzhuan-{stamp}.pgdump"
        checks = _backup_postgres(path)
    else:  # pragma: no cover - settings allow only these two
        raise DomainError("unsupported_database", f"不支持备份 {_vendor()} 数据库")
    manifest = {"created_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                "database": _vendor(), "file": path.name, "bytes": path.stat().st_size,
                "sha256": _sha256(path), "checks": checks}
    path.with_name(path.name + ".json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return BackupResult(path, manifest)


def _backup_sqlite(path: Path, verify_copy: bool) -> dict:
    connection.ensure_connection()
    tmp = path.with_name(path.name + ".part")
    target = sqlite3.connect(tmp)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    problem = _sqlite_problem(tmp)
    if problem:
        tmp.unlink(missing_ok=True)
        raise DomainError("backup_corrupt", f"备份副本未通过完整性检查：{problem}")
    tmp.replace(path)
    checks = {"integrity_check": "ok"}
    if verify_copy:
        checks["verify"] = _verify_sqlite_copy(path)
    return checks


def _sqlite_problem(path: Path) -> str | None:
    """Why ``path`` is not an intact liuzhuan SQLite database, or None."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = con.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                return str(result)[:200]
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        return f"不是 SQLite 数据库（{exc}）"
    missing = [t for t in _MARKERS if t not in tables]
    return f"不是流转平台的数据库（缺少表 {'、'.join(missing)}）" if missing else None


def _verify_sqlite_copy(path: Path) -> str:
    """Run every invariant against the copy in a child process (its own Django, its own database)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path.resolve()}", "DJANGO_SETTINGS_MODULE": "liuzhuan.settings"}
    done = subprocess.run([sys.executable, "-c", "from liuzhuan.cli import main; main(['verify'])"],
                          env=env, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["未知原因"])[-1]
        raise DomainError("backup_verify_failed", f"备份副本未通过业务校验（liuzhuan verify）：{reason}")
    return "ok"


def _pg_args() -> tuple[list[str], dict]:
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise DomainError("tool_missing", f"未找到 {name}（请安装 PostgreSQL 客户端工具，版本不低于服务器）")
    return found


def _run(cmd: list[str], env: dict, what: str) -> subprocess.CompletedProcess:
    # cmd is a PostgreSQL tool found on PATH and this database's own settings: no user input
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=3600)  # noqa: S603
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["未知原因"])[-1]
        raise DomainError(f"{what}_failed", f"{what} 失败：{reason}")
    return done


def _pg_entries(path: Path, env: dict) -> int:
    """How many entries the archive lists; refused when it is not a liuzhuan archive."""
    listing = _run([_tool("pg_restore"), "--list", str(path)], env, "pg_restore")
    if "core_auditevent" not in listing.stdout:
        raise DomainError("backup_corrupt", f"备份文件 {path.name} 中没有审计表，不是完整的流转平台 PostgreSQL 备份", field="file")
    return sum(1 for line in listing.stdout.splitlines() if line and line[0] != ";")


def _backup_postgres(path: Path) -> dict:
    args, env = _pg_args()
    tmp = path.with_name(path.name + ".part")
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(tmp), *args], env, "pg_dump")
    try:
        entries = _pg_entries(tmp, env)
    except DomainError:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
    return {"pg_restore_list": "ok", "entries": entries}


def check_file(path: Path) -> None:
    """Refuse (before touching anything) a file that is not an intact backup for this database."""
    if not path.is_file():
        raise DomainError("not_found", f"备份文件 {path} 不存在", field="file")
    manifest = path.with_name(path.name + ".json")
    if manifest.is_file():
        expected = json.loads(manifest.read_text(encoding="utf-8")).get("sha256")
        if expected and expected != _sha256(path):
            raise DomainError("backup_corrupt", f"备份文件 {path.name} 的 SHA-256 与清单不符（文件已损坏或被改动）", field="file")
    if _vendor() == "sqlite":
        if problem := _sqlite_problem(path):
            raise DomainError("backup_corrupt", f"备份文件 {path.name} 不可用：{problem}", field="file")
    else:
        _pg_entries(path, _pg_args()[1])


def restore(path: Path) -> None:
    """Replace the live database with the backup at ``path`` (already checked by ``check_file``)."""
    path = Path(path)
    check_file(path)
    if _vendor() == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)  # page by page, under the destination's write lock
        finally:
            source.close()
    else:
        args, env = _pg_args()
        connection.close()
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(path)],
             env, "pg_restore")
