"""PostgreSQL connections cut under load (``pg_terminate_backend`` on the app's database only):
the app recovers by itself (the pool pings and replaces dead connections), a request caught
mid-transaction answers 503 with Retry-After, and no order a client was told about is lost.
"""

import threading
import uuid

import pytest

from tests.fault.conftest import until

pytestmark = [pytest.mark.fault, pytest.mark.postgres]

CLIENTS = 3
ORDERS_PER_CLIENT = 12
CUTS = 3


def stocked_products(server, count: int, orders: int) -> list[dict]:
    status, page, _ = server.request("GET", "/api/v1/products?per_page=50")
    assert status == 200, page
    found = [p for p in page["items"] if float(p["stock_quantity"]) >= float(p["moq"] or 1) * orders]
    assert len(found) >= count, "not enough demo products with stock"
    return found[:count]


def place_orders(server, headers, product, results, stop):
    """A client that retries with the same Idempotency-Key until it gets an answer."""
    body = {"lines": [{"product_id": product["id"], "quantity": product["moq"] or "1"}]}
    for _ in range(ORDERS_PER_CLIENT):
        key = uuid.uuid4().hex
        for _attempt in range(50):
            if stop.is_set():
                return
            status, answer, _ = server.request(
                "POST", "/api/v1/orders", body, {**headers, "Idempotency-Key": key}
            )
            results["statuses"].append(status)
            if status == 201:
                results["acknowledged"][key] = (answer["id"], answer["number"])
                break
            if status not in (503, 409):  # 409: the key is still held by the cut transaction
                results["unexpected"].append((status, answer))
                break
            stop.wait(0.05)


def test_connections_cut_under_load(start_server, database):
    server = start_server()
    workers = server.workers()
    headers = server.token("buyer@agrobridge.demo")
    products = stocked_products(server, CLIENTS, ORDERS_PER_CLIENT)
    orders_before = database.value("SELECT count(*) FROM orders")
    results = {"statuses": [], "acknowledged": {}, "unexpected": []}
    stop = threading.Event()
    clients = [
        threading.Thread(target=place_orders, args=(server, headers, p, results, stop), daemon=True)
        for p in products
    ]
    for client in clients:
        client.start()
    try:
        cut = 0
        for n in range(CUTS):
            # Cut once more orders have gone through, so every cut lands in live traffic.
            until(lambda n=n: len(results["acknowledged"]) > n * 3, seconds=60, what="orders between cuts")
            cut += database.value(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                database.name,
            )
        for client in clients:
            client.join(timeout=120)
        assert not any(client.is_alive() for client in clients), "a client is stuck"
    finally:
        stop.set()

    assert cut >= CUTS, "no app connection was open to cut"
    assert not results["unexpected"], results["unexpected"]
    assert 500 not in results["statuses"] and 0 not in results["statuses"]
    acknowledged = results["acknowledged"]
    assert len(acknowledged) == CLIENTS * ORDERS_PER_CLIENT
    # Every order a client was told about is there, once; no order nobody was told about.
    stored = dict(database.rows("SELECT id, number FROM orders"))
    assert all(stored.get(order_id) == number for order_id, number in acknowledged.values())
    assert database.value("SELECT count(*) FROM orders") == orders_before + len(acknowledged)
    # Recovered without a restart: the same workers answer pages and the API.
    assert server.workers() == workers
    assert server.request("GET", "/healthz")[0] == 200
    assert server.request("GET", "/catalog")[0] == 200
    assert server.request("GET", "/api/v1/orders", headers=headers)[0] == 200
