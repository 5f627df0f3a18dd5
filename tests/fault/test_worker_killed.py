"""A gunicorn worker killed by SIGKILL in the middle of a request: the client's retry gets
exactly one order (or one payment), and no Idempotency-Key is left stranded.

To stop a worker at a known point, the test holds a row lock the request needs (the product's
stock row, the payment row); the worker waits on it with its transaction half written, and is
killed there.
"""

import hashlib
import hmac
import json
import os
import signal
import threading
import time
from decimal import Decimal

import pytest

from tests.fault.conftest import WEBHOOK_SECRET, until
from tests.journey.conftest import localstripe  # noqa: F401 - the fixture, shared

pytestmark = [pytest.mark.fault, pytest.mark.postgres]

BUYER = "buyer@agrobridge.demo"


def orderable_product(server, database) -> dict:
    """A demo product with room for a few orders at its MOQ."""
    status, page, _ = server.request("GET", "/api/v1/products?per_page=50")
    assert status == 200, page
    for item in page["items"]:
        moq = float(item["moq"] or 1)
        if float(item["stock_quantity"]) >= moq * 20:
            return item
    raise AssertionError("no demo product with stock")


def in_background(func, *args, **kwargs) -> dict:
    """Run ``func`` in a thread; its result lands in the returned dict under "result"."""
    box = {}

    def run():
        box["result"] = func(*args, **kwargs)

    box["thread"] = threading.Thread(target=run, daemon=True)
    box["thread"].start()
    return box


def kill_the_waiting_worker(server, database, holder) -> int:
    """SIGKILL the worker stuck on our lock, release the lock, and wait until PostgreSQL has
    rolled back the dead worker's transaction (its backend has gone)."""
    pid = until(database.waiting_worker, what="a worker waiting on the held row lock")
    assert pid in server.workers()
    os.kill(pid, signal.SIGKILL)
    holder.rollback()
    holder.close()
    until(lambda: not database.app_backends(pid), what="the dead worker's connection to close")
    until(lambda: len(server.workers()) == 2 and pid not in server.workers(), what="a new worker")
    return pid


def test_a_worker_killed_while_placing_an_order(start_server, database):
    server = start_server()
    product = orderable_product(server, database)
    headers = {**server.token(BUYER), "Idempotency-Key": "fault-order-1"}
    body = {"lines": [{"product_id": product["id"], "quantity": product["moq"] or "1"}]}
    orders_before = database.value("SELECT count(*) FROM orders")

    holder = database.locked("SELECT id FROM catalog_products WHERE id = %s FOR UPDATE", product["id"])
    first = in_background(server.request, "POST", "/api/v1/orders", body, headers)
    kill_the_waiting_worker(server, database, holder)
    first["thread"].join(timeout=20)
    assert first["result"][0] == 0  # the client saw the connection drop, and retries

    status, order, _ = server.request("POST", "/api/v1/orders", body, headers)
    assert status == 201, order
    status, again, replay_headers = server.request("POST", "/api/v1/orders", body, headers)
    assert status == 201 and again["id"] == order["id"]
    assert replay_headers["Idempotent-Replayed"] == "true"
    assert database.value("SELECT count(*) FROM orders") == orders_before + 1
    assert (
        database.value(
            "SELECT count(*) FROM idempotency_keys WHERE key = 'fault-order-1' AND response_status = 201"
        )
        == 1
    )
    # The one order holds its stock once (from the product or its lots).
    reserved = database.value(
        "SELECT sum(a.quantity) FROM stock_allocations a JOIN order_lines l ON l.id = a.order_line_id "
        "WHERE a.state = 'reserved' AND l.order_id = %s",
        order["id"],
    )
    assert reserved == Decimal(order["lines"][0]["quantity"])


def _signed(payload: str) -> dict:
    timestamp = int(time.time())
    digest = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={timestamp},v1={digest}", "Content-Type": "application/json"}


def test_a_worker_killed_while_recording_a_card_payment(start_server, database, localstripe):  # noqa: F811
    server = start_server(STRIPE_API_BASE=localstripe)
    product = orderable_product(server, database)
    buyer = server.token(BUYER)
    body = {"lines": [{"product_id": product["id"], "quantity": product["moq"] or "1"}]}
    status, order, _ = server.request("POST", "/api/v1/orders", body, buyer)
    assert status == 201, order
    pay = f"/api/v1/orders/{order['id']}/payment"
    status, payment, _ = server.request("POST", pay, {"method": "card"}, buyer)
    assert status == 201, payment
    intent = {
        "id": payment["payment_intent_id"],
        "object": "payment_intent",
        "amount": int(round(float(payment["amount"]) * 100)),
        "currency": "cny",
        "status": "succeeded",
    }
    event = json.dumps(
        {
            "id": f"evt_fault_{payment['id']}",
            "object": "event",
            "type": "payment_intent.succeeded",
            "data": {"object": intent},
        }
    )

    holder = database.locked("SELECT id FROM payments WHERE id = %s FOR UPDATE", payment["id"])
    first = in_background(
        server.request, "POST", "/webhooks/stripe", headers=_signed(event), raw=event.encode()
    )
    kill_the_waiting_worker(server, database, holder)
    first["thread"].join(timeout=20)
    assert first["result"][0] == 0  # Stripe saw no 2xx, so it sends the event again

    status, answer, _ = server.request("POST", "/webhooks/stripe", headers=_signed(event), raw=event.encode())
    assert (status, answer["outcome"]) == (200, "paid")
    status, answer, _ = server.request("POST", "/webhooks/stripe", headers=_signed(event), raw=event.encode())
    assert (status, answer["outcome"]) == (200, "duplicate")
    assert database.value("SELECT status FROM payments WHERE id = %s", payment["id"]) == "succeeded"
    assert database.value("SELECT status FROM orders WHERE id = %s", order["id"]) == "paid"
    events = "SELECT count(*) FROM stripe_events WHERE id = %s"
    assert database.value(events, f"evt_fault_{payment['id']}") == 1
    assert (
        database.value(
            "SELECT count(*) FROM ledger_entries WHERE payment_id = %s AND account = 'escrow'", payment["id"]
        )
        == 1
    )
