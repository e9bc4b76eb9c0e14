"""schemathesis against the live app: every operation of the generated OpenAPI document, with a read
and a write token, stateless (each operation) and stateful (following the document's links); no server
error, no response that breaks the document. Example counts are modest (a couple of minutes in all)."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api_setup import bearer, make_token, seed_placed_base
from conftest import BACKENDS, _empty_all_tables
from vocapp import create_app
from vocapp.extensions import db as _db
from vocapp.jobs import wait_for_threads

pytestmark = pytest.mark.slow
EXAMPLES = 12
#: positive_data_acceptance expects every schema-valid request to succeed; but the imports validate more
#: than JSON Schema can say (e-mail syntax, repeated e-mails, known accounts: 422 naming the record),
#: and a cursor is opaque (one not handed out is a 400). Server errors and responses that break the
#: document are still checked (not_a_server_error, status, content type, headers, response schema).
BEYOND_THE_SCHEMA = [positive_data_acceptance]


@pytest.fixture(scope="module", params=BACKENDS)
def api_app(request, databases, tmp_path_factory):
    folder = tmp_path_factory.mktemp("api-schemathesis")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": databases.url(request.param),
                      "SECRET_KEY": "test-secret", "API_RATE_LIMIT": "100000 per minute"},
                     instance_path=str(folder / "instance"))
    with app.app_context():
        seed_placed_base(folder)
        tokens = {"read": make_token("admin", ("read",)), "write": make_token("admin", ("read", "write"))}
        yield app, tokens
        wait_for_threads(60)
        _db.session.remove()
        _empty_all_tables()
        _db.engine.dispose()


@pytest.fixture(scope="module")
def api_schema(api_app):
    app, _ = api_app
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_every_operation_keeps_to_the_document(api_schema, api_app):
    """Each operation's generated cases (hypothesis through ``operation.as_strategy()``: schemathesis'
    lazy pytest loader does not run on pytest 9), once with the read token and once with the write token."""
    from hypothesis import given

    _, tokens = api_app
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 14
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            for scope in ("read", "write"):  # a read token's writes are refused (403), also per the document
                case.call_and_validate(headers=bearer(tokens[scope]), excluded_checks=BEYOND_THE_SCHEMA)

        try:
            check()
        except Exception as error:
            raise AssertionError(f"{operation.label}: {error}") from error


def test_stateful_links_keep_to_the_document(api_schema, api_app):
    _, tokens = api_app

    class Machine(api_schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": bearer(tokens["write"])}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, excluded_checks=BEYOND_THE_SCHEMA, **kwargs)

    Machine.run(settings=settings(max_examples=EXAMPLES, stateful_step_count=4, deadline=None,
                                  suppress_health_check=list(HealthCheck)))
