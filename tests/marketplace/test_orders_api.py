"""Placing orders: prices, snapshots, MOQ, stock, permissions and every bad input."""

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from catalog.models import Lot, Product
from core.extensions import db
from marketplace.models import Order, OrderLine, StockAllocation
from tests import factories
from tests.marketplace.helpers import client_for, place, product


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _stock(p):
    db.session.expire_all()
    p = db.session.get(Product, p.id)
    return p.stock_on_hand, p.stock_reserved


def test_place_order_snapshots_lines_at_the_tier_price(app, api):
    buckwheat = product(
        stock="5000", tiers=((Decimal("100"), Decimal("12.50")), (Decimal("1000"), Decimal("11.00")))
    )
    api.as_role("buyer", name="Wang Wei")
    response = place(api, [(buckwheat, "1200")], buyer_reference="PO-77", note="Big bags please")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert re.fullmatch(r"AB-\d{4}-\d{6}", body["number"])
    # No term given: the order is on the basis the goods are priced on (the producer's FCA Chelyabinsk).
    assert body["status"] == "pending_payment" and body["incoterm"] == "FCA"
    assert body["named_place"] == "Chelyabinsk" and body["quota"] == "unknown" and body["mode"] == "rail"
    (line,) = body["lines"]
    assert (
        line["unit_price"] == "11.00" and line["line_total"] == "13200.00" and line["quantity"] == "1200.000"
    )
    assert line["name"] == {"zh": "有机荞麦米", "ru": "Гречневая крупа", "en": "Buckwheat groats"}
    assert line["unit"] == "kg" and line["product_id"] == buckwheat.id
    assert body["subtotal"] == "13200.00" and body["total"] == {"amount": "13200.00", "currency": "CNY"}
    assert body["buyer_reference"] == "PO-77" and body["buyer"]["name"] == "Wang Wei"
    assert [h["to_status"] for h in body["history"]] == ["pending_payment"]
    assert _stock(buckwheat) == (Decimal("5000"), Decimal("1200"))
    # The snapshot does not follow later edits of the product.
    buckwheat.name_zh = "别的名字"
    db.session.commit()
    assert api.get(f"/api/v1/orders/{body['id']}").get_json()["lines"][0]["name"]["zh"] == "有机荞麦米"


def test_line_totals_round_half_up(api):
    oil = product(stock="100", tiers=((Decimal("0.1"), Decimal("12.35")),))
    api.as_role("buyer")
    body = place(api, [(oil, "0.3")]).get_json()
    assert body["lines"][0]["line_total"] == "3.71"  # 3.705 → 3.71 (banker's rounding would give 3.70)


def test_order_numbers_are_sequential(api):
    p = product(stock="100")
    api.as_role("buyer")
    numbers = [place(api, [(p, "1")]).get_json()["number"] for _ in range(3)]
    serials = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert serials == [serials[0], serials[0] + 1, serials[0] + 2]


def test_below_moq_is_refused(api):
    p = product(stock="1000", tiers=((Decimal("100"), Decimal("12.50")),))
    api.as_role("buyer")
    response = place(api, [(p, "99.5")])
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "below_moq" and error["below_moq"][0]["moq"] == "100.000"
    assert _count(Order) == 0 and _stock(p)[1] == 0


def test_lines_of_two_producers_are_refused(api):
    a, b = product(), product()
    api.as_role("buyer")
    response = place(api, [(a, "1"), (b, "1")])
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "multiple_producers"
    assert _count(Order) == 0


def test_insufficient_stock_names_every_short_line_and_reserves_nothing(api):
    producer = factories.ProducerFactory()
    a = product(stock="5", producer=producer)
    b = product(stock="2", producer=producer)
    c = product(stock="50", producer=producer)
    api.as_role("buyer")
    response = place(api, [(a, "6"), (b, "3"), (c, "10")])
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "insufficient_stock"
    assert {s["product_id"]: (s["requested"], s["available"]) for s in error["short_lines"]} == {
        a.id: ("6", "5.000"),
        b.id: ("3", "2.000"),
    }
    assert _count(Order) == 0 and _count(OrderLine) == 0
    assert [_stock(p)[1] for p in (a, b, c)] == [0, 0, 0]


@pytest.mark.parametrize(
    "quantity, unit",
    [
        ("0", "kg"),
        ("-1", "kg"),
        ("abc", "kg"),
        ("1.5", "piece"),
        ("1.0001", "kg"),
        (12, "kg"),
        (None, "kg"),
        ("1e3", "kg"),
        ("NaN", "kg"),
    ],
)
def test_bad_quantities_are_422_and_write_nothing(api, quantity, unit):
    p = product(stock="100", unit=unit)
    api.as_role("buyer")
    response = api.post("/api/v1/orders", json={"lines": [{"product_id": p.id, "quantity": quantity}]})
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] in ("validation_error",)
    assert _count(Order) == 0 and _stock(p)[1] == 0


