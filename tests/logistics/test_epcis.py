"""The EPCIS 2.0 document validates against the official GS1 JSON schema (a copy kept here,
from ../shared/standards/epcis-2.0/) and says what the shipment did."""

import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft7Validator, FormatChecker

from tests import factories
from tests.logistics.helpers import (
    event,
    file_all_documents,
    journey,
    operator_api,
    ready_order,
    shipment_with,
)
from tests.marketplace.helpers import client_for

SCHEMA = json.loads((Path(__file__).parent / "EPCIS-JSON-Schema.json").read_text())


def uris(value):
    """Every string under a key that must hold a URI (ids, classes, locations, devices)."""
    keys = {"id", "eventID", "parentID", "epcClass", "deviceID", "bizTransaction", "source", "destination"}
    if isinstance(value, dict):
        for key, item in value.items():
            if key in keys and isinstance(item, str):
                yield item
            yield from uris(item)
    elif isinstance(value, list):
        for item in value:
            yield from uris(item)


@pytest.fixture
def traced(app):
    api = operator_api(app)
    lot = factories.LotFactory(
        product__storage_temp_min_c=0,
        product__storage_temp_max_c=6,
        product__tiers=((1, 10),),
        product__index=False,
    )
    order = ready_order(app, goods=lot.product, quantity="40")
    other = ready_order(app)
    shipment_id, _ = shipment_with(app, api, orders=[order, other])
    file_all_documents(shipment_id)
    url = f"/api/v1/shipments/{shipment_id}"
    events = journey("border_crossed", start_hours=-100)
    events[2]["location"] = {"name": "Omsk", "lat": "54.989", "lon": "73.368"}
    assert api.post(f"{url}/events", json=events).status_code == 201
    from core.timeutil import utcnow

    start = utcnow() - timedelta(hours=60)
    values = [3.0] * 5 + [9.0] * 10 + [3.0] * 5
    body = {
        "readings": [
            {
                "sensor_id": "reefer-1",
                "recorded_at": (start + timedelta(minutes=5 * i)).isoformat(),
                "celsius": v,
            }
            for i, v in enumerate(values)
        ]
    }
    assert api.post(f"{url}/temperature-readings", json=body).get_json()["excursions"]
    assert api.post(f"{url}/events", json=event("exception", -1, reason="delay")).status_code == 201
    return {"api": api, "url": url, "order": order, "other": other, "lot": lot}


def test_epcis_document_validates_against_the_official_schema(traced):
    response = traced["api"].get(f"{traced['url']}/epcis")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    document = response.get_json()
    errors = sorted(Draft7Validator(SCHEMA, format_checker=FormatChecker()).iter_errors(document), key=str)
    assert not errors, [e.message for e in errors[:5]]
    for uri in uris(document):
        assert urlsplit(uri).scheme, uri
    events = document["epcisBody"]["eventList"]
    packing = next(e for e in events if e["type"] == "AggregationEvent")
    assert packing["bizStep"] == "packing"
    steps = [(e.get("ab:milestone"), e["bizStep"], e.get("disposition")) for e in events]
    assert ("picked_up", "loading", "in_progress") in steps
    assert ("departed_origin", "departing", "in_transit") in steps
    assert ("border_crossed", "entering_exiting", "in_transit") in steps
    assert ("exception", "sensor_reporting", "non_conformant") in steps
    lot_class = f"/lot/{traced['lot'].lot_number}"
    assert any(
        q["epcClass"].endswith(lot_class) and q["quantity"] == 40 and q["uom"] == "KGM"
        for q in packing["childQuantityList"]
    )
    in_transit = next(e for e in events if e.get("ab:milestone") == "in_transit")
    assert in_transit["readPoint"]["id"] == "geo:54.989000,73.368000"
    sensors = [e for e in events if e["bizStep"] == "sensor_reporting" and "ab:milestone" not in e]
    assert sensors and sensors[0]["sensorElementList"][0]["sensorReport"][0]["uom"] == "CEL"
    alarm = next(e for e in events if e.get("ab:reason") == "temperature_excursion")
    assert alarm["sensorElementList"][0]["sensorReport"][0]["exception"] == "ALARM_CONDITION"


def test_a_buyer_sees_only_their_lots(app, traced):
    buyer = client_for(app, traced["other"].buyer)
    document = buyer.get(f"{traced['url']}/epcis").get_json()
    packing = next(e for e in document["epcisBody"]["eventList"] if e["type"] == "AggregationEvent")
    assert not any(traced["lot"].lot_number in q["epcClass"] for q in packing["childQuantityList"])
    orders = [
        t["bizTransaction"].rsplit("/", 1)[1] for t in packing["bizTransactionList"] if t["type"] == "po"
    ]
    assert orders == [traced["other"].number]
    assert not list(Draft7Validator(SCHEMA, format_checker=FormatChecker()).iter_errors(document))
    stranger = client_for(app, factories.UserFactory(role="buyer"))
    assert stranger.get(f"{traced['url']}/epcis").status_code == 404


def test_the_examples_shipped_with_the_standard_validate(app):
    """Guards the copy of the schema: GS1's own example must pass it."""
    example = Path(__file__).parents[3] / "shared/standards/epcis-2.0/example-ObjectEvent.jsonld"
    if not example.exists():
        pytest.skip("../shared is not beside the checkout")
    assert not list(Draft7Validator(SCHEMA).iter_errors(json.loads(example.read_text())))
