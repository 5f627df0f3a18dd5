"""Consolidation: who may build a shipment, from which orders, partial shipments, the band,
and who sees what."""

import pytest

from core.extensions import db
from logistics.models import Shipment
from marketplace.models import Order
from tests import factories
from tests.logistics.helpers import build, client_for, operator_api, ready_order, shipment_with
from tests.marketplace.helpers import place, product


def test_operator_consolidates_orders_of_several_producers_and_buyers(app):
    first = ready_order(app)
    second = ready_order(app)
    response = build(
        operator_api(app), [first, second], mode="rail", border_crossing="nizhneleninskoye-tongjiang"
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "planned"
    code = body["tracking_code"]
    assert len(code) == 10 and code.startswith("AB") and not set(code[2:]) & set("01OIL")
    assert {o["id"] for o in body["orders"]} == {first.id, second.id}
    assert len(body["packages"]) == 2 and all(p["places"] == 1 for p in body["packages"])
    assert body["origin"] == "Chelyabinsk" and "Daowai" in body["destination"]
    assert body["eta"]["eta"] and body["eta"]["basis"]["kind"] == "planned_departure"
    assert body["checklist"]["complete"] is False
    assert "rail_waybill" in body["checklist"]["missing"] and "cmr" not in body["checklist"]["missing"]


@pytest.mark.parametrize("status", ["pending_payment", "paid", "confirmed", "cancelled"])
def test_orders_not_paid_and_ready_are_refused(app, status):
    goods = product(stock="100")
    buyer = factories.UserFactory(role="buyer")
    order = db.session.get(Order, place(client_for(app, buyer), [(goods, "5")]).get_json()["id"])
    from marketplace.services.orders import apply_move

    if status == "cancelled":
        apply_move(order, "cancelled", None, "test")
    elif status != "pending_payment":
        apply_move(order, "paid", None)
        if status == "confirmed":
            apply_move(order, "confirmed", order.producer.owner)
    db.session.commit()
    good = ready_order(app)
    response = build(operator_api(app), [good, order])
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "orders_not_ready"
    assert error["orders"] == [
        {"id": order.id, "number": order.number, "status": status, "problem": "not_ready"}
    ]
    assert db.session.query(Shipment).count() == 0  # nothing written


def test_buyers_and_farmers_cannot_build_shipments(app):
    order = ready_order(app)
    for role_user in (order.buyer, order.producer.owner):
        response = build(client_for(app, role_user), [order])
        assert response.status_code == 403


def test_unknown_orders_and_crossings_are_422(app):
    order = ready_order(app)
    api = operator_api(app)
    assert build(api, [order], border_crossing="kyakhta").status_code == 422
    assert build(api, [order], mode="air").status_code == 422
    # Blagoveshchensk–Heihe is a road bridge: no rail.
    assert build(api, [order], mode="rail", border_crossing="blagoveshchensk-heihe").status_code == 422
    response = api.post(
        "/api/v1/shipments",
        json={"order_ids": [order.id, 999999], "mode": "road", "border_crossing": "zabaikalsk-manzhouli"},
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["unknown_order_ids"] == [999999]
    assert (
        api.post(
            "/api/v1/shipments",
            json={"order_ids": ["1"], "mode": "road", "border_crossing": "zabaikalsk-manzhouli"},
        ).status_code
        == 422
    )


def test_partial_shipment_then_the_rest(app):
    order = ready_order(app, quantity="10")
    line = order.lines[0]
    api = operator_api(app)
    first = build(
        api,
        [order],
        packages=[{"order_line_id": line.id, "quantity": "4", "places": 2, "gross_weight_kg": "4.400"}],
    )
    assert first.status_code == 201, first.get_json()
    package = first.get_json()["packages"][0]
    assert package["quantity"] == "4.000" and package["places"] == 2 and package["gross_weight_kg"] == "4.400"
    assert first.get_json()["orders"][0]["fulfilment"] == "partially_shipped"
    too_much = build(api, [order], packages=[{"order_line_id": line.id, "quantity": "7"}])
    assert too_much.status_code == 422
    rest = build(api, [order])
    assert rest.status_code == 201
    assert rest.get_json()["packages"][0]["quantity"] == "6.000"
    again = build(api, [order])
    assert again.status_code == 409
    assert again.get_json()["error"]["orders"][0]["problem"] == "already_shipped"


def test_band_is_the_intersection_and_an_empty_one_warns(app):
    cold = ready_order(app, storage_temp_min_c=0, storage_temp_max_c=6)
    cool = ready_order(app, storage_temp_min_c=2, storage_temp_max_c=10)
    body = build(operator_api(app), [cold, cool]).get_json()
    assert body["temperature"]["band"] == {"min": "2.00", "max": "6.00", "empty": False}
    assert body["warnings"] == []
    frozen = ready_order(app, storage_temp_min_c=-25, storage_temp_max_c=-18)
    warm = ready_order(app, storage_temp_min_c=5, storage_temp_max_c=25)
    body = build(operator_api(app), [frozen, warm]).get_json()
    assert body["temperature"]["band"]["empty"] is True
    assert body["warnings"][0]["code"] == "no_common_temperature_band"


def test_who_sees_which_shipment(app):
    mine = ready_order(app)
    other = ready_order(app)
    shipment_id, _ = shipment_with(app, orders=[mine, other])
    lonely_id, _ = shipment_with(app)
    buyer_api = client_for(app, mine.buyer)
    farmer_api = client_for(app, mine.producer.owner)
    stranger = client_for(app, factories.UserFactory(role="buyer"))
    admin = client_for(app, factories.UserFactory(role="admin"))
    operator = operator_api(app)

    for api in (buyer_api, farmer_api):
        body = api.get(f"/api/v1/shipments/{shipment_id}").get_json()
        assert [o["id"] for o in body["orders"]] == [mine.id]  # not the other buyer's order
        assert {p["order_id"] for p in body["packages"]} == {mine.id}
        assert api.get(f"/api/v1/shipments/{lonely_id}").status_code == 404
        listed = api.get("/api/v1/shipments").get_json()
        assert [s["id"] for s in listed["items"]] == [shipment_id]
    assert stranger.get(f"/api/v1/shipments/{shipment_id}").status_code == 404
    assert stranger.get("/api/v1/shipments").get_json()["total"] == 0
    for api in (admin, operator):
        assert api.get("/api/v1/shipments").get_json()["total"] == 2
        body = api.get(f"/api/v1/shipments/{shipment_id}").get_json()
        assert {o["id"] for o in body["orders"]} == {mine.id, other.id}
    assert operator.get("/api/v1/shipments/2147483647").status_code == 404
    assert operator.get("/api/v1/shipments/2147483648").status_code == 404
    assert (
        client_for(app, factories.UserFactory(role="operator")).raw.get("/api/v1/shipments").status_code
        == 401
    )


def test_border_crossings_are_data(client):
    body = client.get("/api/v1/border-crossings").get_json()
    assert [c["code"] for c in body] == [
        "zabaikalsk-manzhouli",
        "blagoveshchensk-heihe",
        "nizhneleninskoye-tongjiang",
        "pogranichny-suifenhe",
    ]
    assert all(c["hours_to_border"] > 0 for c in body)
