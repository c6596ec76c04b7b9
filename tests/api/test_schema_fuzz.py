"""The MI API against its own OpenAPI schema (/api/schema/), fuzzed with schemathesis: generated requests to
every operation, with the worked WP and WHP examples imported, must never give a server error and must answer
as the schema says (status codes, content types, bodies).

Each operation runs as its own hypothesis test inside one pytest test (schemathesis's pytest plugin does not
load under pytest 9); a failure names the operation and the case."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from participants.imports.services import import_bundle
from tests.factories import UserFactory
from tests.golden import FIXTURES

pytestmark = pytest.mark.django_db
EXAMPLES_PER_OPERATION = 30


@pytest.fixture
def api_schema(db, settings, tmp_path):
    # Generated uploads that are .zip files stay queued (their job would run after a commit): keep them here.
    settings.MEDIA_ROOT = tmp_path
    for name in ("wp-england", "whp-scotland"):
        import_bundle(path=FIXTURES / name)
    # As Django's test client does: a request must not close the test's connection (and its transaction).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    # The schema is for signed-in callers only (tests/api/test_security.py).
    reader = Token.objects.create(user=UserFactory(username="schema-reader")).key
    yield schemathesis.openapi.from_wsgi(
        "/api/schema/", get_wsgi_application(), headers={"Authorization": f"Token {reader}"}
    )
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# The worked examples' contracts: most generated cases are sent to one of them (a random reference is a 404
# before any parameter is read), the rest keep what schemathesis generated.
REFS = ["ORC-11", "ORC-12", None]


def _on_real_contracts(case, ref):
    if ref is not None and case.path_parameters and "contract_ref" in case.path_parameters:
        case.path_parameters = {**case.path_parameters, "contract_ref": ref}
    return case


def _fuzz(operation, check, examples: int) -> None:
    """Run `check(case)` on `examples` generated cases of one operation; a failure names the operation."""
    cases = st.tuples(operation.as_strategy(), st.sampled_from(REFS)).map(lambda p: _on_real_contracts(*p))

    @given(case=cases)
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case):
        check(case)

    try:
        run()
    except Exception as exc:
        raise AssertionError(f"{operation.label}: {exc}") from exc


def _operations(api_schema) -> list:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 6, [op.label for op in operations]
    return operations


def test_every_operation_answers_as_its_schema_says(api_schema):
    auth = {"Authorization": "Token " + Token.objects.create(user=UserFactory(is_superuser=True)).key}

    def answers_as_documented(case):
        # Left out: ignored_auth, which probes each declared scheme (session cookie, token) with a bad
        # credential while the real token still rides along, so DRF rightly answers 200 (the next test refuses
        # requests without credentials instead); and positive_data_acceptance, since a well-formed month
        # before the contract's start or a group outside its programme is rightly a 400 naming the field.
        case.call_and_validate(headers=auth, excluded_checks=[ignored_auth, positive_data_acceptance])

    for operation in _operations(api_schema):
        _fuzz(operation, answers_as_documented, EXAMPLES_PER_OPERATION)


def test_every_operation_refuses_a_request_without_credentials(api_schema):
    def refused(case):
        case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        case.cookies = {}
        assert case.call().status_code in (401, 403)

    for operation in _operations(api_schema):
        _fuzz(operation, refused, 3)
