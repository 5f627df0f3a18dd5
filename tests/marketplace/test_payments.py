"""Payments against a real Stripe-compatible server (localstripe) and signed webhooks."""

import time
from decimal import Decimal

import pytest
import stripe
from sqlalchemy import select

from core.extensions import db
from marketplace.models import LedgerEntry, Order, Payment, Payout, Refund, StripeEvent
from marketplace.services import ledger
from marketplace.services.orders import apply_move
from tests import factories
from tests.marketplace.conftest import event, sign
from tests.marketplace.helpers import client_for, place, product


def _wait(predicate, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()
        db.session.expire_all()
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def buy(app):
    """A buyer with a pending order of 4 units at 12.50 (total 50.00)."""
    p = product(stock="10")
    buyer = client_for(app, factories.UserFactory(role="buyer"))
    order = place(buyer, [(p, "4")]).get_json()
    return {
        "buyer": buyer,
        "order": order,
        "product": p,
        "farmer": client_for(app, p.producer.owner),
        "admin": client_for(app, factories.UserFactory(role="admin")),
    }


def _order(order_id) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order_id)


def _browser_confirms(stripe_url, intent_id, card="4242424242424242"):
    client = stripe.StripeClient("sk_test_agrobridge", base_addresses={"api": stripe_url})
    method = client.v1.payment_methods.create(
        params={"type": "card", "card": {"number": card, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
    )
    client.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
    return client.v1.payment_intents.confirm(intent_id)


def _post_event(client, payload, signature=None):
    return client.post(
        "/webhooks/stripe",
        data=payload,
        headers={"Stripe-Signature": signature or sign(payload), "Content-Type": "application/json"},
    )


# ---- without Stripe keys -----------------------------------------------------------------------


def test_without_stripe_only_bank_transfer_is_offered(buy):
    order_id = buy["order"]["id"]
    card = buy["buyer"].post(f"/api/v1/orders/{order_id}/payment", json={"method": "card"})
    assert card.status_code == 422 and card.get_json()["error"]["code"] == "method_not_enabled"
    bank = buy["buyer"].post(f"/api/v1/orders/{order_id}/payment", json={"method": "bank_transfer"})
    assert bank.status_code == 201
    body = bank.get_json()
    assert body["provider"] == "bank_transfer" and body["amount"] == "50.00" and body["currency"] == "CNY"
    assert body["reference"].startswith("ABP-") and body["bank_details"]["swift"]
    # Asking again gives the same instructions, not a second payment.
    again = buy["buyer"].post(f"/api/v1/orders/{order_id}/payment", json={"method": "bank_transfer"})
    assert again.get_json()["reference"] == body["reference"]


def test_paying_an_order_that_is_not_pending_is_409(buy):
    order_id = buy["order"]["id"]
    buy["buyer"].post(f"/api/v1/orders/{order_id}/cancel", json={})
    response = buy["buyer"].post(f"/api/v1/orders/{order_id}/payment", json={"method": "bank_transfer"})
    assert response.status_code == 409


def test_only_the_buyer_pays_their_order(buy, app):
    other = client_for(app, factories.UserFactory(role="buyer"))
    assert (
        other.post(
            f"/api/v1/orders/{buy['order']['id']}/payment", json={"method": "bank_transfer"}
        ).status_code
        == 404
    )
    assert (
        buy["farmer"]
        .post(f"/api/v1/orders/{buy['order']['id']}/payment", json={"method": "bank_transfer"})
        .status_code
        == 403
    )


# ---- bank transfer ---------------------------------------------------------------------------------


def _bank(buy):
    return (
        buy["buyer"]
        .post(f"/api/v1/orders/{buy['order']['id']}/payment", json={"method": "bank_transfer"})
        .get_json()["reference"]
    )


def test_bank_transfer_exact_amount_pays(buy):
    reference = _bank(buy)
    response = buy["admin"].post(
        "/api/v1/payments/bank-transfers", json={"reference": reference, "amount": "50.00"}
    )
    assert response.status_code == 201 and response.get_json()["status"] == "succeeded"
    order = _order(buy["order"]["id"])
    assert order.status == "paid" and order.payment_status == "paid"
    assert ledger.held_for(order) == Decimal("50.00")


def test_bank_transfer_partial_then_rest(buy):
    reference = _bank(buy)
    first = buy["admin"].post(
        "/api/v1/payments/bank-transfers", json={"reference": reference, "amount": "20.00"}
    )
    assert first.get_json()["status"] == "partially_received"
    order = _order(buy["order"]["id"])
    assert order.status == "pending_payment" and order.payment_status == "partially_paid"
    buy["admin"].post("/api/v1/payments/bank-transfers", json={"reference": reference, "amount": "30.00"})
    assert _order(buy["order"]["id"]).status == "paid"


def test_bank_transfer_overpayment_is_recorded_for_refund(buy):
    reference = _bank(buy)
    buy["admin"].post("/api/v1/payments/bank-transfers", json={"reference": reference, "amount": "65.50"})
    assert _order(buy["order"]["id"]).status == "paid"
    assert ledger.balance("overpayment") == Decimal("15.50")
    refund = db.session.scalar(select(Refund))
    assert (refund.amount, refund.status) == (Decimal("15.50"), "manual_due")


@pytest.mark.parametrize(
    "body, status",
    [
        ({"reference": "ABP-0000-000000", "amount": "1.00"}, 404),
        ({"amount": "1.00"}, 422),
        ({"reference": "X", "amount": "0"}, 422),
        ({"reference": "X", "amount": 50}, 422),
        ({"reference": "X", "amount": "1.00", "received_at": "2999-01-01T00:00:00+00:00"}, 422),
    ],
)
def test_bank_transfer_bad_input(buy, body, status):
    if body.get("reference") == "X":
        body["reference"] = _bank(buy)
    response = buy["admin"].post("/api/v1/payments/bank-transfers", json=body)
    assert response.status_code == status, response.get_json()
    assert _order(buy["order"]["id"]).status == "pending_payment"


def test_transfer_quoting_the_order_number_pays_the_order(buy):
    """The proforma, issued when the order is placed, names the order number as the payment
    reference; a transfer quoting it is matched without the buyer ever opening a payment."""
    number = buy["order"]["number"]
    response = buy["admin"].post(
        "/api/v1/payments/bank-transfers", json={"reference": f" {number.lower()} ", "amount": "50.00"}
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "succeeded" and body["order_ids"] == [buy["order"]["id"]]
    assert body["reference"].startswith("ABP-")
    assert _order(buy["order"]["id"]).status == "paid"
    # a second transfer quoting the number is the same payment: an overpayment, not a new one
    again = buy["admin"].post("/api/v1/payments/bank-transfers", json={"reference": number, "amount": "5.00"})
    assert again.status_code == 201 and again.get_json()["reference"] == body["reference"]
    assert db.session.query(Payment).count() == 1
    assert ledger.balance("overpayment") == Decimal("5.00")


def test_transfer_quoting_the_order_number_uses_the_open_payment(buy):
    reference = _bank(buy)
    first = buy["admin"].post(
        "/api/v1/payments/bank-transfers", json={"reference": buy["order"]["number"], "amount": "20.00"}
    )
    assert first.status_code == 201 and first.get_json()["reference"] == reference
    assert first.get_json()["status"] == "partially_received"
    rest = buy["admin"].post(
        "/api/v1/payments/bank-transfers", json={"reference": reference, "amount": "30.00"}
    )
    assert rest.get_json()["status"] == "succeeded"
    assert db.session.query(Payment).count() == 1


def test_order_number_of_an_order_paid_with_others_names_their_reference(app):
    a, b = product(stock="10"), product(stock="10")
    buyer = client_for(app, factories.UserFactory(role="buyer"))
    buyer.post("/api/v1/cart/items", json={"product_id": a.id, "quantity": "2"})
    buyer.post("/api/v1/cart/items", json={"product_id": b.id, "quantity": "1"})
    checkout = buyer.post("/api/v1/checkouts", json={}).get_json()
    payment = buyer.post(f"/api/v1/checkouts/{checkout['id']}/payment", json={"method": "bank_transfer"})
    reference = payment.get_json()["reference"]
    order = checkout["orders"][1]
    admin = client_for(app, factories.UserFactory(role="admin"))
    refused = admin.post(
        "/api/v1/payments/bank-transfers", json={"reference": order["number"], "amount": "12.50"}
    )
    assert refused.status_code == 409, refused.get_json()
    error = refused.get_json()["error"]
    assert error["code"] == "paid_with_other_orders"
    assert error["reference"] == reference and reference in error["message"]
    assert _order(order["id"]).status == "pending_payment"
    assert db.session.query(Payment).count() == 1


def test_order_number_of_a_cancelled_order_is_refused(buy):
    buy["buyer"].post(f"/api/v1/orders/{buy['order']['id']}/cancel", json={})
    assert _order(buy["order"]["id"]).status == "cancelled"
    response = buy["admin"].post(
        "/api/v1/payments/bank-transfers", json={"reference": buy["order"]["number"], "amount": "50.00"}
    )
    assert response.status_code == 409
    assert db.session.query(Payment).count() == 0


def test_only_admins_record_transfers(buy):
    reference = _bank(buy)
    assert (
        buy["buyer"]
        .post("/api/v1/payments/bank-transfers", json={"reference": reference, "amount": "50.00"})
        .status_code
        == 403
    )


# ---- escrow, commission, payouts -----------------------------------------------------------------


def _deliver(order_id):
    order = _order(order_id)
    for step in ("confirmed", "ready_for_pickup", "in_transit", "delivered"):
        actor = order.producer.owner if step in ("confirmed", "ready_for_pickup") else None
        apply_move(order, step, actor)
    db.session.commit()


def test_receipt_releases_escrow_less_commission_and_payouts_balance(buy, app):
    reference = _bank(buy)
    buy["admin"].post("/api/v1/payments/bank-transfers", json={"reference": reference, "amount": "50.00"})
    order_id = buy["order"]["id"]
    producer_id = _order(order_id).producer_id
    _deliver(order_id)
    assert ledger.producer_balances(producer_id) == {"held": Decimal("50.00"), "due": 0, "paid": 0}
    assert buy["buyer"].post(f"/api/v1/orders/{order_id}/receive").status_code == 200
    # 5 % commission (default) of 50.00 = 2.50; 47.50 due to the producer.
    assert ledger.producer_balances(producer_id) == {"held": 0, "due": Decimal("47.50"), "paid": 0}
    assert ledger.balance("commission") == Decimal("2.50")
    payouts = buy["farmer"].get("/api/v1/payouts").get_json()
    assert [(p["amount"], p["status"]) for p in payouts] == [("47.50", "due")]
    payout_id = payouts[0]["id"]
    assert (
        buy["farmer"].post(f"/api/v1/payouts/{payout_id}/sent", json={"bank_reference": "X"}).status_code
        == 403
    )
    assert buy["admin"].post(f"/api/v1/payouts/{payout_id}/sent", json={}).status_code == 422
    sent = buy["admin"].post(f"/api/v1/payouts/{payout_id}/sent", json={"bank_reference": "SWIFT-123"})
    assert sent.status_code == 200 and sent.get_json()["status"] == "sent"
    assert (
        buy["admin"].post(f"/api/v1/payouts/{payout_id}/sent", json={"bank_reference": "again"}).status_code
        == 409
    )
    assert ledger.producer_balances(producer_id) == {"held": 0, "due": 0, "paid": Decimal("47.50")}
    # Every entry sums: what came in equals commission + paid out.
    total = sum(e.amount for e in db.session.scalars(select(LedgerEntry)) if e.account in ("escrow",))
    assert total == 0
    other_farmer = client_for(app, factories.ProducerFactory().owner)
    assert other_farmer.get("/api/v1/payouts").get_json() == []


def test_cancelling_a_paid_bank_order_makes_a_manual_refund_due(buy):
    reference = _bank(buy)
    buy["admin"].post("/api/v1/payments/bank-transfers", json={"reference": reference, "amount": "50.00"})
    buy["buyer"].post(f"/api/v1/orders/{buy['order']['id']}/cancel", json={})
    order = _order(buy["order"]["id"])
    assert order.status == "cancelled" and order.payment_status == "refunded"
    assert ledger.held_for(order) == 0 and ledger.balance("refund") == Decimal("50.00")
    assert db.session.scalar(select(Refund)).status == "manual_due"


def test_dispute_partial_refund_then_release(buy):
    reference = _bank(buy)
    buy["admin"].post("/api/v1/payments/bank-transfers", json={"reference": reference, "amount": "50.00"})
    order_id = buy["order"]["id"]
    _deliver(order_id)
    buy["buyer"].post(f"/api/v1/orders/{order_id}/dispute", json={"reason": "two bags torn"})
    buy["admin"].post(
        f"/api/v1/orders/{order_id}/resolve", json={"resolution": "partial_refund", "refund_amount": "10.00"}
    )
    order = _order(order_id)
    assert ledger.balance("refund", order_id=order_id) == Decimal("10.00")
    # 40.00 released: 2.00 commission, 38.00 to the producer.
    assert ledger.balance("producer_payable", producer_id=order.producer_id) == Decimal("38.00")
    assert db.session.scalar(select(Payout)).amount == Decimal("38.00")


# ---- Stripe, verified against localstripe ------------------------------------------------------------


def test_card_payment_confirmed_by_the_browser_and_webhook_from_localstripe(
    buy, localstripe_webhooks, stripe_on
):
    order_id = buy["order"]["id"]
    response = buy["buyer"].post(f"/api/v1/orders/{order_id}/payment", json={"method": "card"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["provider"] == "stripe" and body["payment_intent_id"].startswith("pi_")
    assert body["client_secret"] and body["amount"] == "50.00" and body["currency"] == "CNY"
    intent = _browser_confirms(stripe_on, body["payment_intent_id"])
    assert intent.status == "succeeded" and intent.amount == 5000 and intent.currency == "cny"
    assert _wait(lambda: _order(order_id).status == "paid"), (
        "localstripe's webhook did not mark the order paid"
    )
    stored = db.session.scalar(select(StripeEvent).where(StripeEvent.type == "payment_intent.succeeded"))
    assert stored.outcome == "paid" and '"pi_' in stored.payload


def test_declined_card_leaves_the_order_unpaid(buy, localstripe_webhooks, stripe_on):
    order_id = buy["order"]["id"]
    body = buy["buyer"].post(f"/api/v1/orders/{order_id}/payment", json={"method": "card"}).get_json()
    with pytest.raises(stripe.CardError):
        _browser_confirms(stripe_on, body["payment_intent_id"], card="4000000000000341")
    assert _wait(lambda: db.session.get(Payment, body["id"]).status == "failed")
    assert _order(order_id).status == "pending_payment"


def test_cancelling_a_card_paid_order_refunds_through_stripe(buy, stripe_on, app):
    order_id = buy["order"]["id"]
    body = buy["buyer"].post(f"/api/v1/orders/{order_id}/payment", json={"method": "card"}).get_json()
    _browser_confirms(stripe_on, body["payment_intent_id"])
    intent = {
        "id": body["payment_intent_id"],
        "object": "payment_intent",
        "amount": 5000,
        "currency": "cny",
        "status": "succeeded",
    }
    assert (
        _post_event(buy["buyer"].raw, event("evt_paid_1", "payment_intent.succeeded", intent)).status_code
        == 200
    )
    assert _order(order_id).status == "paid"
    buy["buyer"].post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "changed plans"})
    refund = db.session.scalar(select(Refund))
    assert refund.status == "succeeded" and refund.provider_reference.startswith("re_")
    client = stripe.StripeClient("sk_test_agrobridge", base_addresses={"api": stripe_on})
    assert client.v1.refunds.retrieve(refund.provider_reference).amount == 5000
    assert _order(order_id).payment_status == "refunded"


# ---- Stripe events the tests sign (types localstripe lacks, and the edge cases) -------------------------


@pytest.fixture
def intent(buy, stripe_on):
    """A real PaymentIntent (alipay) created through the app."""
    body = (
        buy["buyer"]
        .post(f"/api/v1/orders/{buy['order']['id']}/payment", json={"method": "alipay"})
        .get_json()
    )
    assert body["provider"] == "stripe", body
    return {
        "id": body["payment_intent_id"],
        "object": "payment_intent",
        "amount": 5000,
        "currency": "cny",
        "payment_method_types": ["alipay"],
        "status": "succeeded",
    }


@pytest.mark.parametrize("method", ["alipay", "wechat_pay"])
def test_alipay_and_wechat_pay_succeed_by_webhook(buy, stripe_on, method):
    body = (
        buy["buyer"].post(f"/api/v1/orders/{buy['order']['id']}/payment", json={"method": method}).get_json()
    )
    obj = {
        "id": body["payment_intent_id"],
        "amount": 5000,
        "currency": "cny",
        "payment_method_types": [method],
    }
    response = _post_event(buy["buyer"].raw, event(f"evt_{method}", "payment_intent.succeeded", obj))
    assert response.status_code == 200 and response.get_json()["outcome"] == "paid"
    assert _order(buy["order"]["id"]).status == "paid"


def test_replay_is_a_200_no_op(buy, intent):
    payload = event("evt_once", "payment_intent.succeeded", intent)
    assert _post_event(buy["buyer"].raw, payload).get_json()["outcome"] == "paid"
    replay = _post_event(buy["buyer"].raw, payload)
    assert replay.status_code == 200 and replay.get_json()["outcome"] == "duplicate"
    assert ledger.balance("escrow") == Decimal("50.00")  # charged once


@pytest.mark.parametrize("signature", [None, "t=1,v1=deadbeef", "garbage", "wrong-secret"])
def test_bad_or_missing_signature_is_400_and_changes_nothing(buy, intent, signature):
    payload = event("evt_forged", "payment_intent.succeeded", intent)
    headers = {"Content-Type": "application/json"}
    if signature == "wrong-secret":
        headers["Stripe-Signature"] = sign(payload, secret="whsec_other")
    elif signature:
        headers["Stripe-Signature"] = signature
    response = buy["buyer"].raw.post("/webhooks/stripe", data=payload, headers=headers)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_signature"
    assert _order(buy["order"]["id"]).status == "pending_payment"
    assert db.session.get(StripeEvent, "evt_forged") is None


def test_stale_timestamp_is_refused(buy, intent):
    payload = event("evt_old", "payment_intent.succeeded", intent)
    response = _post_event(buy["buyer"].raw, payload, sign(payload, timestamp=int(time.time()) - 3600))
    assert response.status_code == 400
    assert _order(buy["order"]["id"]).status == "pending_payment"


def test_a_late_failure_never_moves_a_paid_order_back(buy, intent):
    _post_event(buy["buyer"].raw, event("evt_ok", "payment_intent.succeeded", intent))
    failed = {**intent, "status": "requires_payment_method", "last_payment_error": {"message": "declined"}}
    response = _post_event(buy["buyer"].raw, event("evt_late_fail", "payment_intent.payment_failed", failed))
    assert response.status_code == 200 and response.get_json()["outcome"].startswith("ignored")
    assert _order(buy["order"]["id"]).status == "paid"
    assert db.session.scalar(select(Payment)).status == "succeeded"


def test_amount_mismatch_is_flagged_and_not_paid(buy, intent):
    response = _post_event(
        buy["buyer"].raw, event("evt_short", "payment_intent.succeeded", {**intent, "amount": 4000})
    )
    assert response.status_code == 200 and response.get_json()["outcome"].startswith("flagged")
    assert _order(buy["order"]["id"]).status == "pending_payment"
    assert db.session.get(StripeEvent, "evt_short").flagged
    assert "40.00" in db.session.scalar(select(Payment)).flagged_reason
    wrong_currency = _post_event(
        buy["buyer"].raw, event("evt_usd", "payment_intent.succeeded", {**intent, "currency": "usd"})
    )
    assert wrong_currency.get_json()["outcome"].startswith("flagged")
    assert _order(buy["order"]["id"]).status == "pending_payment"


def test_payment_after_cancellation_is_refunded_automatically(buy, stripe_on):
    order_id = buy["order"]["id"]
    body = buy["buyer"].post(f"/api/v1/orders/{order_id}/payment", json={"method": "card"}).get_json()
    _browser_confirms(stripe_on, body["payment_intent_id"])  # paid; Stripe's webhook is late
    buy["buyer"].post(f"/api/v1/orders/{order_id}/cancel", json={})  # too late to cancel the intent
    intent = {"id": body["payment_intent_id"], "amount": 5000, "currency": "cny", "status": "succeeded"}
    _post_event(buy["buyer"].raw, event("evt_late_pay", "payment_intent.succeeded", intent))
    order = _order(buy["order"]["id"])
    assert order.status == "cancelled" and order.payment_status == "refunded"
    refund = db.session.scalar(select(Refund))
    assert refund.amount == Decimal("50.00") and refund.status == "succeeded"  # sent to localstripe
    assert ledger.held_for(order) == 0


def test_charge_refunded_and_dispute_events(buy, intent):
    _post_event(buy["buyer"].raw, event("evt_paid", "payment_intent.succeeded", intent))
    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": intent["id"],
        "amount": 5000,
        "currency": "cny",
        "refunds": {"data": [{"id": "re_dashboard", "amount": 1000}]},
    }
    outcome = _post_event(buy["buyer"].raw, event("evt_refund", "charge.refunded", charge)).get_json()[
        "outcome"
    ]
    assert outcome == "refunds recorded: 1"
    assert ledger.balance("refund") == Decimal("10.00")
    assert _order(buy["order"]["id"]).payment_status == "partially_refunded"
    dispute = {
        "id": "dp_1",
        "object": "dispute",
        "charge": "ch_1",
        "payment_intent": intent["id"],
        "amount": 5000,
        "currency": "cny",
        "reason": "fraudulent",
    }
    _post_event(buy["buyer"].raw, event("evt_dispute", "charge.dispute.created", dispute))
    assert _order(buy["order"]["id"]).status == "disputed"


def test_payments_listed_for_the_parties(buy, app, intent):
    payments = buy["buyer"].get(f"/api/v1/orders/{buy['order']['id']}/payments").get_json()
    assert [p["method"] for p in payments] == ["alipay"]
    assert buy["farmer"].get(f"/api/v1/orders/{buy['order']['id']}/payments").status_code == 200
    other = client_for(app, factories.UserFactory(role="buyer"))
    assert other.get(f"/api/v1/orders/{buy['order']['id']}/payments").status_code == 404


def test_one_payment_for_a_whole_checkout(app):
    a = product(stock="10")
    b = product(stock="10")
    buyer = client_for(app, factories.UserFactory(role="buyer"))
    buyer.post("/api/v1/cart/items", json={"product_id": a.id, "quantity": "2"})
    buyer.post("/api/v1/cart/items", json={"product_id": b.id, "quantity": "1"})
    checkout = buyer.post("/api/v1/checkouts", json={})
    assert checkout.status_code == 201, checkout.get_json()
    body = checkout.get_json()
    assert len(body["orders"]) == 2 and body["total"]["amount"] == "37.50"
    payment = buyer.post(
        f"/api/v1/checkouts/{body['id']}/payment", json={"method": "bank_transfer"}
    ).get_json()
    assert payment["amount"] == "37.50" and sorted(payment["order_ids"]) == sorted(
        o["id"] for o in body["orders"]
    )
    admin = client_for(app, factories.UserFactory(role="admin"))
    admin.post("/api/v1/payments/bank-transfers", json={"reference": payment["reference"], "amount": "37.50"})
    assert {_order(o["id"]).status for o in body["orders"]} == {"paid"}


def test_cancelling_an_unpaid_order_cancels_its_payment_intent(buy, stripe_on):
    order_id = buy["order"]["id"]
    body = buy["buyer"].post(f"/api/v1/orders/{order_id}/payment", json={"method": "card"}).get_json()
    buy["buyer"].post(f"/api/v1/orders/{order_id}/cancel", json={})
    client = stripe.StripeClient("sk_test_agrobridge", base_addresses={"api": stripe_on})
    assert client.v1.payment_intents.retrieve(body["payment_intent_id"]).status == "canceled"
    assert db.session.get(Payment, body["id"]).status == "canceled"
