"""Integrity verification runs in the task worker: the request only queues it, the worker stores
the result, the page and the API show the last one (issue 17 item 6)."""

import pytest
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from liuzhuan.members import actions as member_actions
from liuzhuan.supervision import actions
from liuzhuan.supervision.models import VerifyRun

from ..conftest import is_postgres


def _work():
    """What `liuzhuan db_worker` does with each queued task (the command itself closes the test's
    connection): claim it, run the function it names with its arguments, store the return value."""
    for row in DBTaskResult.objects.ready():
        row.claim("test-worker")
        row.set_successful(row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"]))


def test_the_request_queues_and_the_worker_verifies(world, api, monkeypatch):
    member_actions.change_status(world.clerk, world.alice_org.pk, "suspend", "检查")
    c = api(world.inspector)
    assert c.get("/supervision/verify").json() == {"last": None, "pending": None}

    def not_in_the_request():
        raise AssertionError("the chain was re-hashed inside the request")

    monkeypatch.setattr(actions, "run_all", not_in_the_request)
    r = c.post("/supervision/verify")
    assert r.status_code == 202
    run = r.json()
    assert run["status"] == "queued" and run["ok"] is None and run["requested_by"] == "inspector"
    assert DBTaskResult.objects.filter(id=run["task_id"], status="READY").exists()
    again = c.post("/supervision/verify")  # one at a time: asking again returns the open run
    assert again.status_code == 202 and again.json()["id"] == run["id"] and VerifyRun.objects.count() == 1
    assert c.get("/supervision/verify").json()["pending"]["id"] == run["id"]

    monkeypatch.undo()
    _work()
    state = c.get("/supervision/verify").json()
    assert state["pending"] is None
    last = state["last"]
    assert last["id"] == run["id"] and last["status"] == "done" and last["ok"] is True and last["finished_at"]
    assert {"name": "审计哈希链", "found": 0} in last["checks"]
    assert c.get(f"/supervision/verify/runs/{run['id']}").json()["ok"] is True
    assert DBTaskResult.objects.get(id=run["task_id"]).status == "SUCCESSFUL"


def test_the_worker_reports_a_tampered_chain(world, api):
    member_actions.change_status(world.clerk, world.alice_org.pk, "suspend", "检查")
    with connection.cursor() as cur:
        if is_postgres():
            cur.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_update")
        cur.execute("UPDATE core_auditevent SET summary = %s WHERE seq = 1", ['{"forged": 1}'])
        if is_postgres():
            cur.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_no_update")
    run_id = api(world.inspector).post("/supervision/verify").json()["id"]
    _work()
    last = api(world.inspector).get("/supervision/verify").json()["last"]
    assert last["id"] == run_id and last["ok"] is False and any("审计哈希链" in p for p in last["problems"])


def test_read_only_regulator_token_may_ask(world):
    _, text = member_actions.issue_api_token(world.inspector, "监管校验", "read")
    r = Client().post("/api/v1/supervision/verify", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert r.status_code == 202 and r.json()["status"] == "queued"


def test_members_and_strangers_are_refused(world, api):
    run = actions.request_verify(world.inspector)
    for user in (world.alice, world.banker):
        c = api(user)
        assert c.get("/supervision/verify").status_code == 403
        assert c.post("/supervision/verify").status_code == 403
        assert c.get(f"/supervision/verify/runs/{run.pk}").status_code == 403
        assert c.get("/supervision/verify/runs").status_code == 403
    anon = Client()
    assert anon.get("/api/v1/supervision/verify").status_code == 401
    assert anon.post("/api/v1/supervision/verify").status_code == 401
    assert VerifyRun.objects.count() == 1
    assert anon.get("/api/v1/supervision/verify/runs").status_code == 401
    assert api(world.inspector).get("/supervision/verify/runs/999999").status_code == 404
    listed = api(world.checker).get("/supervision/verify/runs").json()  # the operator oversees too
    assert listed["count"] == 1 and listed["items"][0]["id"] == run.pk


def test_page_queues_and_shows_the_last_result(world, client):
    client.force_login(world.inspector)
    r = client.post("/supervision/verify/")
    assert r.status_code == 302 and r.url == "/supervision/events/"
    page = client.get("/supervision/events/").content.decode()
    assert "排队等待校验" in page and "已提交完整性校验" in page
    _work()
    page = client.get("/supervision/events/").content.decode()
    assert "最近一次校验" in page and "校验通过" in page
    assert client.get("/supervision/verify/").status_code == 405  # asking is never a plain GET


def test_page_refuses_members_and_anonymous(world, client):
    client.force_login(world.alice)
    assert client.post("/supervision/verify/").status_code == 404
    assert client.get("/supervision/events/").status_code == 404
    anon = Client()
    r = anon.post("/supervision/verify/")
    assert r.status_code == 302 and "/login/" in r.url
    assert VerifyRun.objects.count() == 0


def test_a_lost_run_frees_the_slot(world):
    import datetime as dt

    from django.utils import timezone

    stuck = actions.request_verify(world.inspector)
    VerifyRun.objects.filter(pk=stuck.pk).update(requested_at=timezone.now() - actions.STALE_AFTER - dt.timedelta(minutes=1))
    fresh = actions.request_verify(world.inspector)
    stuck.refresh_from_db()
    assert fresh.pk != stuck.pk and stuck.status == "failed" and "后台任务进程" in stuck.error


@pytest.mark.parametrize("user", ["checker", "inspector"])
def test_operator_and_regulator_may_ask(world, user):
    assert actions.request_verify(getattr(world, user)).status == "queued"
