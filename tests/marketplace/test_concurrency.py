"""No overselling under real concurrency (PostgreSQL: SQLite ignores row locks)."""

import threading
from collections import Counter
from decimal import Decimal

from sqlalchemy import func, select

from catalog.models import Lot, Product
from core.extensions import db
from marketplace.models import Order
from tests import factories
from tests.conftest import ApiClient
from tests.marketplace.helpers import product

THREADS = 40


def _at_once(app, clients, send) -> list:
    """``send(client)`` for every client at the same instant, each in its own thread (and
    app context, so its own session); their results."""
    db.session.rollback()
    barrier = threading.Barrier(len(clients))
    results = []
    lock = threading.Lock()

    def run(client):
        with app.app_context():
            barrier.wait()
            result = send(client)
            with lock:
                results.append(result)
            db.session.remove()

    workers = [threading.Thread(target=run, args=(c,)) for c in clients]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    return results


def _race(app, product_id, quantity="1", threads=THREADS):
    """``threads`` buyers order at the same instant; returns the status codes."""
    clients = [
        ApiClient(app.test_client()).as_user(factories.UserFactory(role="buyer")) for _ in range(threads)
    ]
    body = {"lines": [{"product_id": product_id, "quantity": quantity}]}
    return Counter(
        _at_once(app, clients, lambda client: client.post("/api/v1/orders", json=body).status_code)
    )


def test_forty_buyers_ten_units(app, postgres_only):
    p = product(stock="10")
    codes = _race(app, p.id)
    db.session.expire_all()
    row = db.session.get(Product, p.id)
    print(
        f"\nconcurrency: {THREADS} attempts → {codes[201]} placed, {codes[409]} refused (409); "
        f"stock on hand {row.stock_on_hand}, reserved {row.stock_reserved}"
    )
    assert codes == Counter({201: 10, 409: 30})
    assert row.stock_reserved == Decimal("10") and row.stock_on_hand == Decimal("10")
    assert db.session.scalar(select(func.count(Order.id))) == 10


def test_forty_buyers_racing_for_lots(app, postgres_only):
    p = product(stock="0", tracks_lots=True)
    lots = [factories.LotFactory(product=p, quantity=Decimal("4")) for _ in range(3)]  # 12 units
    codes = _race(app, p.id, quantity="2")
    db.session.expire_all()
    reserved = [db.session.get(Lot, lot.id).quantity_reserved for lot in lots]
    assert codes == Counter({201: 6, 409: 34})
    assert reserved == [Decimal("4")] * 3


def test_the_same_webhook_twice_at_once_is_processed_once(app, postgres_only, stripe_on):
    from marketplace.models import LedgerEntry
    from tests.marketplace.conftest import event, sign
    from tests.marketplace.helpers import client_for, place

    p = product(stock="10")
    buyer = client_for(app, factories.UserFactory(role="buyer"))
    order_id = place(buyer, [(p, "4")]).get_json()["id"]
    payment = buyer.post(f"/api/v1/orders/{order_id}/payment", json={"method": "wechat_pay"}).get_json()
    payload = event(
        "evt_twin",
        "payment_intent.succeeded",
        {"id": payment["payment_intent_id"], "amount": 5000, "currency": "cny"},
    )

    def deliver(client):
        response = client.post(
            "/webhooks/stripe",
            data=payload,
            headers={"Stripe-Signature": sign(payload), "Content-Type": "application/json"},
        )
        return response.status_code, response.get_json()["outcome"]

    outcomes = _at_once(app, [app.test_client() for _ in range(2)], deliver)
    assert sorted(outcomes) == [(200, "duplicate"), (200, "paid")]
    entries = db.session.scalars(select(LedgerEntry).where(LedgerEntry.account == "escrow")).all()
    assert [e.amount for e in entries] == [Decimal("50.00")]
    assert db.session.get(Order, order_id).history[-1].to_status == "paid"


def test_a_pairs_first_orders_at_once_share_one_contract(app, postgres_only):
    """The export contract is made with a pair's first order: two first orders at once both
    succeed and cite the same contract (one row, one number taken)."""
    from trade.models import ExportContract

    p = product(stock="100")
    buyer = factories.UserFactory(role="buyer")
    clients = [ApiClient(app.test_client()).as_user(buyer) for _ in range(6)]
    product_id, buyer_id = p.id, buyer.id  # the threads must not touch this session's objects

    def buy(client):
        response = client.post(
            "/api/v1/orders", json={"lines": [{"product_id": product_id, "quantity": "1"}]}
        )
        return response.status_code, (response.get_json().get("contract") or {}).get("number")

    answers = _at_once(app, clients, buy)
    contracts = db.session.scalars(select(ExportContract).where(ExportContract.buyer_id == buyer_id)).all()
    assert len(contracts) == 1
    assert answers == [(201, contracts[0].number)] * len(clients)
