"""/healthz, /readyz and /metrics: who may read them, what they say, and that Prometheus can parse it."""

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from core.extensions import db
from tests import factories

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def families(body: str) -> dict:
    return {family.name: family for family in text_string_to_metric_families(body)}


def test_healthz_answers_anyone(client):
    response = client.get("/healthz", environ_base=OUTSIDE)
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_metrics_and_readyz_hidden_from_outside_without_token(client, app):
    for path in ("/metrics", "/readyz"):
        assert client.get(path, environ_base=OUTSIDE).status_code == 404
    app.config["METRICS_TOKEN"] = "s3cret-token-for-scrapers"
    try:
        wrong = {"Authorization": "Bearer nope"}
        assert client.get("/metrics", environ_base=OUTSIDE, headers=wrong).status_code == 404
        right = {"Authorization": "Bearer s3cret-token-for-scrapers"}
        assert client.get("/metrics", environ_base=OUTSIDE, headers=right).status_code == 200
        assert client.get("/readyz", environ_base=OUTSIDE, headers=right).status_code in (200, 503)
    finally:
        app.config["METRICS_TOKEN"] = None


def test_metrics_parse_and_count_requests_and_business(client):
    buyer = factories.UserFactory(role="buyer")
    db.session.commit()
    client.get("/")
    client.get("/")
    client.get("/no-such-page")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    found = families(response.get_data(as_text=True))

    latency = found["agrobridge_request_duration_seconds"]
    assert latency.type == "histogram"
    counts = {
        (s.labels["endpoint"], s.labels["status"]): s.value
        for s in latency.samples
        if s.name.endswith("_count")
    }
    assert counts[("core.home", "200")] >= 2
    assert counts[("unmatched", "404")] >= 1

    for name, kind in (
        ("agrobridge_orders_placed", "counter"),
        ("agrobridge_payments", "gauge"),
        ("agrobridge_readings_ingested", "counter"),
        ("agrobridge_job_queue_depth", "gauge"),
        ("agrobridge_jobs_failed", "counter"),
        ("agrobridge_webhook_deliveries", "gauge"),
    ):
        assert found[name].type == kind, name
    assert found["agrobridge_job_queue_depth"].samples[0].value == 0
    assert buyer.id  # a user alone places no order
    assert found["agrobridge_orders_placed"].samples == []


@pytest.fixture
def alembic_at():
    """``alembic_at("rev")`` sets the database's migration for one test; restored after."""
    (head,) = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()

    def _set(revision):
        db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})
        db.session.commit()

    yield _set
    _set(head)


def test_readyz_fails_when_the_database_is_behind_the_code(client, alembic_at):
    body = client.get("/readyz").get_json()
    assert body["checks"] == {"database": "ok", "redis": "not configured", "migrations": "ok"}, body
    alembic_at("0018_job_outbox")  # an older migration this code knows
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "database at 0018_job_outbox" in response.get_json()["checks"]["migrations"]
    # A newer release migrated the database (a revision this code does not know): still ready,
    # so old instances keep serving during a rolling deploy.
    alembic_at("9999_from_a_newer_release")
    assert client.get("/readyz").status_code == 200


def test_a_stale_instance_answers_503_but_its_probes(client, app, alembic_at):
    app.config["MIGRATION_GATE"] = True
    app.extensions.pop("migration_gate", None)
    try:
        assert client.get("/").status_code == 200
        alembic_at("0018_job_outbox")
        app.extensions.pop("migration_gate", None)  # as if its check interval had passed
        page, api = client.get("/"), client.get("/api/v1/products")
        assert page.status_code == 503 and page.headers["Retry-After"]
        assert api.status_code == 503 and api.get_json()["error"]["code"] == "service_unavailable"
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 503
    finally:
        app.config["MIGRATION_GATE"] = False
        app.extensions.pop("migration_gate", None)
