"""``Idempotency-Key`` on API writes (issue 17): a bank's client retrying after a timeout gets
the first answer back and changes nothing; the same key on a different request is refused; keys
are per caller; answers that are not a result (401, 5xx) are not kept."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from liuzhuan.core.jobs import purge_idempotency_keys
from liuzhuan.core.models import IdempotencyKey
from liuzhuan.members.actions import issue_api_token
from liuzhuan.setoff.models import Obligation

pytestmark = pytest.mark.django_db


def _body(world, amount=500, basis="IDEM-1"):
    return {"creditor_uscc": world.alice_org.legal_id, "debtor_uscc": world.bob_org.legal_id,
            "amount_fen": amount, "basis": basis}


def _post(client, payload, key, **headers):
    return client.post("/api/v1/setoff/obligations", json.dumps(payload), content_type="application/json",
                       HTTP_IDEMPOTENCY_KEY=key, **headers)


@pytest.fixture
def bearer(world):
    _, text = issue_api_token(world.alice, "idem", "write")
    return Client(HTTP_AUTHORIZATION=f"Bearer {text}")


def test_a_retry_returns_the_first_answer_and_writes_nothing(world, bearer):
    first = _post(bearer, _body(world), "k-1")
    assert first.status_code == 201, first.content
    again = _post(bearer, _body(world), "k-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert Obligation.objects.count() == 1
    # a new key is a new request
    assert _post(bearer, _body(world, basis="IDEM-2"), "k-2").status_code == 201
    assert Obligation.objects.count() == 2


def test_the_same_key_on_another_request_is_refused(world, bearer):
    assert _post(bearer, _body(world), "k-1").status_code == 201
    other = _post(bearer, _body(world, amount=600), "k-1")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused" and other.json()["field"] == "Idempotency-Key"
    assert Obligation.objects.count() == 1


def test_a_refusal_is_the_first_answer_too(world, bearer):
    bad = _post(bearer, {**_body(world), "debtor_uscc": world.alice_org.legal_id}, "k-bad")
    assert bad.status_code == 400
    assert _post(bearer, {**_body(world), "debtor_uscc": world.alice_org.legal_id}, "k-bad").json() == bad.json()
    assert Obligation.objects.count() == 0


def test_keys_belong_to_their_caller(world, bearer):
    """Another organisation's client using the same key does not see (or replay) alice's answer."""
    assert _post(bearer, _body(world), "shared").status_code == 201
    _, text = issue_api_token(world.bob, "idem", "write")
    bob = Client(HTTP_AUTHORIZATION=f"Bearer {text}")
    answer = _post(bob, {**_body(world), "creditor_uscc": world.bob_org.legal_id,
                         "debtor_uscc": world.alice_org.legal_id}, "shared")
    assert answer.status_code == 201 and not answer.has_header("Idempotent-Replayed")
    assert Obligation.objects.count() == 2
    # a session (browser) caller has its own key space as well
    session = Client()
    session.force_login(world.carol)
    token = session.get("/api/v1/csrf").json()["csrftoken"]
    answer = _post(session, {**_body(world), "creditor_uscc": world.carol_org.legal_id}, "shared",
                   HTTP_X_CSRFTOKEN=token)
    assert answer.status_code == 201 and not answer.has_header("Idempotent-Replayed")


@pytest.mark.parametrize("key", ["", "x" * 65, "含中文", "a b"])
def test_a_malformed_key_is_refused_before_anything_runs(world, bearer, key):
    answer = _post(bearer, _body(world), key)
    assert answer.status_code == 400 and answer.json()["field"] == "Idempotency-Key"
    assert Obligation.objects.count() == 0 and IdempotencyKey.objects.count() == 0


def test_unauthenticated_and_failed_answers_are_not_kept(world, bearer, monkeypatch):
    assert _post(Client(HTTP_AUTHORIZATION="Bearer nope"), _body(world), "k-1").status_code == 401
    assert IdempotencyKey.objects.count() == 0

    from liuzhuan.setoff.register import actions

    real = actions.register_one
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            real(*args, **kwargs)  # the write happens, then the request fails: all of it rolls back
            raise RuntimeError("connection reset")
        return real(*args, **kwargs)

    monkeypatch.setattr(actions, "register_one", flaky)
    bearer.raise_request_exception = False
    assert _post(bearer, _body(world), "k-1").status_code == 500
    assert Obligation.objects.count() == 0 and IdempotencyKey.objects.count() == 0
    assert _post(bearer, _body(world), "k-1").status_code == 201
    assert Obligation.objects.count() == 1


def test_reads_and_pages_ignore_the_header(world, bearer):
    assert bearer.get("/api/v1/setoff/obligations", HTTP_IDEMPOTENCY_KEY="x" * 100).status_code == 200
    assert IdempotencyKey.objects.count() == 0


def test_the_daily_batch_purges_old_keys(world, bearer):
    _post(bearer, _body(world), "old")
    _post(bearer, _body(world, basis="IDEM-2"), "new")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert purge_idempotency_keys(dt.date.today()) == {"清理": 1}
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_write_once(world):
    """Two copies of one request at the same instant: the second waits on the key's unique index,
    then replays the first's answer."""
    _, text = issue_api_token(world.alice, "idem", "write")
    barrier = threading.Barrier(4)
    answers = []

    def go():
        try:
            barrier.wait()
            answers.append(_post(Client(HTTP_AUTHORIZATION=f"Bearer {text}"), _body(world), "race"))
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert [a.status_code for a in answers] == [201] * 4
    assert len({a.content for a in answers}) == 1
    assert sum(a.has_header("Idempotent-Replayed") for a in answers) == 3
    assert Obligation.objects.count() == 1
