"""Every legal and illegal transition, the sweeps, and the e-mails they send."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from catalog.models import Product
from core.extensions import db
from core.timeutil import utcnow
from marketplace.models import Order, OrderStatusChange
from marketplace.services.lifecycle import TRANSITIONS, set_status
from marketplace.services.orders import apply_move
from tests import factories
from tests.marketplace.helpers import client_for, place, product

#: action URL → target status
ACTIONS = {
    "confirm": "confirmed",
    "ready": "ready_for_pickup",
    "cancel": "cancelled",
    "receive": "completed",
    "dispute": "disputed",
}
#: who is allowed each action (role of a party; admin is not a party but may cancel)
ACTION_ROLES = {
    "confirm": "farmer",
    "ready": "farmer",
    "cancel": None,
    "receive": "buyer",
    "dispute": "buyer",
}


@pytest.fixture
def trade(app):
    """An order of 5 units placed by a buyer, and API clients for its parties."""
    p = product(stock="10")
    buyer = factories.UserFactory(role="buyer", email="buyer@example.cn", language="zh")
    farmer = p.producer.owner
    buyer_api = client_for(app, buyer)
    order_id = place(buyer_api, [(p, "5")]).get_json()["id"]
    return {
        "order": db.session.get(Order, order_id),
        "product": p,
        "buyer": buyer_api,
        "farmer": client_for(app, farmer),
        "admin": client_for(app, factories.UserFactory(role="admin")),
        "operator": client_for(app, factories.UserFactory(role="operator")),
    }


def _force(order, status):
    """Walk the order along the happy path to ``status`` as the system would."""
    path = ["pending_payment", "paid", "confirmed", "ready_for_pickup", "in_transit", "delivered"]
    extra = {"disputed": "delivered", "completed": "delivered", "cancelled": None}
    target = extra.get(status, status)
    if status == "cancelled":
        apply_move(order, "cancelled", None, "test")
    else:
        for step in path[path.index(order.status) + 1 : path.index(target) + 1]:
            order.status = step if step in ("confirmed", "ready_for_pickup") else order.status
            if step not in ("confirmed", "ready_for_pickup"):
                apply_move(order, step, None)
        if status in ("disputed", "completed"):
            order.status = status
    db.session.commit()


CASES = []
for start in TRANSITIONS:
    for action, target in ACTIONS.items():
        legal = target in TRANSITIONS[start]
        CASES.append((start, action, legal))


@pytest.mark.parametrize("start, action, legal", CASES)
def test_transition_table(trade, start, action, legal):
    order = trade["order"]
    _force(order, start)
    role = ACTION_ROLES[action] or ("buyer" if start in ("pending_payment", "paid") else "farmer")
    reason = {"reason": "because"} if action in ("cancel", "dispute") else None
    response = trade[role].post(f"/api/v1/orders/{order.id}/{action}", json=reason or {})
    db.session.expire_all()
    changes = db.session.scalars(
        select(OrderStatusChange).where(OrderStatusChange.order_id == order.id)
    ).all()
    if legal and role in TRANSITIONS[start][ACTIONS[action]]:
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["status"] == ACTIONS[action]
        last = changes[-1]
        assert (last.from_status, last.to_status, last.reason) == (
            start,
            ACTIONS[action],
            reason["reason"] if reason else "",
        )
    else:
        assert response.status_code in (403, 409), response.get_json()
        error = response.get_json()["error"]
        assert error.get("current_status") == start
        assert db.session.get(Order, order.id).status == start


def test_buyer_cannot_cancel_after_confirmation_but_farmer_can_with_a_reason(trade):
    order = trade["order"]
    _force(order, "confirmed")
    assert trade["buyer"].post(f"/api/v1/orders/{order.id}/cancel", json={"reason": "x"}).status_code == 403
    no_reason = trade["farmer"].post(f"/api/v1/orders/{order.id}/cancel", json={})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["error"]["fields"]
    assert (
        trade["farmer"].post(f"/api/v1/orders/{order.id}/cancel", json={"reason": "hail storm"}).status_code
        == 200
    )


def test_another_farmer_cannot_confirm(trade, app):
    order = trade["order"]
    _force(order, "paid")
    stranger = client_for(app, factories.ProducerFactory().owner)
    assert stranger.post(f"/api/v1/orders/{order.id}/confirm").status_code == 404
    assert trade["operator"].post(f"/api/v1/orders/{order.id}/confirm").status_code == 403
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "paid"


def test_cancel_returns_exactly_the_reserved_stock(trade):
    order, p = trade["order"], trade["product"]
    assert db.session.get(Product, p.id).stock_reserved == Decimal("5")
    trade["buyer"].post(f"/api/v1/orders/{order.id}/cancel", json={})
    db.session.expire_all()
    assert db.session.get(Product, p.id).stock_reserved == Decimal("0")
    assert db.session.get(Product, p.id).stock_on_hand == Decimal("10")


def test_shipping_consumes_the_reserved_stock(trade):
    order, p = trade["order"], trade["product"]
    _force(order, "in_transit")
    db.session.expire_all()
    product_row = db.session.get(Product, p.id)
    assert (product_row.stock_on_hand, product_row.stock_reserved) == (Decimal("5"), Decimal("0"))


def test_dispute_needs_a_reason_and_the_window(trade, app):
    order = trade["order"]
    _force(order, "delivered")
    assert trade["buyer"].post(f"/api/v1/orders/{order.id}/dispute", json={}).status_code == 422
    order.delivered_at = utcnow() - timedelta(days=app.config["ORDER_AUTO_COMPLETE_DAYS"] + 1)
    db.session.commit()
    late = trade["buyer"].post(f"/api/v1/orders/{order.id}/dispute", json={"reason": "mouldy"})
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "dispute_window_closed"


@pytest.mark.parametrize(
    "resolution, amount, refund",
    [
        ("release", None, None),
        ("partial_refund", "100.00", "100.00"),
        ("full_refund", None, "62.50"),
    ],
)
def test_admin_resolves_disputes(trade, resolution, amount, refund):
    order = trade["order"]
    _force(order, "delivered")
    trade["buyer"].post(f"/api/v1/orders/{order.id}/dispute", json={"reason": "wet bags"})
    body = {"resolution": resolution, "note": "checked photos"}
    if amount:
        body["refund_amount"] = "10.00" if resolution == "partial_refund" else amount
    assert trade["buyer"].post(f"/api/v1/orders/{order.id}/resolve", json=body).status_code == 403
    response = trade["admin"].post(f"/api/v1/orders/{order.id}/resolve", json=body)
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert result["status"] == "completed" and result["dispute_resolution"] == resolution
    assert result["refund_amount"] == ({"partial_refund": "10.00"}.get(resolution, refund))


def test_partial_refund_must_be_less_than_the_total(trade):
    order = trade["order"]
    _force(order, "delivered")
    trade["buyer"].post(f"/api/v1/orders/{order.id}/dispute", json={"reason": "wet bags"})
    response = trade["admin"].post(
        f"/api/v1/orders/{order.id}/resolve", json={"resolution": "partial_refund", "refund_amount": "62.50"}
    )
    assert response.status_code == 422
    assert db.session.get(Order, order.id).status == "disputed"


def test_expire_unpaid_cancels_and_returns_stock(trade, app):
    order, p = trade["order"], trade["product"]
    fresh = place(trade["buyer"], [(p, "2")]).get_json()["id"]
    order.payment_due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["orders", "expire-unpaid"])
    assert result.exit_code == 0 and "Cancelled 1" in result.output
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "cancelled"
    assert db.session.get(Order, fresh).status == "pending_payment"
    assert db.session.get(Product, p.id).stock_reserved == Decimal("2")
    assert db.session.get(Order, order.id).history[-1].actor_id is None


def test_auto_complete_after_the_window(trade, app):
    order = trade["order"]
    _force(order, "delivered")
    order.delivered_at = utcnow() - timedelta(days=app.config["ORDER_AUTO_COMPLETE_DAYS"], minutes=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["orders", "auto-complete"])
    assert result.exit_code == 0 and "Completed 1" in result.output
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "completed"


def test_set_status_refuses_unknown_moves_and_changes_nothing(trade):
    from core.errors import Conflict

    order = trade["order"]
    with pytest.raises(Conflict):
        set_status(order, "delivered", None)
    assert order.status == "pending_payment"


def test_state_changes_email_the_other_party_in_their_language(trade, smtp_server):
    order = trade["order"]
    _force(order, "paid")
    smtp_server.messages.clear()
    trade["farmer"].post(f"/api/v1/orders/{order.id}/confirm")
    (message,) = smtp_server.messages
    assert message["To"] == "buyer@example.cn"
    assert order.number in message["Subject"] and "已确认" in message["Subject"]


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def test_dispute_photos(trade, app, client):
    import io

    order = trade["order"]
    url = f"/api/v1/orders/{order.id}/dispute/photos"
    early = trade["buyer"].post(
        url, data={"file": (io.BytesIO(_png()), "x.png")}, content_type="multipart/form-data"
    )
    assert early.status_code == 409
    _force(order, "delivered")
    trade["buyer"].post(f"/api/v1/orders/{order.id}/dispute", json={"reason": "bags torn"})
    added = trade["buyer"].post(
        url, data={"file": (io.BytesIO(_png()), "x.png")}, content_type="multipart/form-data"
    )
    assert added.status_code == 201, added.get_json()
    text = trade["buyer"].post(
        url, data={"file": (io.BytesIO(b"not an image"), "x.png")}, content_type="multipart/form-data"
    )
    assert text.status_code == 422
    assert (
        trade["farmer"]
        .post(url, data={"file": (io.BytesIO(_png()), "x.png")}, content_type="multipart/form-data")
        .status_code
        == 403
    )
    photo_id = added.get_json()["id"]
    client.login(order.producer.owner)
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert f"/dispute-photos/{photo_id}" in page
    shown = client.get(f"/orders/{order.id}/dispute-photos/{photo_id}")
    assert shown.mimetype == "image/jpeg"
    assert shown.headers["Cache-Control"] == "private, no-store"  # no shared cache keeps it
    stranger = type(client)(app.test_client())
    stranger.login(factories.UserFactory(role="buyer"))
    assert stranger.get(f"/orders/{order.id}/dispute-photos/{photo_id}").status_code == 404


def test_only_a_disputed_order_can_be_resolved(trade):
    """Found by the lifecycle machine: an admin could "resolve" a delivered order."""
    order = trade["order"]
    _force(order, "delivered")
    response = trade["admin"].post(f"/api/v1/orders/{order.id}/resolve", json={"resolution": "full_refund"})
    assert response.status_code == 409
    assert response.get_json()["error"]["current_status"] == "delivered"
    assert db.session.get(Order, order.id).status == "delivered"
