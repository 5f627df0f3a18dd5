"""Property-based run over the whole OpenAPI spec, as every kind of caller, on the demo data.

Schemathesis generates valid and invalid requests for every operation and checks each answer
against the spec: never a 5xx, only documented status codes, content types and headers, every
body within its response schema, invalid input refused, secured operations refusing a caller
without credentials. Bounded for CI: ``FUZZ_EXAMPLES`` examples per operation and caller
(default 8), and a time budget per caller (``FUZZ_SECONDS``, default 30) after which each
remaining operation still gets one example. Derandomised, so a run is reproducible; set
``FUZZ_RANDOM=1`` to explore new inputs.
"""

import os
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from accounts.seed import DEMO_PASSWORD
from core.extensions import db
from core.seed import run_seeders

EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "8"))
SECONDS_PER_CALLER = float(os.environ.get("FUZZ_SECONDS", "30"))
CALLERS = ("anonymous", "buyer", "farmer", "operator", "admin")
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]


def _headers(app, caller: str) -> dict:
    """The caller's bearer token, taken as a client would (the demo accounts own demo data)."""
    if caller == "anonymous":
        return {}
    response = app.test_client().post(
        "/api/v1/auth/token", json={"email": f"{caller}@agrobridge.demo", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _run_operation(operation, headers, examples, extra_checks) -> str | None:
    strategy = operation.as_strategy(schemathesis.GenerationMode.POSITIVE) | operation.as_strategy(
        schemathesis.GenerationMode.NEGATIVE
    )

    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=not os.environ.get("FUZZ_RANDOM"),
        print_blob=False,
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS + extra_checks)
        db.session.remove()  # the next call starts from committed state, as another request would

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect them all, then report
        return f"{operation.label}: {str(exc)[:1500]}"
    return None


@pytest.mark.slow
def test_the_api_keeps_its_spec_for_every_caller(app):
    run_seeders(lambda *_: None)
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    failures = []
    for caller in CALLERS:
        headers = _headers(app, caller)
        # Secured operations must refuse the same requests without (or with broken) credentials.
        extra = [checks.ignored_auth] if headers else []
        deadline = time.monotonic() + SECONDS_PER_CALLER
        for operation in operations:
            examples = EXAMPLES_PER_OPERATION if time.monotonic() < deadline else 1
            failure = _run_operation(operation, headers, examples, extra)
            if failure:
                failures.append(f"[{caller}] {failure}")
    assert not failures, f"{len(failures)} failure(s):\n\n" + "\n\n".join(failures)
