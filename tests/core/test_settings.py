import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from liuzhuan.settings import env_bool


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("False", False), ("TRUE", True)])
def test_env_bool_strict_accepts(monkeypatch, raw, value):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", not value) is value


@pytest.mark.parametrize("raw", ["yes", "1", "", "on"])
def test_env_bool_strict_refuses(monkeypatch, raw):
    monkeypatch.setenv("X_FLAG", raw)
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_FLAG", False)


def _django(args, **env):
    full = {k: v for k, v in os.environ.items() if not k.startswith("LIUZHUAN_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full.update(env)
    full["DJANGO_SETTINGS_MODULE"] = "liuzhuan.settings"
    return subprocess.run([sys.executable, "-m", "django", *args], env=full, capture_output=True, text=True, timeout=120)


def test_check_deploy_clean_with_production_settings(tmp_path):
    keyfile = tmp_path / "key"
    keyfile.write_text("k" * 20 + "a-long-random-production-secret-key-value-0123456789")
    r = _django(["check", "--deploy", "--fail-level", "WARNING"], LIUZHUAN_DEBUG="false", LIUZHUAN_HTTPS="true",
                LIUZHUAN_SECRET_KEY_FILE=str(keyfile), LIUZHUAN_ALLOWED_HOSTS="liuzhuan.example.cn",
                LIUZHUAN_VAR_DIR=str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_production_without_secret_refused(tmp_path):
    r = _django(["check"], LIUZHUAN_DEBUG="false", LIUZHUAN_HTTPS="true", LIUZHUAN_VAR_DIR=str(tmp_path))
    assert r.returncode != 0
    assert "LIUZHUAN_SECRET_KEY" in r.stderr


def test_bad_debug_value_refused(tmp_path):
    r = _django(["check"], LIUZHUAN_DEBUG="yes", LIUZHUAN_VAR_DIR=str(tmp_path))
    assert r.returncode != 0
    assert "LIUZHUAN_DEBUG" in r.stderr


def test_dev_secret_generated_and_kept(tmp_path):
    r1 = _django(["check"], LIUZHUAN_VAR_DIR=str(tmp_path))
    assert r1.returncode == 0, r1.stderr
    key = (tmp_path / "secret_key").read_text()
    r2 = _django(["check"], LIUZHUAN_VAR_DIR=str(tmp_path))
    assert r2.returncode == 0
    assert (tmp_path / "secret_key").read_text() == key and len(key) > 50


def test_a_sqlite_database_url_gets_the_same_backend_and_options(tmp_path):
    """DATABASE_URL=sqlite:///… used to get Django's backend without WAL or BEGIN IMMEDIATE."""
    code = ("from django.conf import settings; from django.db import connection; d = settings.DATABASES['default']; "
            "print(d['ENGINE'], d['OPTIONS']['transaction_mode'], connection.cursor().execute('PRAGMA journal_mode').fetchone()[0])")
    r = _django(["shell", "-c", code], DATABASE_URL=f"sqlite:///{tmp_path}/other.sqlite3", LIUZHUAN_VAR_DIR=str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1].split() == ["liuzhuan.core.sqlite", "IMMEDIATE", "wal"]
