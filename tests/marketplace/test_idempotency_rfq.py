"""Idempotency-Key on POST /api/v1/orders, and RFQ → quote → order."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from catalog.models import Product
from core.extensions import db
from marketplace.models import IdempotencyKey, Order
from marketplace.services import idempotency
from tests import factories
from tests.marketplace.helpers import client_for, product


def _orders():
    return db.session.scalar(select(func.count(Order.id)))


def test_a_retry_returns_the_first_answer_and_reserves_once(api):
    p = product(stock="10")
    api.as_role("buyer")
    body = {"lines": [{"product_id": p.id, "quantity": "3"}]}
    first = api.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "k-1"})
    again = api.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _orders() == 1
    assert db.session.get(Product, p.id).stock_reserved == Decimal("3")
    # Another key is another order.
    assert api.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "k-2"}).status_code == 201
    assert _orders() == 2


def test_same_key_with_another_body_is_422(api):
    p = product(stock="10")
    api.as_role("buyer")
    api.post(
        "/api/v1/orders",
        json={"lines": [{"product_id": p.id, "quantity": "1"}]},
        headers={"Idempotency-Key": "k"},
    )
    response = api.post(
        "/api/v1/orders",
        json={"lines": [{"product_id": p.id, "quantity": "2"}]},
        headers={"Idempotency-Key": "k"},
    )
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "idempotency_key_reused"
    assert _orders() == 1


def test_a_retry_while_the_first_is_in_flight_is_409(api, postgres_only):
    p = product(stock="10")
    api.as_role("buyer")
    body = {"lines": [{"product_id": p.id, "quantity": "1"}]}
    # The first request holds the key in its still open transaction.
    with db.engine.connect() as first:
        lock = idempotency._lock_id(api.user, "POST /api/v1/orders", "slow")
        assert first.scalar(select(func.pg_try_advisory_xact_lock(lock)))
        response = api.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "slow"})
        assert response.status_code == 409
        assert response.get_json()["error"]["code"] == "idempotency_key_in_flight"
        first.rollback()  # the first request's worker died: its lock goes with its connection
    assert _orders() == 0
    assert api.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "slow"}).status_code == 201
    assert _orders() == 1


def _crash_once(monkeypatch, target, name):
    """Make ``target.name`` end the worker (SystemExit, as gunicorn's timeout does) once."""
    original = getattr(target, name)
    calls = []

    def crash(*args, **kwargs):
        if not calls:
            calls.append(1)
            raise SystemExit(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, crash)


@pytest.mark.parametrize(
    "where",
    ["after reserving stock", "after the order is written, before the answer"],
)
def test_a_worker_dying_mid_request_strands_no_key(api, monkeypatch, where):
    from marketplace import schemas
    from marketplace.services import orders

    p = product(stock="10")
    api.as_role("buyer")
    if where == "after reserving stock":
        _crash_once(monkeypatch, orders, "set_status_initial")
    else:
        _crash_once(monkeypatch, schemas.OrderSchema, "dump")
    body = {"lines": [{"product_id": p.id, "quantity": "3"}]}
    with pytest.raises(SystemExit):
        api.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "crash"})
    retry = api.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "crash"})
    assert retry.status_code == 201, retry.get_json()
    again = api.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "crash"})
    assert again.get_json() == retry.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert _orders() == 1
    assert db.session.get(Product, p.id).stock_reserved == Decimal("3")


def test_an_in_flight_key_left_by_an_older_release_is_recovered(api):
    p = product(stock="10")
    api.as_role("buyer")
    body = {"lines": [{"product_id": p.id, "quantity": "1"}]}
    db.session.add(
        IdempotencyKey(
            user_id=api.user.id,
            scope="POST /api/v1/orders",
            key="stranded",
            request_hash=idempotency.request_hash(body),
        )
    )
    db.session.commit()
    response = api.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "stranded"})
    assert response.status_code == 201 and _orders() == 1


def test_business_errors_are_replayed_too(api):
    p = product(stock="1")
    api.as_role("buyer")
    body = {"lines": [{"product_id": p.id, "quantity": "5"}]}
    first = api.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "short"})
    assert first.status_code == 409
    again = api.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "short"})
    assert again.status_code == 409 and again.get_json() == first.get_json()


def test_keys_are_per_user(app):
    p = product(stock="10")
    body = {"lines": [{"product_id": p.id, "quantity": "1"}]}
    for _ in range(2):
        buyer = client_for(app, factories.UserFactory(role="buyer"))
        assert buyer.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "same"}).status_code == 201
    assert _orders() == 2


def test_an_overlong_key_is_refused(api):
    p = product(stock="10")
    api.as_role("buyer")
    response = api.post(
        "/api/v1/orders",
        json={"lines": [{"product_id": p.id, "quantity": "1"}]},
        headers={"Idempotency-Key": "x" * 256},
    )
    assert response.status_code == 400 and _orders() == 0


