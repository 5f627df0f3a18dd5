"""The API answers within its own spec: decimals within their documented pattern, every
error body within the error schema (extras included)."""

import re

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests import factories
from tests.marketplace.helpers import client_for, product


def _spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def _validate(spec, name, instance):
    registry = Registry().with_resource("spec", Resource(contents=spec, specification=DRAFT4))
    schema = {"$ref": f"spec#/components/schemas/{name}"}
    # OpenAPI 3.0 component schemas are JSON Schema (draft 4 flavoured) for these shapes.
    jsonschema.Draft4Validator(schema, registry=registry).validate(instance)


def test_a_unit_rate_matches_its_documented_pattern(api, client):
    api.as_role("admin")
    body = {"currency": "CNY", "rate_date": "2025-11-27", "nominal": 10, "value": "110.5"}
    rate = api.post("/api/v1/exchange-rates", json=body).get_json()
    pattern = _spec(client)["components"]["schemas"]["ExchangeRate"]["properties"]["unit_rate"]["pattern"]
    assert re.search(pattern, rate["unit_rate"]), (pattern, rate["unit_rate"])


def test_an_error_with_extra_details_stays_within_the_error_schema(app, client):
    buyer = client_for(app, factories.UserFactory(role="buyer"))
    item = product(tiers=((100, "12.50"),))
    response = buyer.post("/api/v1/orders", json={"lines": [{"product_id": item.id, "quantity": "1"}]})
    assert response.status_code == 422 and "below_moq" in response.get_json()["error"]
    _validate(_spec(client), "Error", response.get_json())


def test_a_batch_error_stays_within_the_error_schema(app, client):
    from tests.logistics.helpers import operator_api, shipment_with

    operator = operator_api(app)
    shipment_id, _ = shipment_with(app, operator)
    bad = {"readings": [{"sensor_id": "T1", "recorded_at": "nonsense", "celsius": 4}]}
    response = operator.post(f"/api/v1/shipments/{shipment_id}/temperature-readings", json=bad)
    assert response.status_code == 422 and "invalid_indexes" in response.get_json()["error"]
    _validate(_spec(client), "Error", response.get_json())
