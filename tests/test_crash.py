"""Crash test (issue 17, permanent probes): the real server (gunicorn, two workers) is killed with
SIGKILL in the middle of a burst of API writes, then started again. Every write either happened
whole — with its audit event, its fee, its notices — or not at all: ``verify`` (the audit hash
chain and every business invariant) is clean, and each write the client saw succeed is there."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection

from liuzhuan.core.integrity import run_all
from liuzhuan.members.actions import issue_api_token
from liuzhuan.setoff.models import Obligation

from .certificates.conftest import issue

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "liuzhuan.settings",
           "LIUZHUAN_DB_CONN_MAX_AGE": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "liuzhuan.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--threads", "4", "--log-level", "warning"],
        env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGKILL)
    raise AssertionError("the server did not come up within 60 s")


def _post(port: int, token: str, path: str, body: dict) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1{path}", data=json.dumps(body).encode(),
                                     method="POST", headers={"Authorization": f"Bearer {token}",
                                                             "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, OSError):
        return 0  # the server died under us


def test_sigkill_mid_burst_leaves_no_half_state(world):
    _, piece = issue(world)
    _, alice = issue_api_token(world.alice, "crash", "write")
    connection.close()  # the server processes take the database from here
    port = _free_port()
    server = _start(port)
    created: list[str] = []  # bases of obligations the client saw registered (201)
    answers: list[int] = []
    stop = threading.Event()

    def burst(n: int):
        i = 0
        while not stop.is_set():
            i += 1
            basis = f"CRASH-{n}-{i}"
            status = _post(port, alice, "/setoff/obligations", {
                "creditor_uscc": world.alice_org.legal_id, "debtor_uscc": world.bob_org.legal_id,
                "amount_fen": 100 + i, "basis": basis})
            if status == 201:
                created.append(basis)
            answers.append(status)
            answers.append(_post(port, alice, f"/certificates/pieces/{piece.pk}/transfer", {
                "to_org_id": world.carol_org.pk, "amount_fen": 10_000 + i, "agreement_ref": basis}))

    threads = [threading.Thread(target=burst, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    time.sleep(3)
    os.killpg(server.pid, signal.SIGKILL)  # gunicorn's master and both workers, mid-request
    server.wait(10)
    stop.set()
    for t in threads:
        t.join(30)
    assert sum(a in (200, 201) for a in answers) >= 10, f"the burst did not get going: {answers[:20]}"

    server = _start(port)  # comes back on the same database, nothing to repair by hand
    try:
        assert _post(port, alice, "/setoff/obligations", {
            "creditor_uscc": world.alice_org.legal_id, "debtor_uscc": world.bob_org.legal_id,
            "amount_fen": 1, "basis": "AFTER-RESTART"}) == 201
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)
    connection.close()
    report = run_all()
    assert report.ok, report.problems
    stored = set(Obligation.objects.filter(basis__startswith="CRASH-").values_list("basis", flat=True))
    assert set(created) <= stored  # every write the client saw acknowledged survived the kill
    print(f"crash test: {len(answers)} requests, {len(created)} obligations acknowledged, {len(stored)} stored")
