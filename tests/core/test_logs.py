"""Logs people can use: the request id (taken, made, returned, carried into jobs) and one JSON
object a line with the actor, the client's address and the object ids of each change."""

import io
import json
import logging
import re
from decimal import Decimal

import pytest
import redis
from rq import Queue, SimpleWorker

from core import jobs, logs
from core.extensions import db
from tests import factories
from tests.marketplace.helpers import client_for, place, product

SEEN: list = []


def remember_request_id(redis_url=None):
    """A job: note the request id it runs under (in a list, or in Redis from a worker)."""
    if redis_url:
        redis.Redis.from_url(redis_url).rpush("request_ids", logs.request_id())
    else:
        SEEN.append(logs.request_id())


@pytest.fixture
def json_lines():
    """The app's JSON handler on a buffer: ``json_lines()`` parses what was written so far."""
    buffer = io.StringIO()
    handler = logs.make_handler("json", buffer)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_a_sane_request_id_is_returned_as_given(client):
    response = client.get("/", headers={"X-Request-ID": "edge-7f3a.42:b_c"})
    assert response.headers["X-Request-ID"] == "edge-7f3a.42:b_c"


@pytest.mark.parametrize(
    "header",
    [None, "", "has space", 'quote"d', "tab\there", "a;b=c", "x" * 129, "-starts-with-dash", "ünïcode"],
)
def test_a_missing_or_unsafe_request_id_is_replaced_by_a_new_one(client, header):
    headers = {"X-Request-ID": header} if header is not None else {}
    response = client.get("/", headers=headers)
    made = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get("/").headers["X-Request-ID"] != made  # one per request


