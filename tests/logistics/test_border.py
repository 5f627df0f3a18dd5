"""The border process per product: which export documents the goods need, GACC categories,
export clearance inland or at the border, transloading at the gauge break with new vehicles and
seals, and places with their time zones."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from core.extensions import db
from core.timeutil import utcnow
from logistics.models import TrackingEvent
from tests import factories
from tests.logistics.helpers import (
    event,
    file_all_documents,
    operator_api,
    ready_order,
    reload,
    shipment_with,
)


def _checklist_codes(api, shipment_id):
    body = api.get(f"/api/v1/shipments/{shipment_id}").get_json()
    return {item["code"] for item in body["checklist"]["items"]}


@pytest.mark.parametrize(
    "category, hs_code, needed, not_needed",
    [
        ("grains", "1008100000", {"phytosanitary", "sdiz"}, {"veterinary"}),
        ("grains", "1104290000", {"phytosanitary", "sdiz"}, {"veterinary"}),  # hulled groats
        ("flour_pasta", "1101001500", {"phytosanitary", "sdiz"}, {"veterinary"}),  # wheat flour
        ("oilseeds_oils", "1204009000", {"phytosanitary"}, {"sdiz", "veterinary"}),  # linseed
        ("oilseeds_oils", "1515110000", set(), {"phytosanitary", "sdiz", "veterinary"}),  # linseed oil
        ("confectionery", "1905310000", set(), {"phytosanitary", "sdiz", "veterinary"}),  # biscuits
        ("flour_pasta", "1902191000", set(), {"phytosanitary", "sdiz", "veterinary"}),  # pasta
        ("honey", "0409000000", {"veterinary"}, {"phytosanitary", "sdiz"}),
        ("dairy", "0402211800", {"veterinary"}, {"phytosanitary", "sdiz"}),
    ],
)
def test_documents_follow_the_goods(app, category, hs_code, needed, not_needed):
    api = operator_api(app)
    order = ready_order(app, category_code=category, hs_code=hs_code)
    shipment_id, _ = shipment_with(app, api, orders=[order])
    codes = _checklist_codes(api, shipment_id)
    assert needed <= codes and not (not_needed & codes)
    assert {"origin", "invoice", "packing_list", "cmr", "gacc"} <= codes


def test_a_honey_shipment_waits_for_its_veterinary_certificate_and_an_oil_one_needs_no_phyto(app):
    api = operator_api(app)
    honey = ready_order(app, category_code="honey", hs_code="0409000000")
    oil = ready_order(app, category_code="oilseeds_oils", hs_code="1515190000")
    honey_id, _ = shipment_with(app, api, orders=[honey])
    oil_id, _ = shipment_with(app, api, orders=[oil])
    for shipment_id in (honey_id, oil_id):
        for kind in ("origin", "invoice", "packing_list", "cmr"):
            factories.ShipmentDocumentFactory(shipment_id=shipment_id, kind_code=kind)
        assert (
            api.post(f"/api/v1/shipments/{shipment_id}/events", json=event("picked_up", -3)).status_code
            == 201
        )
    waiting = api.post(f"/api/v1/shipments/{honey_id}/events", json=event("departed_origin", -2))
    assert waiting.status_code == 409 and waiting.get_json()["error"]["missing"] == ["veterinary"]
    assert (
        api.post(f"/api/v1/shipments/{oil_id}/events", json=event("departed_origin", -2)).status_code == 201
    )
    # The e-VSD is a reference in Mercury: a veterinary certificate without its number is refused.
    url = f"/api/v1/shipments/{honey_id}/documents"
    scan = {"file": (io.BytesIO(b"%PDF-1.4 vet"), "vet.pdf")}
    refused = api.post(url, data={"kind": "veterinary", **scan}, content_type="multipart/form-data")
    assert refused.status_code == 422 and "number" in refused.get_json()["error"]["fields"]
    evsd = "5e2b7c1a-8f3d-4b6e-9a1c-2d4f6e8a0b1c"
    scan = {"file": (io.BytesIO(b"%PDF-1.4 vet"), "vet.pdf")}
    filed = api.post(
        url, data={"kind": "veterinary", "number": evsd, **scan}, content_type="multipart/form-data"
    )
    assert filed.status_code == 201, filed.get_json()
    assert (
        api.post(f"/api/v1/shipments/{honey_id}/events", json=event("departed_origin", -2)).status_code == 201
    )


def test_the_gacc_registration_must_cover_the_category(app):
    api = operator_api(app)
    honey = ready_order(app, category_code="honey", hs_code="0409000000")
    honey.producer.gacc_categories = "grains,dairy"
    db.session.commit()
    shipment_id, _ = shipment_with(app, api, orders=[honey])
    body = api.get(f"/api/v1/shipments/{shipment_id}").get_json()
    gacc = next(item for item in body["checklist"]["items"] if item["code"] == "gacc")
    assert gacc["satisfied"] is False and gacc["categories_not_covered"] == ["honey"]


def _trip(app, **fields):
    api = operator_api(app)
    shipment_id, _ = shipment_with(app, api, **fields)
    file_all_documents(shipment_id)
    return api, shipment_id, f"/api/v1/shipments/{shipment_id}/events"


def test_export_clearance_at_an_inland_post_before_departure(app):
    api, shipment_id, url = _trip(app)
    assert api.post(url, json=event("picked_up", -50)).status_code == 201
    cleared = api.post(url, json=event("export_customs_cleared", -48, place="chelyabinsk-customs"))
    assert cleared.status_code == 201, cleared.get_json()
    # Cleared inland: a fact on the timeline, not a position on the route.
    assert cleared.get_json()["shipment_status"] == "picked_up"
    for kind, hours in (("departed_origin", -46), ("arrived_border", -20), ("border_crossed", -10)):
        response = api.post(url, json=event(kind, hours))
        assert response.status_code == 201, response.get_json()
    assert reload(shipment_id).status == "border_crossed"


def test_export_clearance_cannot_happen_on_the_way(app):
    api, _, url = _trip(app)
    api.post(url, json=[event("picked_up", -50), event("departed_origin", -40)])
    on_the_way = api.post(url, json=event("export_customs_cleared", -30))
    assert on_the_way.status_code == 409 and on_the_way.get_json()["error"]["code"] == "impossible_sequence"
    # Nor can the border be crossed before export clearance.
    api.post(url, json=event("arrived_border", -20))
    early = api.post(url, json=event("border_crossed", -15))
    assert early.status_code == 409 and "export_customs_cleared" in early.get_json()["error"]["missing"]
    assert api.post(url, json=event("export_customs_cleared", -18)).status_code == 201


def test_several_vehicles_each_with_seals(app):
    vehicles = [
        {"kind": "wagon", "number": "53912345", "seals": ["RZD-0001", "RZD-0002"]},
        {"kind": "wagon", "number": "53912346", "seals": ["RZD-0003"]},
    ]
    api, shipment_id, _ = _trip(app, mode="rail", vehicles=vehicles, vehicle_number="", seal_number="")
    body = api.get(f"/api/v1/shipments/{shipment_id}").get_json()
    assert [(v["number"], v["seals"], v["leg"], v["current"]) for v in body["vehicles"]] == [
        ("53912345", ["RZD-0001", "RZD-0002"], 1, True),
        ("53912346", ["RZD-0003"], 1, True),
    ]
    assert body["vehicle_number"] == "53912345" and body["seal_number"] == "RZD-0001"
    twice = operator_api(app).post(
        "/api/v1/shipments",
        json={
            "order_ids": [ready_order(app).id],
            "mode": "rail",
            "border_crossing": "zabaikalsk-manzhouli",
            "vehicles": [{"kind": "wagon", "number": "1", "seals": ["S-1", "S-1"]}],
        },
    )
    assert twice.status_code == 422 and "vehicles.0.seals" in twice.get_json()["error"]["fields"]


def test_transloading_at_the_gauge_break(app):
    api, shipment_id, url = _trip(app, mode="rail")
    new = [
        {"kind": "wagon", "number": "CN-P70-4401", "seals": ["CIQ-77001"]},
        {"kind": "wagon", "number": "CN-P70-4402", "seals": ["CIQ-77002"]},
    ]
    api.post(url, json=[event("picked_up", -60), event("departed_origin", -50)])
    before = api.post(url, json=event("transloaded", -40, place="zabaikalsk", vehicles=new))
    assert before.status_code == 409 and before.get_json()["error"]["missing"] == ["arrived_border"]
    api.post(url, json=event("arrived_border", -30, place="zabaikalsk"))
    no_vehicles = api.post(url, json=event("transloaded", -28, place="zabaikalsk"))
    assert no_vehicles.status_code == 422 and "0.vehicles" in no_vehicles.get_json()["error"]["fields"]
    assert db.session.query(TrackingEvent).filter_by(type="transloaded").count() == 0
    done = api.post(url, json=event("transloaded", -28, place="zabaikalsk", vehicles=new))
    assert done.status_code == 201, done.get_json()
    body = api.get(f"/api/v1/shipments/{shipment_id}").get_json()
    current = [v["number"] for v in body["vehicles"] if v["current"]]
    assert current == ["CN-P70-4401", "CN-P70-4402"]
    assert [v["leg"] for v in body["vehicles"]] == [1, 2, 2]
    assert body["vehicle_number"] == "CN-P70-4401" and body["seal_number"] == "CIQ-77001"
    assert body["status"] == "transloaded"


def test_places_and_their_time_zones(api):
    places = {p["code"]: p for p in api.get("/api/v1/places").get_json()}
    assert (
        places["zabaikalsk"]["time_zone"] == "Asia/Chita" and places["zabaikalsk"]["utc_offset"] == "+09:00"
    )
    assert places["chelyabinsk"]["utc_offset"] == "+05:00"
    assert places["manzhouli"]["names"]["zh"] == "满洲里"
    assert {p["country"] for p in api.get("/api/v1/places?country=CN").get_json()} == {"CN"}
    assert api.get("/api/v1/places?kind=volcano").status_code == 422


def test_a_zabaikalsk_event_is_dated_at_plus_nine(app):
    api, shipment_id, url = _trip(app)
    api.post(url, json=[event("picked_up", -60), event("departed_origin", -50)])
    local = (utcnow() + timedelta(hours=9) - timedelta(hours=20)).replace(tzinfo=None, microsecond=0)
    response = api.post(
        url, json={"type": "arrived_border", "occurred_at": local.isoformat(), "place": "zabaikalsk"}
    )
    assert response.status_code == 201, response.get_json()
    (recorded,) = response.get_json()["events"]
    assert recorded["time_zone"] == "Asia/Chita" and recorded["utc_offset"] == "+09:00"
    assert recorded["place"] == "zabaikalsk" and recorded["location"]["name"] == "Zabaikalsk"
    expected = local.replace(tzinfo=UTC) - timedelta(hours=9)
    assert datetime.fromisoformat(recorded["occurred_at"]) == expected
    assert recorded["local_time"] == local.isoformat() + "+09:00"
    # Events without a place take their zone from the route: departure in Chelyabinsk.
    events = api.get(f"/api/v1/shipments/{shipment_id}").get_json()["events"]
    assert events[1]["type"] == "departed_origin" and events[1]["utc_offset"] == "+05:00"


def test_bad_places_and_times(app):
    api, shipment_id, url = _trip(app)
    unknown = api.post(url, json=event("picked_up", -60, place="atlantis"))
    assert unknown.status_code == 422 and "0.place" in unknown.get_json()["error"]["fields"]
    naive = (utcnow() - timedelta(hours=60)).replace(tzinfo=None).isoformat()
    no_zone = api.post(url, json={"type": "picked_up", "occurred_at": naive})
    assert no_zone.status_code == 422 and "0.occurred_at" in no_zone.get_json()["error"]["fields"]
    api.post(url, json=[event("picked_up", -60), event("departed_origin", -10)])
    # 08:00 at Zabaikalsk is 04:00 in Chelyabinsk: an arrival there before the departure is refused.
    departed = utcnow() - timedelta(hours=10)
    arrival = (departed + timedelta(hours=9) - timedelta(hours=2)).replace(tzinfo=None, microsecond=0)
    early = api.post(
        url, json={"type": "arrived_border", "occurred_at": arrival.isoformat(), "place": "zabaikalsk"}
    )
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "impossible_sequence"
    assert reload(shipment_id).status == "departed_origin"


def test_a_zabaikalsk_event_is_exported_with_its_offset(app):
    api, shipment_id, url = _trip(app)
    api.post(url, json=[event("picked_up", -60), event("departed_origin", -50)])
    api.post(url, json=event("arrived_border", -20, place="zabaikalsk"))
    api.post(url, json=event("export_customs_cleared", -18, place="zabaikalsk"))
    api.post(url, json=event("border_crossed", -17, place="manzhouli"))
    document = api.get(f"/api/v1/shipments/{shipment_id}/epcis").get_json()
    offsets = {e.get("ab:milestone"): e["eventTimeZoneOffset"] for e in document["epcisBody"]["eventList"]}
    assert offsets["arrived_border"] == "+09:00" and offsets["export_customs_cleared"] == "+09:00"
    assert offsets["border_crossed"] == "+08:00" and offsets["departed_origin"] == "+05:00"


def test_a_zabaikalsk_event_is_shown_at_plus_nine_on_the_shipment_page(app, client):
    """Issue 13, "done when": the page shows the event on Zabaikalsk's clock with the zone named."""
    api, shipment_id, url = _trip(app)
    api.post(url, json=[event("picked_up", -60), event("departed_origin", -50)])
    local = (utcnow() + timedelta(hours=9) - timedelta(hours=20)).replace(
        tzinfo=None, second=0, microsecond=0
    )
    response = api.post(
        url, json={"type": "arrived_border", "occurred_at": local.isoformat(), "place": "zabaikalsk"}
    )
    assert response.status_code == 201, response.get_json()
    client.raw.set_cookie("lang", "en")
    client.login(api.user)
    page = client.get(f"/logistics/shipments/{shipment_id}").get_data(as_text=True)
    moment = (local.replace(tzinfo=UTC) - timedelta(hours=9)).isoformat()
    shown = re.search(
        rf'<time datetime="{re.escape(moment)}"[^>]*>([^<]*)<span class="tz">([^<]*)</span>', page
    )
    assert shown, page
    assert shown.group(2) == "(Chita, UTC+9)"
    assert local.strftime("%-I:%M") in shown.group(1) or local.strftime("%H:%M") in shown.group(1)
