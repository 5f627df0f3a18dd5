"""Set-ups for the trade tests: orders in a given state, rates, tariffs, reading PDFs."""

import io
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import select

from core.extensions import db
from fx.models import ExchangeRate
from marketplace.models import Order
from marketplace.services.orders import apply_move
from tests import factories
from tests.marketplace.helpers import client_for, place, product
from trade.models import FreightTariff

PICKUP_PATH = ("paid", "confirmed", "ready_for_pickup", "in_transit")


def order_in(app, status="pending_payment", buyer=None, goods=None, quantity="5", **product_fields):
    """An order placed through the API and moved along the pipeline up to ``status``."""
    goods = goods or product(stock="100000", **product_fields)
    buyer = buyer or factories.UserFactory(role="buyer")
    response = place(client_for(app, buyer), [(goods, quantity)])
    assert response.status_code == 201, response.get_json()
    order = db.session.get(Order, response.get_json()["id"])
    farmer = order.producer.owner
    if status != "pending_payment":
        for step in PICKUP_PATH:
            apply_move(order, step, farmer if step in ("confirmed", "ready_for_pickup") else None)
            if step == status:
                break
    db.session.commit()
    return order


def cny_rate(on: date, value: str, nominal: int = 1) -> ExchangeRate:
    row = ExchangeRate(
        currency="CNY",
        rate_date=on,
        nominal=nominal,
        value=Decimal(value),
        unit_rate=Decimal(value) / nominal,
        source="cbr",
    )
    db.session.add(row)
    db.session.commit()
    return row


@contextmanager
def tariff(mode: str, crossing: str, cny_per_kg: str):
    """Set a seeded tariff for one test and put it back (seeded tables are not emptied)."""
    row = db.session.scalar(
        select(FreightTariff).where(
            FreightTariff.mode == mode, FreightTariff.border_crossing_code == crossing
        )
    )
    saved = (row.cny_per_kg, row.unconfirmed)
    row.cny_per_kg, row.unconfirmed = Decimal(cny_per_kg), False
    db.session.commit()
    try:
        yield row
    finally:
        db.session.rollback()
        row = db.session.get(FreightTariff, row.id)
        row.cny_per_kg, row.unconfirmed = saved
        db.session.commit()


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() or "" for page in reader.pages)
