"""Fixtures: one migrated database per run (SQLite, or PostgreSQL via TEST_DATABASE_URL),
emptied after every test; a client that knows its CSRF token; ``login_as(role)``."""

import os
import re
import tempfile

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from sqlalchemy import text

from app import create_app
from core.extensions import db, limiter
from tests import factories

# Property tests (Hypothesis): a modest number of examples and no per-example deadline, so
# the suite stays quick on two shared cores (each example may touch the database);
# HYPOTHESIS_PROFILE=thorough for a long search. No example database: a run writes no files.
# The examples of one test share its (function-scoped) database on purpose.
settings.register_profile(
    "agrobridge",
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("thorough", parent=settings.get_profile("agrobridge"), max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "agrobridge"))

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def pytest_configure(config):
    """Under pytest-xdist (``-n 2``) each worker gets its own PostgreSQL database and Redis db
    number, so workers never see each other's rows or keys. The worker's environment is
    rewritten before any fixture reads it: the databases the server tests create are then
    named after the worker's too."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    number = int(worker.removeprefix("gw"))
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    base, _, db_number = redis_url.rpartition("/")
    os.environ["TEST_REDIS_URL"] = f"{base}/{max(int(db_number or 15) - number, 0)}"
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith(("postgresql", "postgres://")):
        from tests.servers import create_postgres_database, drop_postgres_database

        own = create_postgres_database(url, f"_{worker}")
        os.environ["TEST_DATABASE_URL"] = own
        config.add_cleanup(lambda: drop_postgres_database(own))


def _database_url(tmp_dir: str) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return (
            url.replace("postgresql://", "postgresql+psycopg://", 1)
            if url.startswith("postgresql://")
            else url
        )
    return f"sqlite:///{os.path.join(tmp_dir, 'test.sqlite3')}"


@pytest.fixture(scope="session")
def app():
    from config import TestingConfig

    tmp_dir = tempfile.mkdtemp(prefix="agrobridge-test-")
    settings = TestingConfig.load()
    settings["SQLALCHEMY_DATABASE_URI"] = _database_url(tmp_dir)
    settings["UPLOAD_DIR"] = os.path.join(tmp_dir, "uploads")
    settings["INSTANCE_PATH"] = tmp_dir
    application = create_app(settings)
    application.test_client_class = IsolatedClient
    _add_crashing_routes(application)
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()  # the schema comes from the migrations, as in production
        application.extensions["seeded_tables"] = _seeded_tables()
    yield application


def _add_crashing_routes(application):
    """Routes that fail on purpose, to prove a crash leaks nothing (registered up front:
    Flask refuses new routes once it has served a request)."""

    def boom():
        raise RuntimeError("secret internals /etc/passwd")

    application.add_url_rule("/api/v1/_boom", "api_boom", boom)
    application.add_url_rule("/_boom", "boom", boom)


@pytest.fixture(autouse=True)
def _app_context(app):
    with app.app_context():
        yield
        db.session.remove()
        _empty_tables()


def _seeded_tables() -> set[str]:
    """Tables the migrations fill with reference data (districts, categories…): kept."""
    with db.engine.connect() as conn:
        return {
            t.name
            for t in db.metadata.sorted_tables
            if conn.execute(text(f'SELECT 1 FROM "{t.name}" LIMIT 1')).first() is not None
        }


def _empty_tables():
    from flask import current_app

    seeded = current_app.extensions["seeded_tables"]
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in seeded]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def is_postgres(app):
    return db.engine.dialect.name == "postgresql"


@pytest.fixture
def postgres_only(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL (locking and concurrency)")


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, as in production.

    Without this the test's app context (and so ``g``: Flask-Login's user, Flask-WTF's
    token) would be shared by every request. The test's session ends its transaction
    first, so it holds no locks, and reloads what it reads afterwards.
    """

    def open(self, *args, **kwargs):
        db.session.rollback()
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


class Client:
    """The Flask test client plus what a browser does: keep the CSRF token, log in."""

    def __init__(self, flask_client):
        self.raw = flask_client
        self.user = None

    def __getattr__(self, name):
        return getattr(self.raw, name)

    def csrf_token(self) -> str:
        page = self.raw.get("/").get_data(as_text=True)
        return CSRF_RE.search(page).group(1)

    def post_form(self, url, data=None, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf_token())
        return self.raw.post(url, data=data, **kwargs)

    def login(self, user, password=factories.PASSWORD):
        response = self.post_form("/login", {"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        self.user = user
        return response


@pytest.fixture
def client(app):
    return Client(app.test_client())


@pytest.fixture
def login_as(client):
    """``login_as("farmer")`` → a new user of that role, logged in on ``client``."""

    def _login(role, **fields):
        user = factories.UserFactory(role=role, **fields)
        client.login(user)
        return user

    return _login


@pytest.fixture
def api(app):
    """An API client with a bearer token: ``api.as_role("buyer")``, then ``api.get(...)``."""
    return ApiClient(app.test_client())


class ApiClient:
    def __init__(self, flask_client):
        self.raw = flask_client
        self.token = None
        self.user = None

    def as_user(self, user, password=factories.PASSWORD):
        response = self.raw.post("/api/v1/auth/token", json={"email": user.email, "password": password})
        assert response.status_code == 200, response.get_json()
        self.token = response.get_json()["token"]
        self.user = user
        return self

    def as_role(self, role, **fields):
        return self.as_user(factories.UserFactory(role=role, **fields))

    def _headers(self, headers):
        merged = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        merged.update(headers or {})
        return merged

    def get(self, url, headers=None, **kw):
        return self.raw.get(url, headers=self._headers(headers), **kw)

    def post(self, url, headers=None, **kw):
        return self.raw.post(url, headers=self._headers(headers), **kw)

    def patch(self, url, headers=None, **kw):
        return self.raw.patch(url, headers=self._headers(headers), **kw)

    def put(self, url, headers=None, **kw):
        return self.raw.put(url, headers=self._headers(headers), **kw)

    def delete(self, url, headers=None, **kw):
        return self.raw.delete(url, headers=self._headers(headers), **kw)


@pytest.fixture
def rate_limits(app):
    """Turn the rate limiter on for one test, with fresh counters."""
    limiter.enabled = True
    limiter.reset()
    yield limiter
    limiter.reset()
    limiter.enabled = False


@pytest.fixture
def smtp_server(app):
    """A real SMTP server (aiosmtpd) on a free local port; ``.messages`` holds what arrived."""
    import socket
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
            self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        yield sink
    finally:
        app.config.update(saved)
        controller.stop()


@pytest.fixture
def redis_url():
    """The machine's real Redis (TEST_REDIS_URL, default db 15 on 127.0.0.1:6379)."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {url}")
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
