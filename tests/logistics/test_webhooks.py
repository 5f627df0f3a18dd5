"""Buyers' webhooks: signed deliveries to a real local HTTP server, retries with exponential
backoff, the delivery log, and the address rules."""

import json
import socket
import ssl
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.errors import ValidationFailed
from core.extensions import db
from core.timeutil import utcnow
from logistics.models import WebhookDelivery
from logistics.services import webhooks
from tests import factories
from tests.logistics.helpers import event, operator_api, ready_order, shipment_with
from tests.marketplace.helpers import client_for


class Receiver:
    """A tiny HTTP endpoint on 127.0.0.1: records each POST, answers from ``statuses``."""

    def __init__(self):
        self.requests = []
        self.statuses = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((self.headers, body))  # case-insensitive
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/agrobridge"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def hooked(app, receiver):
    """A buyer with a webhook on ``receiver``, and a shipment with their order."""
    buyer = factories.UserFactory(role="buyer")
    buyer_api = client_for(app, buyer)
    response = buyer_api.put("/api/v1/tracking-webhook", json={"url": receiver.url})
    assert response.status_code == 200, response.get_json()
    secret = response.get_json()["secret"]
    api = operator_api(app)
    order = ready_order(app, buyer=buyer)
    other = ready_order(app)  # another buyer without a webhook on the same truck
    shipment_id, _ = shipment_with(app, api, orders=[order, other])
    return {
        "api": api,
        "buyer": buyer_api,
        "secret": secret,
        "order": order,
        "shipment_id": shipment_id,
        "url": f"/api/v1/shipments/{shipment_id}/events",
    }


def test_milestones_are_posted_signed(hooked, receiver):
    assert hooked["api"].post(hooked["url"], json=event("picked_up", -1)).status_code == 201
    [(headers, body)] = receiver.requests
    assert headers["Content-Type"] == "application/json"
    signature = headers["AgroBridge-Signature"]
    assert signature.startswith("t=") and ",v1=" in signature
    assert webhooks.verify(hooked["secret"], body, signature)
    assert not webhooks.verify("whsec_wrong", body, signature)
    assert not webhooks.verify(hooked["secret"], body + b" ", signature)
    stale = webhooks.sign(hooked["secret"], body, timestamp=1_000_000_000)
    assert not webhooks.verify(hooked["secret"], body, stale)
    payload = json.loads(body)
    assert payload["type"] == "shipment.event"
    assert payload["data"]["event"]["type"] == "picked_up"
    assert payload["data"]["order_ids"] == [hooked["order"].id]  # only this buyer's order
    assert payload["data"]["shipment"]["status"] == "picked_up"
    log = hooked["buyer"].get("/api/v1/tracking-webhook/deliveries").get_json()
    assert (
        log["total"] == 1
        and log["items"][0]["state"] == "delivered"
        and log["items"][0]["last_status_code"] == 200
    )


def test_failures_are_retried_with_exponential_backoff(app, hooked, receiver):
    receiver.statuses = [500, 503]
    hooked["api"].post(hooked["url"], json=event("picked_up", -1))
    delivery = db.session.query(WebhookDelivery).one()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    first_wait = delivery.next_attempt_at - utcnow()
    assert timedelta(seconds=50) < first_wait <= timedelta(seconds=60)
    assert webhooks.retry_due() == 0  # not due yet
    delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert webhooks.retry_due() == 1
    db.session.expire_all()
    delivery = db.session.get(WebhookDelivery, delivery.id)
    assert (delivery.attempts, delivery.last_status_code) == (2, 503)
    second_wait = delivery.next_attempt_at - utcnow()
    assert timedelta(seconds=110) < second_wait <= timedelta(seconds=120)  # doubled
    delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["logistics", "retry-webhooks"])
    assert "1 deliveries attempted" in result.output
    db.session.expire_all()
    delivery = db.session.get(WebhookDelivery, delivery.id)
    assert (delivery.state, delivery.attempts) == ("delivered", 3)
    assert len(receiver.requests) == 3
    assert [h["AgroBridge-Attempt"] for h, _ in receiver.requests] == ["1", "2", "3"]