def test_unknown_archived_draft_and_unverified_products_are_404(api):
    archived = product(status="archived")
    draft = product(status="draft")
    unverified = product(producer=factories.ProducerFactory(status="pending"))
    api.as_role("buyer")
    for p_id in (archived.id, draft.id, unverified.id, 999999):
        response = api.post("/api/v1/orders", json={"lines": [{"product_id": p_id, "quantity": "1"}]})
        assert response.status_code == 404, p_id
        assert response.get_json()["error"]["code"] == "product_not_available"
    assert _count(Order) == 0


@pytest.mark.parametrize("role", ["operator", "farmer", "admin"])
def test_only_buyers_place_orders(api, role):
    p = product()
    api.as_role(role)
    assert place(api, [(p, "1")]).status_code == 403
    assert _count(Order) == 0


def test_orders_are_visible_to_their_parties_only(app):
    p = product(stock="100")
    buyer, other_buyer = factories.UserFactory(role="buyer"), factories.UserFactory(role="buyer")
    farmer = p.producer.owner
    other_farmer = factories.ProducerFactory().owner
    order_id = place(client_for(app, buyer), [(p, "2")]).get_json()["id"]
    url = f"/api/v1/orders/{order_id}"
    assert client_for(app, buyer).get(url).status_code == 200
    assert client_for(app, farmer).get(url).status_code == 200
    assert client_for(app, factories.UserFactory(role="admin")).get(url).status_code == 200
    assert client_for(app, other_buyer).get(url).status_code == 404
    assert client_for(app, other_farmer).get(url).status_code == 404
    assert client_for(app, other_buyer).get("/api/v1/orders").get_json()["total"] == 0
    assert client_for(app, farmer).get("/api/v1/orders").get_json()["total"] == 1
    assert client_for(app, other_farmer).get("/api/v1/orders").get_json()["total"] == 0


def test_order_list_filters_and_pages(app):
    p = product(stock="100")
    buyer = client_for(app, factories.UserFactory(role="buyer"))
    ids = [place(buyer, [(p, "1")]).get_json()["id"] for _ in range(3)]
    buyer.post(f"/api/v1/orders/{ids[0]}/cancel", json={})
    page = buyer.get("/api/v1/orders?per_page=2&page=1").get_json()
    assert page["total"] == 3 and len(page["items"]) == 2 and page["per_page"] == 2
    assert [o["id"] for o in buyer.get("/api/v1/orders?status=cancelled").get_json()["items"]] == [ids[0]]
    assert buyer.get("/api/v1/orders?per_page=101").status_code == 422
    assert buyer.get("/api/v1/orders?status=lost").status_code == 422


def test_lots_are_allocated_first_expired_first_out_and_never_expired(api):
    import datetime as dt

    today = dt.date.today()
    p = product(stock="0", tracks_lots=True)
    expired = factories.LotFactory(
        product=p,
        lot_number="OLD",
        quantity=Decimal("100"),
        produced_on=today - dt.timedelta(days=400),
        best_before=today - dt.timedelta(days=1),
    )
    later = factories.LotFactory(
        product=p,
        lot_number="LATER",
        quantity=Decimal("30"),
        produced_on=today,
        best_before=today + dt.timedelta(days=200),
    )
    # 100 days of shelf life, 86 left on arrival after the default 14-day route: above 2/3.
    sooner = factories.LotFactory(
        product=p,
        lot_number="SOONER",
        quantity=Decimal("20"),
        produced_on=today,
        best_before=today + dt.timedelta(days=100),
    )
    api.as_role("buyer")
    assert place(api, [(p, "60")]).status_code == 409  # 50 usable, the expired 100 do not count
    response = place(api, [(p, "25")])
    assert response.status_code == 201
    allocations = {
        db.session.get(Lot, a.lot_id).lot_number: a.quantity
        for a in db.session.scalars(select(StockAllocation))
    }
    assert allocations == {"SOONER": Decimal("20"), "LATER": Decimal("5")}
    db.session.expire_all()
    assert db.session.get(Lot, expired.id).quantity_reserved == 0
    # Cancelling gives back exactly what was taken, lot by lot.
    api.post(f"/api/v1/orders/{response.get_json()['id']}/cancel", json={})
    db.session.expire_all()
    assert [db.session.get(Lot, lot.id).quantity_reserved for lot in (sooner, later)] == [0, 0]


def test_a_whole_number_written_with_decimals_is_whole(api):
    pieces = product(stock="500", unit="piece", tiers=((Decimal("100"), Decimal("3.00")),))
    api.as_role("buyer")
    moq = api.get(f"/api/v1/products/{pieces.id}").get_json()["moq"]
    response = place(api, [(pieces, moq)])  # the API's own "100.000" goes back as is
    assert response.status_code == 201, response.get_json()
    assert place(api, [(pieces, "100.5")]).status_code == 422
