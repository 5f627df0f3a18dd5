"""A real localstripe server and the app served over real HTTP so it can receive webhooks."""

import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

WEBHOOK_SECRET = "whsec_test_agrobridge"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - local test server
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not start")


@pytest.fixture(scope="session")
def localstripe_url():
    """localstripe (PyPI) on a free local port, fresh state."""
    port = free_port()
    binary = Path(sys.executable).with_name("localstripe")
    process = subprocess.Popen(
        [str(binary), "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=os.path.dirname(__file__),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url + "/v1/customers")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def served_app(app):
    """The same app on a real HTTP port (for localstripe's webhooks)."""
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture
def stripe_on(app, localstripe_url):
    """Stripe configured against localstripe for one test."""
    keys = ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE")
    saved = {k: app.config.get(k) for k in keys}
    app.config.update(
        STRIPE_SECRET_KEY="sk_test_agrobridge",
        STRIPE_PUBLISHABLE_KEY="pk_test_agrobridge",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=localstripe_url,
    )
    yield localstripe_url
    app.config.update(saved)


@pytest.fixture
def localstripe_webhooks(stripe_on, served_app):
    """localstripe delivers its own signed webhooks to our /webhooks/stripe, for this test only
    (the server lives for the session: left on, its late events would land in other tests)."""
    _configure_webhook(stripe_on, {"url": f"{served_app}/webhooks/stripe", "secret": WEBHOOK_SECRET})
    yield served_app
    # localstripe cannot delete a webhook: narrow it to an event type that never happens.
    _configure_webhook(
        stripe_on, {"url": f"{served_app}/webhooks/stripe", "secret": WEBHOOK_SECRET, "events": ["none.none"]}
    )


def _configure_webhook(stripe_url: str, settings: dict) -> None:
    request = urllib.request.Request(  # noqa: S310 - local test server
        f"{stripe_url}/_config/webhooks/agrobridge",
        data=json.dumps(settings).encode(),
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=5)  # noqa: S310 - local test server


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A Stripe-Signature header as Stripe computes it."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(event_id: str, event_type: str, obj: dict) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "livemode": False,
            "data": {"object": obj},
        }
    ).encode()
