"""Shelf life on arrival: a lot that would reach Harbin with less than the required share of its
shelf life left is not stock for the order (route days from the freight tariffs' legs)."""

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select

from core.extensions import db
from marketplace.models import BuyerTerms, Order, StockAllocation
from tests import factories
from tests.marketplace.helpers import place, product
from tests.trade.helpers import RAIL, route


def _lots():
    today = dt.date.today()
    goods = product(stock="0", tracks_lots=True)
    # A: 120 days of shelf life, 90 left today, 90 − 15 = 75 left on arrival; 2/3 × 120 = 80 > 75.
    soon = factories.LotFactory(
        product=goods,
        lot_number="A",
        quantity=Decimal("30"),
        produced_on=today - dt.timedelta(days=30),
        best_before=today + dt.timedelta(days=90),
    )
    # B: 120 days, 110 left today, 95 on arrival ≥ 80: fits.
    later = factories.LotFactory(
        product=goods,
        lot_number="B",
        quantity=Decimal("40"),
        produced_on=today - dt.timedelta(days=10),
        best_before=today + dt.timedelta(days=110),
    )
    return goods, soon, later


def test_a_lot_that_would_arrive_with_too_little_shelf_life_is_not_stock(api):
    goods, soon, later = _lots()
    api.as_role("buyer")
    with route("rail", "zabaikalsk-manzhouli", RAIL):  # 12 + 3 = 15 days to Harbin
        response = place(api, [(goods, "50")])
    # 70 on the books, but only lot B's 40 would arrive with 2/3 of its life left.
    assert response.status_code == 409
    (short,) = response.get_json()["error"]["short_lines"]
    assert short == {
        "product_id": goods.id,
        "requested": "50",
        "available": "40.000",
        "reason": "shelf_life_on_arrival",
        "arrives_on": (dt.date.today() + dt.timedelta(days=15)).isoformat(),
    }
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    with route("rail", "zabaikalsk-manzhouli", RAIL):
        response = place(api, [(goods, "35")])
    assert response.status_code == 201
    # First-expired-first-out would take lot A; it would expire on the way, so B serves it all.
    allocations = db.session.scalars(select(StockAllocation)).all()
    assert [(a.lot_id, a.quantity) for a in allocations] == [(later.id, Decimal("35.000"))]


def test_a_buyer_may_accept_a_smaller_share(api):
    goods, soon, later = _lots()
    buyer = api.as_role("buyer").user
    # 0.6 × 120 = 72 ≤ 75: lot A now fits and goes first.
    db.session.add(BuyerTerms(buyer_id=buyer.id, min_shelf_life_share=Decimal("0.6")))
    db.session.commit()
    with route("rail", "zabaikalsk-manzhouli", RAIL):
        assert place(api, [(goods, "50")]).status_code == 201
    allocations = db.session.scalars(select(StockAllocation).order_by(StockAllocation.id)).all()
    assert [(a.lot_id, a.quantity) for a in allocations] == [
        (soon.id, Decimal("30.000")),
        (later.id, Decimal("20.000")),
    ]


def test_a_buyer_keeps_their_terms_over_the_api(api):
    api.as_role("buyer")
    body = api.get("/api/v1/me/trade-terms").get_json()
    assert body["quota"] == "unknown" and body["min_shelf_life_share"] is None
    assert body["default_shelf_life_share"] == "0.6667"
    saved = api.put(
        "/api/v1/me/trade-terms", json={"holds_quota_certificate": False, "min_shelf_life_share": "0.75"}
    )
    assert saved.status_code == 200, saved.get_json()
    assert (saved.get_json()["quota"], saved.get_json()["min_shelf_life_share"]) == ("out", "0.7500")
    for bad in ("0", "1.5", "-0.1", 0.5):
        response = api.put("/api/v1/me/trade-terms", json={"min_shelf_life_share": bad})
        assert response.status_code == 422, bad
    assert api.get("/api/v1/me/trade-terms").get_json()["min_shelf_life_share"] == "0.7500"
    assert api.as_role("farmer").get("/api/v1/me/trade-terms").status_code == 403
