from liuzhuan.members import actions


def test_event_log_api_for_regulator(world, api):
    actions.change_status(world.clerk, world.alice_org.pk, "suspend", "检查")
    r = api(world.inspector).get("/supervision/events")
    assert r.status_code == 200
    events = r.json()
    assert events[-1]["action"] == "member.suspend" and len(events[-1]["hash"]) == 64
    v = api(world.inspector).get("/supervision/verify").json()
    assert v == {"last": None, "pending": None}  # verification runs in the worker (test_verify.py)


def test_event_log_api_refuses_member(world, api):
    assert api(world.alice).get("/supervision/events").status_code == 403
    assert api(world.alice).get("/supervision/verify").status_code == 403


def test_regulator_cannot_write(world, api):
    r = api(world.inspector).post(f"/organisations/{world.alice_org.pk}/status", {"action": "suspend", "reason": "x"})
    assert r.status_code == 403
