"""The liuzhuan console script: demo (idempotent), verify, createoperator with bad input."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from liuzhuan.core.models import AuditEvent
from liuzhuan.members.models import Organisation, User

from .conftest import new_uscc

LIUZHUAN = str(Path(sys.executable).with_name("liuzhuan"))


@pytest.mark.django_db
def test_demo_is_idempotent_and_verifies(capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert "op_clerk" in out and "演示账号" in out
    counts = (Organisation.objects.count(), User.objects.count(), AuditEvent.objects.count())
    assert Organisation.objects.filter(status="pending").count() == 2
    roles = set(Organisation.objects.values_list("roles__role", flat=True))
    assert {"operator", "member", "bank", "merchant", "purchaser", "housing", "regulator", "fund_manager", "bureau"} <= roles
    call_command("demo")
    assert "未作改动" in capsys.readouterr().out
    assert (Organisation.objects.count(), User.objects.count(), AuditEvent.objects.count()) == counts
    call_command("verify")


@pytest.mark.django_db
def test_createoperator_refuses_bad_uscc_and_creates():
    with pytest.raises(CommandError, match="校验位"):
        call_command("createoperator", name="X", uscc="91150802MA0Q1234X0", username="opx", password="Good-Password-1")
    assert not User.objects.filter(username="opx").exists()
    call_command("createoperator", name="新运营", uscc=new_uscc(), username="opx", password="Good-Password-1")
    user = User.objects.get(username="opx")
    assert user.organisation.has_role("operator") and user.organisation.status == "active"


def test_console_script_error_is_one_line_nonzero(tmp_path):
    env = {**os.environ, "LIUZHUAN_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    subprocess.run([LIUZHUAN, "migrate", "-v", "0"], env=env, check=True, timeout=300)
    r = subprocess.run([LIUZHUAN, "createoperator", "--name", "X", "--uscc", "bad", "--username", "u", "--password", "Good-Password-1"],
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert len(r.stderr.strip().splitlines()) == 1 and "18位" in r.stderr
    ok = subprocess.run([LIUZHUAN, "verify"], env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and "校验通过" in ok.stdout
