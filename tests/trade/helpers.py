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


#: Rail via Zabaikalsk as the hand-computed tests assume: (CNY/kg, minimum per unit, capacity kg, days).
RAIL = {"russia": ("0.80", "12000", "60000", 12), "china": ("0.30", "4000", "60000", 3)}
ROAD = {"russia": ("1.20", "16000", "20000", 9), "china": ("0.40", "4000", "20000", 2)}


@contextmanager
def route(mode: str, crossing: str, legs: dict, reefer: str = "30", confirmed: bool = True):
    """Set both legs of a seeded route for one test and put them back (seeded tables are not emptied)."""
    columns = (
        "cny_per_kg",
        "min_charge_cny",
        "unit_capacity_kg",
        "transit_days",
        "reefer_surcharge_percent",
        "unconfirmed",
    )
    saved = []
    for leg, (rate, minimum, capacity, days) in legs.items():
        row = db.session.scalar(
            select(FreightTariff).where(
                FreightTariff.mode == mode,
                FreightTariff.border_crossing_code == crossing,
                FreightTariff.leg == leg,
            )
        )
        saved.append((row.id, {c: getattr(row, c) for c in columns}))
        row.cny_per_kg, row.min_charge_cny = Decimal(rate), Decimal(minimum)
        row.unit_capacity_kg, row.transit_days = Decimal(capacity), days
        row.reefer_surcharge_percent, row.unconfirmed = Decimal(reefer), not confirmed
    db.session.commit()
    try:
        yield
    finally:
        db.session.rollback()
        for row_id, values in saved:
            row = db.session.get(FreightTariff, row_id)
            for column, value in values.items():
                setattr(row, column, value)
        db.session.commit()


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def embedded_characters(body: bytes) -> set[str]:
    """The characters whose glyphs the PDF's embedded TrueType fonts carry, with an outline."""
    from fontTools.ttLib import TTFont

    characters = set()
    for page in PdfReader(io.BytesIO(body)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                if "/FontFile2" not in descriptor:
                    continue
                program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
                glyf = program["glyf"]
                characters |= {
                    chr(code)
                    for code, name in program.getBestCmap().items()
                    if glyf[name].numberOfContours != 0
                }
    return characters
