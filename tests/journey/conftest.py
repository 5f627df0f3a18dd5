"""The journey's world: a fresh database, localstripe, the app under gunicorn, and Chromium.

Everything runs as in production: ``flask db upgrade`` and ``flask users create`` in
subprocesses, gunicorn with two workers on 127.0.0.1, jobs in-process (no Redis), Stripe
against localstripe, e-mail over SMTP to a sink in the test process (``server.mail``). The
database is PostgreSQL when TEST_DATABASE_URL points at one (a new ``<name>_journey`` database
next to it, dropped at the end), else a temporary SQLite file.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Ports Chromium refuses to open ("unsafe ports").
UNSAFE_PORTS = {5060, 5061, 6665, 6666, 6667, 6668, 6669}

ADMIN = ("admin@journey.example", "Harbor lantern 2026", "Alla Admin", "en")
OPERATOR = ("operator@journey.example", "Taiga compass 2026", "Олег Оператор", "ru")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM:
        return
    skip = pytest.mark.skip(reason="no Chromium: apt-get install chromium fonts-wqy-zenhei (CI does)")
    for item in items:
        if "tests/journey" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _app_context():
    """The suite's in-process app (and its per-test table wipe) is not needed: the journey
    talks to its own server over HTTP."""
    yield


def free_port() -> int:
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port not in UNSAFE_PORTS:
            return port


def wait_for(url: str, seconds: float = 30, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server behind {url} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - local test server
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not start")


# ---- the database -------------------------------------------------------------------------------


def _psycopg_url(sqlalchemy_url: str, database: str) -> str:
    parts = urlsplit(sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1))
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture(scope="session")
def journey_database(tmp_path_factory):
    """A new, empty database URL for the app (PostgreSQL next to TEST_DATABASE_URL, else SQLite)."""
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        yield f"sqlite:///{tmp_path_factory.mktemp('journey-db') / 'journey.sqlite3'}"
        return
    import psycopg

    base = base.replace("postgres://", "postgresql://", 1)
    name = (urlsplit(base).path.lstrip("/") or "agrobridge") + "_journey"
    admin_url = _psycopg_url(base, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(
            f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0 "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
    parts = urlsplit(base.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---- processes ----------------------------------------------------------------------------------


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="session")
def localstripe():
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "localstripe"), "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tempfile.gettempdir(),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/v1/customers", process=process)
        yield url
    finally:
        _stop(process)


class MailSink:
    """An SMTP server (aiosmtpd) in the test process: ``.messages`` holds what the app sent."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"

    def wait_for(self, to: str, seconds: float = 10):
        """The newest message to ``to`` (waits for it to arrive)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = [m for m in self.messages if m["To"] == to]
            if found:
                return found[-1]
            time.sleep(0.1)
        raise AssertionError(f"no e-mail to {to}; got {[m['To'] for m in self.messages]}")


@pytest.fixture(scope="session")
def mail_sink():
    from aiosmtpd.controller import Controller

    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield sink, controller.port
    finally:
        controller.stop()


@dataclass
class Server:
    url: str
    env: dict
    log: Path
    mail: MailSink

    def flask(self, *args: str) -> str:
        result = subprocess.run(
            [str(BIN / "flask"), *args], env=self.env, cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout


def _app_env(database_url: str, tmp: Path, port: int, stripe_url: str, mail_port: int) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("STRIPE_", "MAIL_", "TEST_", "PYTEST_"))
        and k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "FLASK_DEBUG", "FORCE_HTTPS", "JOBS_INLINE"}
    }
    env.update(
        FLASK_APP="app",
        DATABASE_URL=database_url,
        SECRET_KEY="journey-" + "0" * 56,
        SESSION_COOKIE_SECURE="0",
        RATELIMIT_ENABLED="0",
        STRIPE_SECRET_KEY="sk_test_journey",
        STRIPE_WEBHOOK_SECRET="whsec_journey",
        STRIPE_API_BASE=stripe_url,
        STRIPE_TEST_CONFIRM="1",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(mail_port),
        INSTANCE_PATH=str(tmp / "instance"),
        UPLOAD_DIR=str(tmp / "uploads"),
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture(scope="session")
def server(journey_database, localstripe, mail_sink, tmp_path_factory):
    """gunicorn serving the app on a free local port, with the admin and the operator created."""
    tmp = tmp_path_factory.mktemp("journey-app")
    port = free_port()
    sink, mail_port = mail_sink
    env = _app_env(journey_database, tmp, port, localstripe, mail_port)
    log = tmp / "gunicorn.log"
    srv = Server(url=f"http://127.0.0.1:{port}", env=env, log=log, mail=sink)
    srv.flask("db", "upgrade")
    for email, password, name, language in (ADMIN, OPERATOR):
        role = "admin" if email.startswith("admin") else "operator"
        srv.flask(
            "users", "create", "--email", email, "--password", password, "--role", role,
            "--name", name, "--language", language,
        )  # fmt: skip
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "60", "app:app"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(srv.url + "/healthz", process=process)
        # localstripe delivers its signed webhooks to the app, as Stripe would.
        body = f"url={srv.url}/webhooks/stripe&secret=whsec_journey".encode()
        hook = urllib.request.Request(f"{localstripe}/_config/webhooks/journey", data=body)  # noqa: S310
        urllib.request.urlopen(hook, timeout=5)  # noqa: S310 - local test server
        yield srv
    finally:
        _stop(process)
        if os.environ.get("JOURNEY_SHOW_LOG"):
            print(log.read_text(errors="replace")[-20000:])


@pytest.fixture(scope="session")
def journey_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
