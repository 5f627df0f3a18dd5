"""/healthz, /readyz and /metrics: who may read them, what they say, and that Prometheus can parse it."""

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


def test_readyz_fails_when_the_database_is_behind_the_code(client):
    body = client.get("/readyz").get_json()
    assert body["checks"] == {"database": "ok", "redis": "not configured", "migrations": "ok"}, body
    (head,) = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    db.session.execute(text("UPDATE alembic_version SET version_num = '0001_older'"))
    db.session.commit()
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.headers["Retry-After"]
        assert "0001_older" in response.get_json()["checks"]["migrations"]
    finally:
        db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
        db.session.commit()
    assert client.get("/readyz").status_code == 200
