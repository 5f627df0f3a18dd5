"""Milestones: derived status, late events, impossible sequences, idempotency, the checklist
gate, orders following their shipment, ETA, and bad input (all or nothing)."""

from datetime import timedelta

import pytest

from core.extensions import db
from core.timeutil import utcnow
from logistics.models import TrackingEvent
from logistics.signals import shipment_delivered
from marketplace.models import Order
from tests import factories
from tests.logistics.helpers import (
    JOURNEY,
    at,
    event,
    file_all_documents,
    journey,
    operator_api,
    ready_order,
    reload,
    shipment_with,
)
from tests.marketplace.helpers import client_for


@pytest.fixture
def trip(app):
    """A shipment of one order with every document on file, and its operator's API."""
    api = operator_api(app)
    shipment_id, orders = shipment_with(app, api)
    file_all_documents(shipment_id)
    return {
        "id": shipment_id,
        "order": orders[0],
        "api": api,
        "url": f"/api/v1/shipments/{shipment_id}/events",
    }


def post(trip, body, **kw):
    return trip["api"].post(trip["url"], json=body, **kw)


def test_the_whole_journey_in_bulk_in_any_order(trip):
    events = journey()
    response = post(trip, list(reversed(events)))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["shipment_status"] == "delivered"
    body = trip["api"].get(f"/api/v1/shipments/{trip['id']}").get_json()
    assert [e["type"] for e in body["events"]] == list(JOURNEY)
    assert body["eta"]["basis"]["kind"] == "delivered"


def test_status_follows_the_highest_milestone_and_late_events_never_move_it_back(trip):
    assert post(trip, journey("border_crossed", start_hours=-100)).status_code == 201
    assert reload(trip["id"]).status == "border_crossed"
    # A late "in_transit" position update from before the border: history only.
    late = post(trip, event("in_transit", -85, location={"name": "Omsk", "lat": "54.98", "lon": "73.37"}))
    assert late.status_code == 201
    assert late.get_json()["shipment_status"] == "border_crossed"
    body = trip["api"].get(f"/api/v1/shipments/{trip['id']}").get_json()
    types = [e["type"] for e in body["events"]]
    assert types.index("in_transit") < types.index("arrived_border")  # took its place in time
    assert body["status"] == "border_crossed"
    # An exception never lowers the status either.
    assert post(trip, event("exception", -1, reason="delay", delay_hours=6)).status_code == 201
    assert reload(trip["id"]).status == "border_crossed"


@pytest.mark.parametrize(
    "recorded, new, missing",
    [
        (
            [],
            "delivered",
            [
                "picked_up",
                "departed_origin",
                "arrived_border",
                "export_customs_cleared",
                "border_crossed",
                "import_customs_released",
                "arrived_warehouse",
            ],
        ),
        (["picked_up", "departed_origin", "arrived_border"], "border_crossed", ["export_customs_cleared"]),
        (["picked_up"], "arrived_border", ["departed_origin"]),
    ],
)
def test_impossible_sequences_are_409_and_say_what_is_missing(trip, recorded, new, missing):
    if recorded:
        assert post(trip, [event(k, -50 + i) for i, k in enumerate(recorded)]).status_code == 201
    response = post(trip, event(new, -1))
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "impossible_sequence"
    assert error["missing"] == missing
    assert "“" in error["message"]


def test_a_milestone_before_its_prerequisite_in_time_is_refused(trip):
    post(
        trip,
        [
            event("picked_up", -50),
            event("departed_origin", -40),
            event("arrived_border", -30),
            event("export_customs_cleared", -20),
            event("border_crossed", -10),
        ],
    )
    # Export clearance reported again, later than the crossing: impossible (and a duplicate).
    response = post(trip, event("export_customs_cleared", -5))
    assert response.status_code == 409
    # A customs inspection dated before the border crossing.
    response = post(trip, event("import_customs_inspection", -15))
    assert response.status_code == 409
    assert response.get_json()["error"]["missing"] == ["border_crossed"]


def test_a_late_prerequisite_after_its_dependant_is_refused(app, trip):
    post(trip, [event("picked_up", -50), event("departed_origin", -40), event("in_transit", -35)])
    response = post(trip, event("departed_origin", -30))
    assert response.status_code == 409  # already recorded
    # A late pickup would have to come after the departure: impossible.
    other_id, _ = shipment_with(app, trip["api"])
    file_all_documents(other_id)
    url = f"/api/v1/shipments/{other_id}/events"
    assert trip["api"].post(url, json=event("picked_up", -20)).status_code == 201
    assert trip["api"].post(url, json=event("departed_origin", -10)).status_code == 201


