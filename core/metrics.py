"""Health and metrics for load balancers and Prometheus: ``/healthz``, ``/readyz``, ``/metrics``.

- ``/healthz``: the process answers (no database round trip: a load balancer must not take every
  instance out when the database blinks).
- ``/readyz``: the database and Redis answer and the database's migration is the code's head;
  503 otherwise, so a stale instance (older code against a newer schema, or the reverse) gets no
  traffic.
- ``/metrics``: Prometheus text format. Request latency is a histogram by endpoint, method and
  status, counted per process; under gunicorn set ``PROMETHEUS_MULTIPROC_DIR`` (see
  ``deploy/gunicorn.conf.py``) and every worker's figures are summed. Business figures (orders,
  payments, readings, jobs, webhook deliveries) are read from the database at scrape time, so
  every instance reports the same cluster-wide numbers; modules add theirs with
  :func:`add_db_metric`.

A stale instance — its code's migration head is not the database's — also answers 503 to every
other request (``MIGRATION_GATE``, checked at most every ``MIGRATION_GATE_SECONDS`` per process),
so nginx, which only watches answers, retries its GETs on another instance and stops sending it
traffic for a while, and it never writes with a schema it does not know.

``/metrics`` and ``/readyz`` answer only callers from ``METRICS_ALLOW_FROM`` (addresses or
networks, comma-separated; loopback by default) or with ``Authorization: Bearer <METRICS_TOKEN>``;
anyone else gets 404, as if they did not exist.
"""

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, g, jsonify, request
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import text
from werkzeug.exceptions import NotFound

from core.extensions import db

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)

_REQUESTS = CollectorRegistry(auto_describe=True)
REQUEST_LATENCY = Histogram(
    "agrobridge_request_duration_seconds",
    "Time to answer a request, by endpoint, method and status.",
    ("endpoint", "method", "status"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=_REQUESTS,
)
#: Not timed: the probes and the scrape itself.
_UNTIMED = {"health.healthz", "health.readyz", "health.metrics"}


@dataclass
class DbMetric:
    name: str
    documentation: str
    kind: str  # "gauge" or "counter"
    label: str | None
    query: Callable[[], object]  # a number, or {label value: number}


def add_db_metric(app, name: str, documentation: str, query, *, kind: str = "gauge", label=None) -> None:
    """Report ``query()`` (run in an app context at each scrape) as ``agrobridge_<name>``.

    ``query`` returns a number, or with ``label`` a ``{label value: number}`` dict. A counter's
    name gets ``_total`` from the Prometheus client."""
    app.extensions.setdefault("db_metrics", []).append(DbMetric(name, documentation, kind, label, query))


def count_by(column) -> dict:
    """``{value: rows}`` of one column, for :func:`add_db_metric` queries."""
    from sqlalchemy import func, select

    return {str(value): n for value, n in db.session.execute(select(column, func.count()).group_by(column))}


class _DbCollector:
    def __init__(self, app):
        self.app = app

    def collect(self):
        for metric in self.app.extensions.get("db_metrics", []):
            family = CounterMetricFamily if metric.kind == "counter" else GaugeMetricFamily
            name = f"agrobridge_{metric.name}"
            try:
                value = metric.query()
            except Exception:  # noqa: BLE001 - a broken figure must not hide the others
                db.session.rollback()
                log.warning("metric %s could not be read", name, exc_info=True)
                continue
            if metric.label:
                fam = family(name, metric.documentation, labels=[metric.label])
                for label_value, number in sorted(value.items()):
                    fam.add_metric([label_value], float(number))
            else:
                fam = family(name, metric.documentation, value=float(value))
            yield fam
        db.session.rollback()


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir")


def exposition(app) -> bytes:
    registry = CollectorRegistry()
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Forward(_REQUESTS))
    registry.register(_DbCollector(app))
    return generate_latest(registry)


class _Forward:
    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()


# ---- access -------------------------------------------------------------------------------------


def _networks(setting: str):
    nets = []
    for part in (setting or "").split(","):
        part = part.strip()
        if part:
            nets.append(ipaddress.ip_network(part, strict=False))
    return nets


def allowed() -> bool:
    """The caller may see ``/metrics`` and ``/readyz``: a token, or an address on the allow-list."""
    token = current_app.config.get("METRICS_TOKEN")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in net for net in current_app.extensions["metrics_allow"])


def _guard():
    if not allowed():
        raise NotFound()


# ---- routes -------------------------------------------------------------------------------------


