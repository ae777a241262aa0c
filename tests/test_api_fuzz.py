"""schemathesis against the live OpenAPI document (issue 17, permanent probes): every operation,
as a member and as the operator (Bearer tokens), with generated paths, queries and bodies. Any
5xx, or an answer that does not match the documented schema for its status, fails.

Bounded for CI: ``LIUZHUAN_FUZZ_EXAMPLES`` examples per operation and role (default 6),
derandomised so a failure reproduces; no shrinking (a failure is reported as found).
"""

from __future__ import annotations

import json
import os

import hypothesis
import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from liuzhuan.api import api
from liuzhuan.members.actions import issue_api_token

EXAMPLES = int(os.environ.get("LIUZHUAN_FUZZ_EXAMPLES", "6"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def _schema():
    schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema())))
    schema.app = get_wsgi_application()
    return schema


def _fuzz(headers: dict) -> tuple[int, list[str]]:
    calls = 0
    failures: list[str] = []
    for result in _schema().get_all_operations():
        operation = result.ok()

        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                             phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case):
            nonlocal calls
            calls += 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as exc:
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    return calls, failures


@pytest.fixture
def keep_test_connection():
    """The WSGI handler closes the database connection after each request (as Django's test
    client avoids too): that would close the test's transaction. Keep it open while fuzzing."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "clerk"])
def test_no_operation_answers_5xx_or_off_schema(world, who, keep_test_connection):
    _, token = issue_api_token(getattr(world, who), "fuzz", "write")
    calls, failures = _fuzz({"Authorization": f"Bearer {token}"})
    print(f"schemathesis as {who}: {calls} requests, {len(failures)} failing operations")
    assert calls > 100
    assert not failures, "\n\n".join(failures)