def test_bulk_is_all_or_nothing(trip):
    response = post(trip, [event("picked_up", -50), event("border_crossed", -40)])
    assert response.status_code == 409
    assert response.get_json()["error"]["index"] == 1
    assert db.session.query(TrackingEvent).count() == 0
    assert reload(trip["id"]).status == "planned"


def test_idempotency_by_event_id_and_by_header(trip):
    first = post(trip, event("picked_up", -5, event_id="scan-001"))
    assert first.status_code == 201
    again = post(
        trip, event("picked_up", first.get_json()["events"][0]["occurred_at"] and -5, event_id="scan-001")
    )
    # same id, different time: refused rather than silently taken for the first
    assert again.status_code == 422 and again.get_json()["error"]["code"] == "event_id_reused"
    same = dict(
        type="picked_up", occurred_at=first.get_json()["events"][0]["occurred_at"], event_id="scan-001"
    )
    replay = post(trip, same)
    assert replay.status_code == 200
    assert replay.get_json()["events"][0]["created"] is False
    assert replay.get_json()["events"][0]["id"] == first.get_json()["events"][0]["id"]
    body = event("departed_origin", -4)
    one = post(trip, body, headers={"Idempotency-Key": "k-42"})
    two = post(trip, body, headers={"Idempotency-Key": "k-42"})
    assert (one.status_code, two.status_code) == (201, 200)
    assert db.session.query(TrackingEvent).count() == 2
    dupes = post(trip, [event("in_transit", -3, event_id="x"), event("in_transit", -2, event_id="x")])
    assert dupes.status_code == 422


def test_departure_waits_for_the_checklist(app):
    api = operator_api(app)
    honey = ready_order(app, goods=None, category_code="honey", hs_code="0409000000")
    shipment_id, _ = shipment_with(app, api, orders=[honey])
    url = f"/api/v1/shipments/{shipment_id}/events"
    assert api.post(url, json=event("picked_up", -3)).status_code == 201
    refused = api.post(url, json=event("departed_origin", -2))
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "checklist_incomplete"
    assert set(error["missing"]) == {"veterinary", "origin", "invoice", "packing_list", "cmr"}
    for kind in ("veterinary", "origin", "invoice", "packing_list", "cmr"):
        factories.ShipmentDocumentFactory(shipment_id=shipment_id, kind_code=kind)
    assert api.post(url, json=event("departed_origin", -2)).status_code == 201


def test_gacc_registration_of_every_producer_on_board_is_checked(app):
    api = operator_api(app)
    order = ready_order(app)
    order.producer.gacc_expires_at = utcnow().date() - timedelta(days=1)
    db.session.commit()
    shipment_id, _ = shipment_with(app, api, orders=[order])
    file_all_documents(shipment_id)
    url = f"/api/v1/shipments/{shipment_id}/events"
    api.post(url, json=event("picked_up", -3))
    refused = api.post(url, json=event("departed_origin", -2))
    assert refused.status_code == 409
    assert refused.get_json()["error"]["missing"] == [f"gacc:{order.producer.id}"]


def test_delivery_sends_shipment_delivered_once(trip):
    seen = []

    def receiver(shipment, actor):
        seen.append((shipment.id, actor.role))

    events = journey("delivered", start_hours=-300)
    split = [e["type"] for e in events].index("border_crossed") + 1
    with shipment_delivered.connected_to(receiver):
        assert post(trip, events[:split]).status_code == 201
        assert seen == []
        assert post(trip, events[split:]).status_code == 201
        post(trip, event("delivered", -1))  # a second delivery event: nothing new to say
    assert seen == [(trip["id"], "operator")]


def test_orders_follow_their_shipment(trip):
    order_id = trip["order"].id
    assert post(trip, event("picked_up", -300)).status_code == 201
    db.session.expire_all()
    assert db.session.get(Order, order_id).status == "in_transit"
    assert post(trip, journey("delivered", start_hours=-300)[1:]).status_code == 201
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    assert order.status == "delivered"
    assert [h.to_status for h in order.history][-2:] == ["in_transit", "delivered"]


