"""The journey's world: a fresh database, localstripe, the app under gunicorn, and Chromium.

Everything runs as in production: ``flask db upgrade`` and ``flask users create`` in
subprocesses, gunicorn with two workers on 127.0.0.1, jobs in-process (no Redis), Stripe
against localstripe, e-mail over SMTP to a sink in the test process (``server.mail``). The
database is PostgreSQL when TEST_DATABASE_URL points at one (a new ``<name>_journey`` database
next to it, dropped at the end), else a temporary SQLite file.
"""

import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.servers import (  # noqa: F401 - BIN, ROOT, free_port, wait_for: also imported from here
    BIN,
    ROOT,
    UNSAFE_PORTS,
    app_env,
    free_port,
    postgres_database,
    start_gunicorn,
    stop,
    wait_for,
)

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


# ---- the database -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def journey_database(tmp_path_factory):
    """A new, empty database URL for the app (PostgreSQL next to TEST_DATABASE_URL, else SQLite)."""
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        yield f"sqlite:///{tmp_path_factory.mktemp('journey-db') / 'journey.sqlite3'}"
        return
    with postgres_database("_journey") as (url, _):
        yield url


# ---- processes ----------------------------------------------------------------------------------


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
        stop(process)


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
    return app_env(
        database_url,
        tmp,
        SECRET_KEY="journey-" + "0" * 56,
        RATELIMIT_ENABLED="0",
        STRIPE_SECRET_KEY="sk_test_journey",
        STRIPE_WEBHOOK_SECRET="whsec_journey",
        STRIPE_API_BASE=stripe_url,
        STRIPE_TEST_CONFIRM="1",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=mail_port,
    )


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
    process = start_gunicorn(env, port, log)
    try:
        wait_for(srv.url + "/healthz", process=process)
        # localstripe delivers its signed webhooks to the app, as Stripe would.
        body = f"url={srv.url}/webhooks/stripe&secret=whsec_journey".encode()
        hook = urllib.request.Request(f"{localstripe}/_config/webhooks/journey", data=body)  # noqa: S310
        urllib.request.urlopen(hook, timeout=5)  # noqa: S310 - local test server
        yield srv
    finally:
        stop(process)
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
