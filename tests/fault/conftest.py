"""The fault tests' world: the app under gunicorn on its own PostgreSQL database, demo data,
and handles to hurt it — kill a worker, cut its database connections, stop its Redis.

PostgreSQL only (``TEST_DATABASE_URL``): a ``<name>_fault`` database next to it, dropped at
the end. Every wait is a condition polled against a deadline.
"""

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from accounts.seed import DEMO_PASSWORD
from tests.servers import (  # noqa: F401 - BIN, ROOT, until: also imported from here
    BIN,
    ROOT,
    app_env,
    flask,
    free_port,
    http,
    is_postgres_run,
    postgres_database,
    skip_unless_postgres,
    start_gunicorn,
    stop,
    until,
    wait_for,
)

WEBHOOK_SECRET = "whsec_fault"


def pytest_collection_modifyitems(config, items):
    skip_unless_postgres(items, "tests/fault", "fault tests need PostgreSQL: set TEST_DATABASE_URL")


@pytest.fixture(autouse=True)
def _app_context():
    """No in-process app: these tests talk to gunicorn over HTTP and to PostgreSQL directly."""
    yield


# ---- the database -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def fault_database():
    """``(sqlalchemy_url, libpq_url)`` of a new database, migrated and seeded with demo data."""
    with postgres_database("_fault") as (url, libpq):
        env = _app_env(url, Path("/nonexistent"))
        flask(env, "db", "upgrade")
        flask(env, "seed-demo")
        yield url, libpq


class Database:
    """Plain SQL on the app's database, outside the app (autocommit unless in ``locked``)."""

    def __init__(self, url: str):
        import psycopg

        self.url = url
        self.name = urlsplit(url).path.lstrip("/")
        self.conn = psycopg.connect(url, autocommit=True)

    def value(self, query: str, *args):
        row = self.conn.execute(query, args).fetchone()
        return row[0] if row else None

    def rows(self, query: str, *args) -> list[tuple]:
        return self.conn.execute(query, args).fetchall()

    def locked(self, query: str, *args):
        """A second connection holding ``SELECT … FOR UPDATE`` until ``.rollback()``/``.close()``."""
        import psycopg

        holder = psycopg.connect(self.url)
        holder.execute(query, args).fetchall()
        return holder

    def app_backends(self, worker_pid: int | None = None) -> list[tuple]:
        """(pid, state, wait_event_type) of the app's connections, of one worker if given."""
        name = f"agrobridge:{worker_pid}" if worker_pid else "agrobridge:%"
        return self.rows(
            "SELECT pid, state, wait_event_type FROM pg_stat_activity "
            "WHERE datname = %s AND application_name LIKE %s",
            self.name,
            name,
        )

    def waiting_worker(self) -> int | None:
        """The gunicorn worker whose connection is waiting for a row lock, if any."""
        value = self.value(
            "SELECT application_name FROM pg_stat_activity "
            "WHERE datname = %s AND application_name LIKE 'agrobridge:%%' AND wait_event_type = 'Lock'",
            self.name,
        )
        return int(value.split(":", 1)[1]) if value else None

    def close(self):
        self.conn.close()


@pytest.fixture
def database(fault_database):
    db = Database(fault_database[1])
    yield db
    db.close()


# ---- the app ------------------------------------------------------------------------------------


def _app_env(database_url: str, tmp: Path, **extra) -> dict:
    settings = {
        "SECRET_KEY": "fault-" + "0" * 58,
        "RATELIMIT_ENABLED": "0",
        "STRIPE_SECRET_KEY": "sk_test_fault",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }
    return app_env(database_url, tmp, **{**settings, **extra})  # a test's own settings win


@dataclass
class Server:
    """gunicorn with two workers; ``request`` is a tiny HTTP client that never raises on 4xx/5xx."""

    url: str
    process: subprocess.Popen
    log: Path
    env: dict
    tokens: dict = field(default_factory=dict)

    def workers(self) -> set[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()}

    def request(self, method, path, body=None, headers=None, raw=None, timeout=20):
        """``(status, json_or_text, headers)``; status 0 when the connection broke."""
        return http(self.url + path, method, body, headers, raw, timeout)

    def token(self, email: str) -> dict:
        if email not in self.tokens:
            status, body, _ = self.request(
                "POST", "/api/v1/auth/token", {"email": email, "password": DEMO_PASSWORD}
            )
            assert status == 200, body
            self.tokens[email] = {"Authorization": f"Bearer {body['token']}"}
        return self.tokens[email]

    def flask(self, *args: str, timeout: float = 120) -> str:
        return flask(self.env, *args, timeout=timeout)


@pytest.fixture
def start_server(fault_database, tmp_path):
    """``start_server(**env)`` → a running :class:`Server`; stopped after the test."""
    started = []

    def _start(**extra) -> Server:
        port = free_port()
        env = _app_env(fault_database[0], tmp_path, PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", **extra)
        log = tmp_path / f"gunicorn-{port}.log"
        process = start_gunicorn(env, port, log)
        server = Server(url=f"http://127.0.0.1:{port}", process=process, log=log, env=env)
        started.append(server)
        wait_for(server.url + "/healthz", seconds=120, process=process)  # a busy machine boots slowly
        until(lambda: len(server.workers()) == 2, what="two gunicorn workers")
        return server

    yield _start
    for server in started:
        stop(server.process)
        if os.environ.get("FAULT_SHOW_LOG"):
            print(server.log.read_text(errors="replace")[-20000:])


# ---- a private Redis ---------------------------------------------------------------------------


@dataclass
class PrivateRedis:
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def kill(self) -> None:
        """Stop this Redis at once (never the machine's: this one is ours, by its process id)."""
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of our own on a free port, so a test may stop it."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    redis = PrivateRedis(port=port, process=process)

    def answers():
        import redis as redis_lib

        try:
            return redis_lib.Redis(port=port, socket_connect_timeout=0.5).ping()
        except redis_lib.exceptions.ConnectionError:
            return False

    try:
        until(answers, what="the private Redis")
        yield redis
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