@bp.get("/healthz")
def healthz():
    """Liveness: the process answers. Anyone."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    """Readiness: database, Redis and migrations. Allow-list or token."""
    _guard()
    checks = {"database": _check_database(), "redis": _check_redis(), "migrations": _check_migrations()}
    ready = all(c == "ok" or c == "not configured" for c in checks.values())
    response = jsonify({"status": "ready" if ready else "unavailable", "checks": checks})
    response.status_code = 200 if ready else 503
    if not ready:
        response.headers["Retry-After"] = "5"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/metrics")
def metrics():
    """Prometheus text format. Allow-list or token."""
    _guard()
    from prometheus_client import CONTENT_TYPE_LATEST

    response = Response(exposition(current_app._get_current_object()), mimetype=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def _check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        db.session.rollback()
        return f"error: {type(exc).__name__}"


def _check_redis() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    from redis import Redis

    try:
        Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return f"error: {type(exc).__name__}"


def _script(app):
    script = app.extensions.get("migration_script")
    if script is None:
        from alembic.script import ScriptDirectory

        migrate = app.extensions["migrate"]
        script = ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))
        app.extensions["migration_script"] = script
    return script


def code_heads(app) -> set[str]:
    """The migration heads this code ships (read once per process)."""
    heads = app.extensions.get("migration_heads")
    if heads is None:
        heads = app.extensions["migration_heads"] = set(_script(app).get_heads())
    return heads


def _check_migrations() -> str:
    """ "ok" when the database is at this code's head — or past it, at a revision this code does
    not know (a newer release migrated it: additive migrations keep the old code working during
    a rolling deploy). Otherwise the database is behind the code, which would break on it."""
    try:
        rows = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        db.session.rollback()
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        db.session.rollback()
        return f"error: {type(exc).__name__}"
    app = current_app._get_current_object()
    current, heads = set(rows), code_heads(app)
    if current == heads:
        return "ok"
    known = set()
    for revision in current:
        from alembic.util import CommandError

        try:
            if _script(app).get_revision(revision) is not None:
                known.add(revision)
        except CommandError:
            log.info("database migration %s is unknown to this code: newer", revision)
    if current and not known:
        return "ok"  # ahead of this code
    return f"database at {', '.join(sorted(current)) or 'nothing'}, code at {', '.join(sorted(heads))}"


def migration_gate_open(app) -> bool:
    """True if this process's code matches the database's migrations (cached a little while)."""
    now = time.monotonic()
    state = app.extensions.setdefault("migration_gate", {"checked": -1e9, "ok": True})
    if now - state["checked"] >= app.config.get("MIGRATION_GATE_SECONDS", 10):
        state["ok"] = _check_migrations() == "ok"
        state["checked"] = now
        if not state["ok"]:
            log.error("the database's migrations are not this code's: answering 503 (see /readyz)")
    return state["ok"]


# ---- wiring -------------------------------------------------------------------------------------


def _job_figures(app):
    from core.outbox import OutboxJob

    def pending():
        return db.session.scalar(
            db.select(db.func.count()).select_from(OutboxJob).where(OutboxJob.done_at.is_(None))
        )

    def failed():
        return db.session.scalar(db.select(db.func.count()).select_from(OutboxJob).where(OutboxJob.failed))

    add_db_metric(app, "job_queue_depth", "Background jobs waiting to run (the outbox).", pending)
    add_db_metric(
        app, "jobs_failed", "Background jobs given up after their last retry.", failed, kind="counter"
    )


def init_metrics(app) -> None:
    app.config.setdefault("METRICS_ALLOW_FROM", "127.0.0.1/32,::1/128")
    app.extensions["metrics_allow"] = _networks(app.config["METRICS_ALLOW_FROM"])
    app.register_blueprint(bp)
    _job_figures(app)

    @app.before_request
    def _clock():
        g.metrics_started = time.perf_counter()
        if (
            app.config.get("MIGRATION_GATE")
            and request.endpoint not in _UNTIMED
            and not migration_gate_open(app)
        ):
            from core.errors import STATUS_TEXT, json_error, wants_json

            if wants_json():
                return json_error(503, headers=[("Retry-After", "5")])
            return Response(str(STATUS_TEXT[503][1]), 503, {"Retry-After": "5"}, mimetype="text/plain")

    @app.teardown_request
    def _observe(exc):
        started = g.pop("metrics_started", None)
        endpoint = request.endpoint or "unmatched"
        if started is None or endpoint in _UNTIMED:
            return
        status = g.pop("metrics_status", 500 if exc is not None else 200)
        REQUEST_LATENCY.labels(endpoint, request.method, str(status)).observe(time.perf_counter() - started)

    @app.after_request
    def _status(response):
        g.metrics_status = response.status_code
        return response