def _rfq_setup(app):
    p = product(stock="1000", tiers=((Decimal("100"), Decimal("20.00")),))
    buyer = client_for(app, factories.UserFactory(role="buyer"))
    farmer = client_for(app, p.producer.owner)
    rfq = buyer.post(
        "/api/v1/rfqs",
        json={
            "product_id": p.id,
            "description": "Organic buckwheat, 25 kg bags",
            "quantity": "500",
            "target_price": "15.00",
            "deadline": (dt.date.today() + dt.timedelta(days=7)).isoformat(),
        },
    )
    assert rfq.status_code == 201, rfq.get_json()
    return p, buyer, farmer, rfq.get_json()


def test_rfq_to_order_at_the_quoted_price(app):
    p, buyer, farmer, rfq = _rfq_setup(app)
    assert [r["id"] for r in farmer.get("/api/v1/rfqs").get_json()] == [rfq["id"]]
    quote = farmer.post(
        f"/api/v1/rfqs/{rfq['id']}/quotes",
        json={
            "product_id": p.id,
            "unit_price": "16.40",
            "lead_time_days": 5,
            "valid_until": (dt.date.today() + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert quote.status_code == 201, quote.get_json()
    again = farmer.post(
        f"/api/v1/rfqs/{rfq['id']}/quotes",
        json={"product_id": p.id, "unit_price": "16.00", "valid_until": dt.date.today().isoformat()},
    )
    assert again.status_code == 409
    quotes = buyer.get(f"/api/v1/rfqs/{rfq['id']}/quotes").get_json()
    assert [q["unit_price"] for q in quotes] == ["16.40"]
    order = buyer.post(f"/api/v1/quotes/{quote.get_json()['id']}/accept", json={})
    assert order.status_code == 201, order.get_json()
    body = order.get_json()
    assert body["lines"][0]["unit_price"] == "16.40" and body["subtotal"] == "8200.00"
    assert db.session.get(Product, p.id).stock_reserved == Decimal("500")
    assert buyer.get(f"/api/v1/rfqs/{rfq['id']}").get_json()["status"] == "accepted"
    assert buyer.post(f"/api/v1/quotes/{quote.get_json()['id']}/accept", json={}).status_code == 409


def test_an_expired_quote_cannot_be_accepted(app):
    from marketplace.models import Quote

    p, buyer, farmer, rfq = _rfq_setup(app)
    quote_id = farmer.post(
        f"/api/v1/rfqs/{rfq['id']}/quotes",
        json={"product_id": p.id, "unit_price": "16.40", "valid_until": dt.date.today().isoformat()},
    ).get_json()["id"]
    quote = db.session.get(Quote, quote_id)
    quote.valid_until = dt.date.today() - dt.timedelta(days=1)
    db.session.commit()
    response = buyer.post(f"/api/v1/quotes/{quote_id}/accept", json={})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "quote_expired"
    assert _orders() == 0


def test_rfq_permissions_and_bad_input(app):
    p, buyer, farmer, rfq = _rfq_setup(app)
    stranger = client_for(app, factories.ProducerFactory().owner)
    other_buyer = client_for(app, factories.UserFactory(role="buyer"))
    assert stranger.get(f"/api/v1/rfqs/{rfq['id']}").status_code == 404
    assert other_buyer.get(f"/api/v1/rfqs/{rfq['id']}").status_code == 404
    assert (
        farmer.post(
            "/api/v1/rfqs",
            json={
                "description": "x",
                "quantity": "1",
                "category": "grains",
                "deadline": dt.date.today().isoformat(),
            },
        ).status_code
        == 403
    )
    past = buyer.post(
        "/api/v1/rfqs",
        json={"description": "x", "quantity": "1", "category": "grains", "deadline": "2000-01-01"},
    )
    assert past.status_code == 422
    for far in ("2062-01-01", "9999-12-31"):  # a typo of the year, not a plan
        later = buyer.post(
            "/api/v1/rfqs",
            json={"description": "x", "quantity": "1", "category": "grains", "deadline": far},
        )
        assert later.status_code == 422 and "deadline" in later.get_json()["error"]["fields"]
    nowhere = buyer.post(
        "/api/v1/rfqs", json={"description": "x", "quantity": "1", "deadline": dt.date.today().isoformat()}
    )
    assert nowhere.status_code == 422
    # A category-wide request reaches every verified producer with products in it.
    wide = buyer.post(
        "/api/v1/rfqs",
        json={
            "description": "Flax",
            "quantity": "10",
            "category": "grains",
            "deadline": dt.date.today().isoformat(),
        },
    )
    assert wide.status_code == 201
    assert wide.get_json()["id"] in [r["id"] for r in farmer.get("/api/v1/rfqs").get_json()]
    quote_other = stranger.post(
        f"/api/v1/rfqs/{rfq['id']}/quotes",
        json={"product_id": p.id, "unit_price": "1.00", "valid_until": dt.date.today().isoformat()},
    )
    assert quote_other.status_code == 404
