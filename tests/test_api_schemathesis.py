"""The API contract (issue 14): Schemathesis generates calls from /api/v1/openapi.json and sends them with a
token of each demo persona; no call may answer a server error, and every answer must conform to the schema
(status code declared, body valid against the declared response). Bounded: a few examples per operation and
persona, so that it runs in well under two minutes."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

pytestmark = pytest.mark.django_db

DEMO_PERSONAS = ["imizu.madoguchi", "imizu.coord", "imizu.manager", "imizu.admin", "imizu.steward",
                 "imizu.outreach", "imizu.sanka", "imizu.chiiki", "shiga.pref"]
EXAMPLES = 4


@pytest.fixture
def demo_tokens(settings):
    from tsunagu.accounts import tokens
    from tsunagu.accounts.models import ApiToken
    from tsunagu.core.demo import load_demo
    from tsunagu.directory.models import Staff

    settings.TSUNAGU_API_RATE_PER_MINUTE = 10**6
    load_demo(households=8)
    out = {}
    for username in DEMO_PERSONAS:
        user = Staff.objects.filter(username=username).first()
        assert user is not None, f"demo persona {username} is missing"
        raw = f"{tokens.PREFIX}schemathesis-{username}"
        ApiToken.objects.create(municipality_id=user.municipality_id, staff=user, name="schemathesis",
                                prefix=raw[:10], digest=tokens.digest(raw), scopes=list(tokens.SCOPES),
                                expires_at=timezone.now() + dt.timedelta(days=1))
        out[username] = raw
    return out


def test_api_conforms_to_its_schema_for_every_persona(demo_tokens, capsys):
    from django.core.wsgi import get_wsgi_application

    from tsunagu.api.api import api

    app = get_wsgi_application()
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.app = app
    started = time.monotonic()
    calls, failures = 0, []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 18

    def runner(operation, persona, headers):
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            nonlocal calls
            calls += 1
            response = case.call(headers=headers, app=app)
            try:
                case.validate_response(response, checks=(not_a_server_error, status_code_conformance,
                                                         response_schema_conformance))
            except Exception as exc:  # schemathesis raises its own failure types
                failures.append(f"{persona} {case.method} {case.formatted_path}: {str(exc)[:300]}")

        return run

    # As Django's test client does: the WSGI handler must not close the test's database connection.
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        for operation in operations:
            for persona, raw in [*demo_tokens.items(), ("anonymous", "")]:
                runner(operation, persona, {"Authorization": f"Bearer {raw}"} if raw else {})()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    with capsys.disabled():
        print(f"\nschemathesis: {calls} calls to {len(operations)} operations as {len(demo_tokens) + 1} personas "
              f"in {time.monotonic() - started:.0f} s; {len(failures)} failures")
    assert failures == [], "\n".join(failures[:20])
