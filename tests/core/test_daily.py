"""The end-of-day batch: one failing job is rolled back alone and the others still run."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from liuzhuan.core import daily
from liuzhuan.members.models import Notification


@pytest.fixture
def jobs(monkeypatch):
    registered = []
    monkeypatch.setattr(daily, "_JOBS", registered)
    monkeypatch.setattr("liuzhuan.core.management.commands.daily.load_jobs", lambda: None)
    return registered


def test_a_failing_job_is_rolled_back_alone_and_the_rest_still_run(world, jobs, capsys):
    def first(today):
        Notification.objects.create(organisation=world.alice_org, title="第一项")
        return {"提醒": 1}

    def broken(today):
        Notification.objects.create(organisation=world.alice_org, title="半途")
        raise ValueError("坏数据")

    def last(today):
        Notification.objects.create(organisation=world.bob_org, title="最后一项")
        return {}

    jobs += [("甲", first), ("乙", broken), ("丙", last)]
    with pytest.raises(CommandError) as exc:
        call_command("daily", date="2026-12-04")
    assert "乙" in str(exc.value) and "甲" not in str(exc.value)
    titles = set(Notification.objects.values_list("title", flat=True))
    assert titles == {"第一项", "最后一项"}  # the broken job's write is gone; the others' stay
    out = capsys.readouterr()
    assert "甲：提醒 1" in out.out and "丙：无变化" in out.out and "坏数据" in out.err


def test_all_jobs_passing_exits_cleanly(world, jobs, capsys):
    jobs.append(("甲", lambda today: {"处理": 0}))
    call_command("daily", date="2026-12-04")
    assert "2026-12-04 甲：处理 0" in capsys.readouterr().out
