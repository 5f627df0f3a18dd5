"""Payouts carry the producer's bank details (their legal data); each order has an itemised
statement (gross, refunds, commission, net); the history downloads as CSV."""

import csv
import io
from decimal import Decimal

from sqlalchemy import select

from core.extensions import db
from marketplace.models import Payout
from tests.marketplace.test_payments import _bank, _deliver, _order, buy  # noqa: F401 (fixture)


def _disputed_and_partly_refunded(buy):  # noqa: F811
    reference = _bank(buy)
    buy["admin"].post("/api/v1/payments/bank-transfers", json={"reference": reference, "amount": "50.00"})
    order_id = buy["order"]["id"]
    _deliver(order_id)
    buy["buyer"].post(f"/api/v1/orders/{order_id}/dispute", json={"reason": "two bags torn"})
    buy["admin"].post(
        f"/api/v1/orders/{order_id}/resolve", json={"resolution": "partial_refund", "refund_amount": "10.00"}
    )
    return _order(order_id)


def test_a_payout_keeps_the_producers_bank_details(buy):  # noqa: F811
    order = _disputed_and_partly_refunded(buy)
    payout = db.session.scalar(select(Payout))
    producer = order.producer
    assert payout.bank_account == producer.bank_account and payout.bik == producer.bik
    assert payout.beneficiary == producer.legal_name_ru
    listed = buy["farmer"].get("/api/v1/payouts").get_json()[0]
    assert listed["bank_account"] == producer.bank_account


def test_the_balance_page_itemises_each_order(buy, client):  # noqa: F811
    order = _disputed_and_partly_refunded(buy)
    client.login(order.producer.owner)
    page = client.get("/balance").get_data(as_text=True)
    # 50.00 paid, 10.00 refunded, 2.00 commission (5 % of 40.00), 38.00 net.
    for text in ("50.00", "-CN¥10.00", "-CN¥2.00", "38.00", order.producer.bank_account, "payouts.csv"):
        assert text in page, text


def test_the_history_downloads_as_csv(buy, client):  # noqa: F811
    order = _disputed_and_partly_refunded(buy)
    client.login(order.producer.owner)
    response = client.get("/balance/payouts.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["order"] == order.number and row["status"] == "due"
    assert (
        Decimal(row["gross"]),
        Decimal(row["refunds"]),
        Decimal(row["commission"]),
        Decimal(row["net"]),
    ) == (
        Decimal("50.00"),
        Decimal("10.00"),
        Decimal("2.00"),
        Decimal("38.00"),
    )
    assert row["account"] == order.producer.bank_account


def test_another_farmer_downloads_only_their_own(buy, client, login_as):  # noqa: F811
    _disputed_and_partly_refunded(buy)
    login_as("farmer")
    body = client.get("/balance/payouts.csv").get_data(as_text=True)
    assert len(body.strip().splitlines()) == 1  # the header only
    login_as("buyer")
    assert client.get("/balance/payouts.csv").status_code == 403


def test_a_payout_without_bank_details_cannot_be_sent(buy):  # noqa: F811
    order = _disputed_and_partly_refunded(buy)
    payout = db.session.scalar(select(Payout))
    payout.bank_account = ""
    order.producer.bank_account = ""
    db.session.commit()
    answer = buy["admin"].post(f"/api/v1/payouts/{payout.id}/sent", json={"bank_reference": "X-1"})
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "no_bank_details"
