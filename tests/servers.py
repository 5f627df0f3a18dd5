"""What the tests that run real servers share (the journey, the fault tests, the cluster test):
free ports, polling against a deadline, a database of their own next to TEST_DATABASE_URL, the
app's environment for a subprocess, gunicorn started and stopped, and a tiny HTTP client.
"""

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: Ports Chromium refuses to open ("unsafe ports").
UNSAFE_PORTS = {5060, 5061, 6665, 6666, 6667, 6668, 6669}
#: Settings of the test run that must not leak into a server's environment.
_NOT_INHERITED_PREFIXES = ("STRIPE_", "MAIL_", "TEST_", "PYTEST_")
_NOT_INHERITED = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "FLASK_DEBUG", "FORCE_HTTPS", "JOBS_INLINE"}


def free_port() -> int:
    """A free loopback port: any (the kernel's choice), or one in ``TEST_PORT_RANGE`` ("7300-7399")
    when that is set, for machines where ports are shared out."""
    span = os.environ.get("TEST_PORT_RANGE")
    if span:
        low, high = (int(p) for p in span.split("-"))
        for port in random.sample(range(low, high + 1), high - low + 1):
            with socket.socket() as probe:
                try:
                    probe.bind(("127.0.0.1", port))
                except OSError:
                    continue
            if port not in UNSAFE_PORTS:
                return port
        raise RuntimeError(f"no free port in {span}")
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port not in UNSAFE_PORTS:
            return port


def wait_for(url: str, seconds: float = 30, process: subprocess.Popen | None = None) -> None:
    """Until ``url`` answers (any HTTP status); fails if ``process`` exits first."""
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


def until(predicate, seconds: float = 20, what: str = "condition", interval: float = 0.05):
    """Poll ``predicate`` until it returns something truthy; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def is_postgres_run() -> bool:
    return os.environ.get("TEST_DATABASE_URL", "").startswith(
        ("postgresql://", "postgresql+psycopg://", "postgres://")
    )


def skip_unless_postgres(items, folder: str, reason: str) -> None:
    """Mark the collected tests under ``folder`` skipped on a SQLite run."""
    if is_postgres_run():
        return
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if folder in str(item.fspath):
            item.add_marker(skip)


def libpq_url(sqlalchemy_url: str, database: str) -> str:
    parts = urlsplit(sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1))
    return urlunsplit(parts._replace(path=f"/{database}"))


def create_postgres_database(base: str, suffix: str) -> str:
    """Create (afresh) the database named after ``base``'s plus ``suffix``; its SQLAlchemy URL."""
    import psycopg

    base = base.replace("postgres://", "postgresql://", 1)
    name = (urlsplit(base).path.lstrip("/") or "agrobridge") + suffix
    with psycopg.connect(libpq_url(base, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(
            f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0 "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
    parts = urlsplit(base.replace("postgresql://", "postgresql+psycopg://", 1))
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_postgres_database(url: str):
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(libpq_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def postgres_database(suffix: str):
    """``(sqlalchemy_url, libpq_url)`` of a new, empty database named after TEST_DATABASE_URL's
    plus ``suffix``; dropped afterwards."""
    url = create_postgres_database(os.environ["TEST_DATABASE_URL"], suffix)
    try:
        yield url, libpq_url(url, urlsplit(url).path.lstrip("/"))
    finally:
        drop_postgres_database(url)


def app_env(database_url: str, tmp: Path, **settings) -> dict:
    """The environment of an app subprocess: this one's, minus the test run's own settings,
    plus a database, a fixed secret key, plain-HTTP cookies and ``settings``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(_NOT_INHERITED_PREFIXES) and k not in _NOT_INHERITED
    }
    env.update(
        FLASK_APP="app",
        DATABASE_URL=database_url,
        SECRET_KEY="servers-" + "0" * 56,
        SESSION_COOKIE_SECURE="0",
        INSTANCE_PATH=str(tmp / "instance"),
        UPLOAD_DIR=str(tmp / "uploads"),
        PYTHONUNBUFFERED="1",
    )
    env.update({k: str(v) for k, v in settings.items()})
    return env


def flask(env: dict, *args: str, timeout: float = 300) -> str:
    """Run a ``flask`` command as the app's operator would; fails the test on a non-zero exit."""
    result = subprocess.run(
        [str(BIN / "flask"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def start_gunicorn(env: dict, port: int, log: Path, workers: int = 2) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
                "app:app",
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 15 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def decode(data: bytes):
    try:
        return json.loads(data)
    except ValueError:
        return data.decode(errors="replace")


def http(url: str, method: str = "GET", body=None, headers=None, raw=None, timeout: float = 20):
    """``(status, json_or_text, headers)``; status 0 when the connection broke. Never raises on
    4xx/5xx."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - local servers
    if body is not None:
        req.add_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        req.add_header(key, value)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:  # noqa: S310 - local servers
            return response.status, decode(response.read()), response.headers
    except urllib.error.HTTPError as error:
        return error.code, decode(error.read()), error.headers
    except (ConnectionError, urllib.error.URLError, TimeoutError, OSError):
        return 0, None, {}