def test_a_split_order_is_delivered_only_with_its_last_part(app):
    api = operator_api(app)
    order = ready_order(app, quantity="10")
    line_id = order.lines[0].id
    first = api.post(
        "/api/v1/shipments",
        json={
            "order_ids": [order.id],
            "mode": "road",
            "border_crossing": "zabaikalsk-manzhouli",
            "packages": [{"order_line_id": line_id, "quantity": "6"}],
        },
    ).get_json()["id"]
    second = api.post(
        "/api/v1/shipments",
        json={"order_ids": [order.id], "mode": "road", "border_crossing": "zabaikalsk-manzhouli"},
    ).get_json()["id"]
    for shipment_id in (first, second):
        file_all_documents(shipment_id)
    assert api.post(f"/api/v1/shipments/{first}/events", json=journey()).status_code == 201
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "in_transit"
    body = api.get(f"/api/v1/shipments/{first}").get_json()
    assert body["orders"][0]["fulfilment"] == "partially_delivered"
    assert api.post(f"/api/v1/shipments/{second}/events", json=journey()).status_code == 201
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "delivered"


def test_eta_follows_the_last_milestone_and_delays(trip):
    post(trip, [event("picked_up", -30), event("departed_origin", -24)])
    eta = trip["api"].get(f"/api/v1/shipments/{trip['id']}").get_json()["eta"]
    assert eta["basis"]["milestone"] == "departed_origin"
    assert eta["basis"]["remaining_hours"] == 168 + 36 + 24
    post(trip, event("exception", -1, reason="customs_hold"))
    later = trip["api"].get(f"/api/v1/shipments/{trip['id']}").get_json()["eta"]
    assert later["basis"]["delay_hours"] == 24
    assert later["eta"] > eta["eta"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"type": "teleported", "occurred_at": "2026-01-01T00:00:00Z"}, "0.type"),
        ({"type": "picked_up", "occurred_at": "yesterday"}, "0.occurred_at"),
        ({"type": "picked_up", "occurred_at": "2026-01-01T00:00:00"}, "0.occurred_at"),
        ({"type": "picked_up"}, "0.occurred_at"),
        ({"type": "exception", "occurred_at": "2026-01-01T00:00:00Z", "reason": "aliens"}, "0.reason"),
        (
            {"type": "picked_up", "occurred_at": "2026-01-01T00:00:00Z", "location": {"lat": "95"}},
            "0.location.lat",
        ),
    ],
)
def test_bad_events_are_422(trip, body, field):
    response = post(trip, body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]


def test_far_future_and_reasonless_exceptions_are_422(trip):
    assert post(trip, event("picked_up", 1)).status_code == 422
    assert post(trip, {"type": "picked_up", "occurred_at": at(0.05)}).status_code == 201  # within tolerance
    assert post(trip, event("exception", -1)).status_code == 422
    assert post(trip, event("in_transit", -1, reason="delay")).status_code == 422
    assert trip["api"].post(trip["url"], data="not json", content_type="application/json").status_code == 422


@pytest.mark.parametrize(
    "when", ["0031-12-06T07:54:18Z", "1970-01-01T00:00:00Z", "2020-05-01T08:00:00+05:00"]
)
def test_a_milestone_long_before_the_shipment_is_422(trip, when):
    response = post(trip, {"type": "picked_up", "occurred_at": when})
    assert response.status_code == 422
    assert "0.occurred_at" in response.get_json()["error"]["fields"]


def test_who_may_post_events(app, trip):
    url = trip["url"]
    buyer = client_for(app, trip["order"].buyer)
    farmer = client_for(app, trip["order"].producer.owner)
    stranger = client_for(app, factories.UserFactory(role="buyer"))
    assert buyer.post(url, json=event("picked_up", -1)).status_code == 403
    assert farmer.post(url, json=event("picked_up", -1)).status_code == 403
    assert stranger.post(url, json=event("picked_up", -1)).status_code == 404
    assert trip["api"].post("/api/v1/shipments/999999/events", json=event("picked_up", -1)).status_code == 404
    assert db.session.query(TrackingEvent).count() == 0
    admin = client_for(app, factories.UserFactory(role="admin"))
    assert admin.post(url, json=event("picked_up", -1)).status_code == 201


def test_concurrent_duplicates_record_one_event(app, postgres_only, trip):
    import threading

    body = event("picked_up", -1, event_id="dup")
    results = []

    def send():
        with app.app_context():
            results.append(post(trip, body).status_code)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 200, 200, 201]
    assert db.session.query(TrackingEvent).count() == 1
