"""schemathesis against the live app: every operation of the generated OpenAPI document, with a read
and a write token, stateless (each operation) and stateful (following the document's links); no server
error, no response that breaks the document. Example counts are modest (about a minute per backend).

Jobs started here go to a Redis queue of this test that no worker reads (they stay queued; running
them is ``tests/test_api_reads.py``'s), so dozens of generated placements cost nothing."""
from __future__ import annotations

import collections
import uuid

import pytest
import redis
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api_setup import bearer, make_token, seed_placed_base
from conftest import BACKENDS, _empty_all_tables
from vocapp import create_app
from vocapp.extensions import db as _db

pytestmark = pytest.mark.slow
EXAMPLES = 12
STATEFUL_EXAMPLES = 100
#: derandomize: the same cases every run, so a run that finds a fault finds it again, and the coverage
#: assertions below (links followed, writes that got through) cannot pass one run and fail the next
#: (with random seeds the stateful run once followed no link at all)
REDIS_URL = "redis://127.0.0.1:6379/0"
QUEUE = f"vocapp-test-api-{uuid.uuid4().hex[:10]}"
#: positive_data_acceptance expects every schema-valid request to succeed; but the imports validate more
#: than JSON Schema can say (e-mail syntax, repeated e-mails, known accounts: 422 naming the record),
#: and a cursor is opaque (one not handed out is a 400). Server errors and responses that break the
#: document are still checked (not_a_server_error, status, content type, headers, response schema).
BEYOND_THE_SCHEMA = [positive_data_acceptance]


@pytest.fixture(scope="module", params=BACKENDS)
def api_app(request, databases, tmp_path_factory):
    folder = tmp_path_factory.mktemp("api-schemathesis")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": databases.url(request.param),
                      "SECRET_KEY": "test-secret", "API_RATE_LIMIT": "100000 per minute",
                      "BROKER_URL": REDIS_URL, "JOBS_QUEUE": QUEUE}, instance_path=str(folder / "instance"))
    calls = collections.Counter()

    @app.after_request
    def count(response):
        from flask import request

        calls[(request.method, request.url_rule.rule if request.url_rule else "?", response.status_code)] += 1
        return response

    with app.app_context():
        seed_placed_base(folder)
        tokens = {"read": make_token("admin", ("read",)), "write": make_token("admin", ("read", "write"))}
        yield app, tokens, calls
        _db.session.remove()
        _empty_all_tables()
        _db.engine.dispose()
    connection = redis.Redis.from_url(REDIS_URL)
    keys = list(connection.scan_iter(f"{QUEUE}:*")) + list(connection.scan_iter(QUEUE))
    if keys:
        connection.delete(*keys)


@pytest.fixture(scope="module")
def api_schema(api_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app[0])


def test_every_operation_keeps_to_the_document(api_schema, api_app):
    """Each operation's generated cases (hypothesis through ``operation.as_strategy()``: schemathesis'
    lazy pytest loader does not run on pytest 9), once with the read token and once with the write token."""
    _, tokens, calls = api_app
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 14
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            for scope in ("read", "write"):  # a read token's writes are refused (403), also per the document
                case.call_and_validate(headers=bearer(tokens[scope]), excluded_checks=BEYOND_THE_SCHEMA)

        try:
            check()
        except Exception as error:
            raise AssertionError(f"{operation.label}: {error}") from error
    succeeded = {(method, rule) for (method, rule, status), n in calls.items() if 200 <= status < 300}
    # the generated cases got through to the data, not only to the refusals (schema examples help the writes)
    assert {("GET", "/api/v1/accounts"), ("GET", "/api/v1/contacts"), ("GET", "/api/v1/responses"),
            ("GET", "/api/v1/suppression-list"), ("POST", "/api/v1/contacts"), ("POST", "/api/v1/transactions"),
            ("POST", "/api/v1/jobs/placement")} <= succeeded, sorted(succeeded)


def test_stateful_links_keep_to_the_document(api_schema, api_app):
    _, tokens, calls = api_app
    before = calls.copy()

    class Machine(api_schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": bearer(tokens["write"])}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, excluded_checks=BEYOND_THE_SCHEMA, **kwargs)

    Machine.run(settings=settings(max_examples=STATEFUL_EXAMPLES, stateful_step_count=6, deadline=None,
                                  derandomize=True, suppress_health_check=list(HealthCheck), database=None))
    followed = calls - before
    # the links were followed: a started job read back or a run's movements read (operations no random
    # case reaches with a real id; in trial runs 3-10 and 1-4 times each)
    assert followed[("GET", "/api/v1/jobs/<int:job_id>", 200)] + \
        followed[("GET", "/api/v1/placement-runs/<int:run_id>/movements", 200)] > 0, followed