def test_errors_return_the_request_id_too(client, api):
    assert client.get("/no-such-page", headers={"X-Request-ID": "r404"}).headers["X-Request-ID"] == "r404"
    response = api.get("/api/v1/_boom", headers={"X-Request-ID": "r500"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "r500"


def test_every_line_of_a_request_carries_its_id(client, json_lines):
    client.get("/", headers={"X-Request-ID": "req-home"})
    (line,) = [x for x in json_lines() if x["logger"] == "agrobridge.request"]
    assert line["request_id"] == "req-home"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/", 200)
    assert line["level"] == "INFO" and "time" in line


def test_an_in_process_job_runs_under_the_request_id_that_enqueued_it(app, json_lines):
    SEEN.clear()
    with app.test_request_context("/", headers={"X-Request-ID": "req-inline"}):
        factories.UserFactory()
        jobs.enqueue_after_commit(remember_request_id)
        db.session.commit()
    assert SEEN == ["req-inline"]
    job_lines = [x for x in json_lines() if x["logger"] == "core.jobs"]
    assert [x["message"].split()[-1] for x in job_lines] == ["started", "done"]
    assert {x["request_id"] for x in job_lines} == {"req-inline"}


def test_a_job_of_its_own_gets_an_id_of_its_own(app):
    SEEN.clear()
    factories.UserFactory()
    jobs.enqueue_after_commit(remember_request_id)
    db.session.commit()
    (rid,) = SEEN
    assert re.fullmatch(r"[0-9a-f]{32}", rid)


def test_the_worker_logs_a_queued_job_under_the_request_id(app, redis_url, json_lines):
    saved = app.config["JOBS_INLINE"], app.config["REDIS_URL"]
    app.config.update(JOBS_INLINE=False, REDIS_URL=redis_url)
    try:
        with app.test_request_context("/", headers={"X-Request-ID": "req-queued"}):
            jobs.enqueue_after_commit(remember_request_id, redis_url=redis_url)
            db.session.commit()
        connection = redis.Redis.from_url(redis_url)
        queue = Queue(app.config["JOBS_QUEUE"], connection=connection)
        (job,) = queue.get_jobs()
        assert job.meta["request_id"] == "req-queued"
        SimpleWorker([queue], connection=connection).work(burst=True)
        assert connection.lrange("request_ids", 0, -1) == [b"req-queued"]
    finally:
        app.config["JOBS_INLINE"], app.config["REDIS_URL"] = saved
    done = [x for x in json_lines() if x["logger"] == "core.jobs" and x["message"].endswith("done")]
    assert [x["request_id"] for x in done] == ["req-queued"]
    assert done[0]["job"] == "tests.core.test_logs:remember_request_id"


def test_a_status_change_is_one_json_line_with_actor_ip_and_ids(app, json_lines):
    p = product(stock="10")
    buyer = factories.UserFactory(role="buyer", name="王伟")
    buyer_api = client_for(app, buyer)
    order_id = place(buyer_api, [(p, "4")]).get_json()["id"]
    response = buyer_api.post(
        f"/api/v1/orders/{order_id}/cancel", json={}, headers={"X-Request-ID": "req-cancel"}
    )
    assert response.status_code == 200, response.get_json()
    lines = [x for x in json_lines() if x.get("request_id") == "req-cancel"]
    (status,) = [x for x in lines if x.get("event") == "order.status"]
    assert status["logger"] == "agrobridge.audit"
    assert (status["actor_id"], status["actor_role"], status["ip"]) == (buyer.id, "buyer", "127.0.0.1")
    assert (status["order_id"], status["from_status"], status["to_status"]) == (
        order_id,
        "pending_payment",
        "cancelled",
    )
    (released,) = [x for x in lines if x.get("event") == "stock.released"]
    assert (released["order_id"], released["product_id"], released["quantity"]) == (order_id, p.id, "4.000")
    assert released["actor_id"] == buyer.id  # the request's user when the service names none


def test_money_moves_are_logged_with_exact_amounts(app, json_lines):
    p = product(stock="10")
    buyer_api = client_for(app, factories.UserFactory(role="buyer"))
    order_id = place(buyer_api, [(p, "4")]).get_json()["id"]
    admin = factories.UserFactory(role="admin")
    admin_api = client_for(app, admin)
    reference = buyer_api.post(f"/api/v1/orders/{order_id}/payment", json={"method": "bank_transfer"})
    response = admin_api.post(
        "/api/v1/payments/bank-transfers",
        json={"reference": reference.get_json()["reference"], "amount": "50.00"},
        headers={"X-Request-ID": "req-bank"},
    )
    assert response.status_code == 201, response.get_json()
    lines = [x for x in json_lines() if x.get("request_id") == "req-bank"]
    (escrow,) = [x for x in lines if x.get("event") == "ledger.entry" and x["account"] == "escrow"]
    assert (escrow["amount"], escrow["order_id"], escrow["producer_id"]) == ("50.00", order_id, p.producer_id)
    assert escrow["payment_id"] and (escrow["actor_id"], escrow["actor_role"]) == (admin.id, "admin")
    (paid,) = [x for x in lines if x.get("event") == "order.status"]
    assert paid["to_status"] == "paid"


def test_text_format_is_one_readable_line(app):
    buffer = io.StringIO()
    handler = logs.make_handler("text", buffer)
    logging.getLogger().addHandler(handler)
    try:
        with app.test_request_context("/", headers={"X-Request-ID": "req-text"}):
            logs.audit("stock.released", order_id=7, quantity=Decimal("1.500"))
    finally:
        logging.getLogger().removeHandler(handler)
    (line,) = buffer.getvalue().splitlines()
    assert "INFO agrobridge.audit [req-text] stock.released" in line
    assert "actor_role=system" in line and "order_id=7 quantity=1.500" in line


def test_log_format_must_be_json_or_text(app):
    from app import create_app
    from config import TestingConfig

    settings = TestingConfig.load()
    settings["LOG_FORMAT"] = "xml"
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        create_app(settings)


def test_a_farmers_stock_change_and_an_admins_payout_are_logged_with_who_did_them(app, json_lines):
    from marketplace.models import Order
    from marketplace.services import ledger

    p = product(stock="10")
    farmer = p.producer.owner
    farmer_api = client_for(app, farmer)
    response = farmer_api.patch(
        f"/api/v1/products/{p.id}", json={"stock_quantity": "25"}, headers={"X-Request-ID": "req-stock"}
    )
    assert response.status_code == 200, response.get_json()
    (stock,) = [x for x in json_lines() if x.get("event") == "stock.adjusted"]
    assert (stock["request_id"], stock["actor_id"], stock["actor_role"]) == ("req-stock", farmer.id, "farmer")
    assert (stock["product_id"], stock["from_quantity"], stock["to_quantity"]) == (p.id, "10.000", "25")

    buyer_api = client_for(app, factories.UserFactory(role="buyer"))
    order = db.session.get(Order, place(buyer_api, [(p, "4")]).get_json()["id"])
    ledger.record("escrow", order.total, "test", order_id=order.id, producer_id=order.producer_id)
    payout = ledger.release(order)
    db.session.commit()
    admin = factories.UserFactory(role="admin")
    response = client_for(app, admin).post(
        f"/api/v1/payouts/{payout.id}/sent",
        json={"bank_reference": "SWIFT-9"},
        headers={"X-Request-ID": "req-pay"},
    )
    assert response.status_code == 200, response.get_json()
    (sent,) = [x for x in json_lines() if x.get("event") == "payout.sent"]
    assert (sent["request_id"], sent["actor_id"], sent["payout_id"]) == ("req-pay", admin.id, payout.id)
    assert (sent["order_id"], sent["amount"], sent["bank_reference"]) == (
        order.id,
        str(payout.amount),
        "SWIFT-9",
    )