def test_a_dead_endpoint_is_given_up_after_the_last_attempt(app, hooked, receiver):
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 2
    try:
        receiver.statuses = [500, 500]
        hooked["api"].post(hooked["url"], json=event("picked_up", -1))
        delivery = db.session.query(WebhookDelivery).one()
        delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        webhooks.retry_due()
        db.session.expire_all()
        delivery = db.session.get(WebhookDelivery, delivery.id)
        assert (delivery.state, delivery.next_attempt_at) == ("failed", None)
        # The buyer can replay it.
        replay = hooked["buyer"].post(f"/api/v1/tracking-webhook/deliveries/{delivery.id}/redeliver")
        assert replay.status_code == 200
        db.session.expire_all()
        assert db.session.get(WebhookDelivery, delivery.id).state == "delivered"
    finally:
        app.config.pop("WEBHOOK_MAX_ATTEMPTS")


def test_unreachable_endpoint_is_recorded_not_raised(app, hooked):
    hook = webhooks.webhook_of(hooked["order"].buyer)
    hook.url = "http://127.0.0.1:9/closed"
    db.session.commit()
    assert hooked["api"].post(hooked["url"], json=event("picked_up", -1)).status_code == 201
    delivery = db.session.query(WebhookDelivery).one()
    assert delivery.state == "pending" and delivery.last_status_code is None and delivery.last_error


def test_webhook_settings_rules(app):
    buyer = client_for(app, factories.UserFactory(role="buyer"))
    assert buyer.get("/api/v1/tracking-webhook").status_code == 404
    assert buyer.put("/api/v1/tracking-webhook", json={"url": "ftp://example.com/x"}).status_code == 422
    assert buyer.put("/api/v1/tracking-webhook", json={"url": "javascript:alert(1)"}).status_code == 422
    farmer = client_for(app, factories.UserFactory(role="farmer"))
    assert farmer.put("/api/v1/tracking-webhook", json={"url": "https://example.com/x"}).status_code == 403
    saved = buyer.put("/api/v1/tracking-webhook", json={"url": "https://example.com/hook"}).get_json()
    rotated = buyer.post("/api/v1/tracking-webhook/rotate-secret").get_json()
    assert rotated["secret"] != saved["secret"] and rotated["secret"].startswith("whsec_")
    assert buyer.delete("/api/v1/tracking-webhook").status_code == 204
    other = client_for(app, factories.UserFactory(role="buyer"))
    assert other.post("/api/v1/tracking-webhook/deliveries/1/redeliver").status_code == 404


def test_private_addresses_are_refused_outside_tests(app):
    app.testing = False
    try:
        with pytest.raises(ValidationFailed) as refused:
            webhooks.check_url("http://127.0.0.1:8080/hook")
        assert refused.value.status == 422
        with pytest.raises(ValidationFailed):
            webhooks.check_url("http://10.0.0.5/hook")
        with pytest.raises(ValidationFailed):
            webhooks.check_url("http://[::1]/hook")
        app.config["WEBHOOK_ALLOW_PRIVATE"] = True
        assert webhooks.check_url("http://127.0.0.1:8080/hook")
    finally:
        app.testing = True
        app.config.pop("WEBHOOK_ALLOW_PRIVATE", None)


@pytest.mark.parametrize(
    "url", ["https://example.com:8443/hook", "http://example.com:22/hook", "https://example.com:99999/hook"]
)
def test_only_ports_80_and_443_outside_tests(app, url):
    app.testing = False
    try:
        with pytest.raises(ValidationFailed) as refused:
            webhooks.check_url(url)
        assert "80 and 443" in str(refused.value.message)
    finally:
        app.testing = True


def test_a_delivery_error_is_recorded_as_its_class_not_the_raw_message(app, hooked):
    hook = webhooks.webhook_of(hooked["order"].buyer)
    hook.url = "http://127.0.0.1:9/closed"
    db.session.commit()
    assert hooked["api"].post(hooked["url"], json=event("picked_up", -1)).status_code == 201
    delivery = db.session.query(WebhookDelivery).one()
    assert delivery.last_error == "refused"
    listed = hooked["buyer"].get("/api/v1/tracking-webhook/deliveries").get_json()
    assert listed["items"][0]["last_error"] == "refused"
    assert "Errno" not in str(listed)


@pytest.mark.parametrize(
    "reason, expected",
    [
        (TimeoutError("timed out"), "timeout"),
        (ConnectionRefusedError(111, "Connection refused"), "refused"),
        (socket.gaierror(-2, "Name or service not known"), "dns"),
        (ssl.SSLCertVerificationError("certificate verify failed: 10.1.2.3"), "tls"),
        (OSError(113, "No route to host 10.1.2.3"), "network"),
    ],
)
def test_error_classes(reason, expected):
    assert webhooks.error_class(reason) == expected
