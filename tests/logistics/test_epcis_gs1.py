"""EPCIS with GS1 identities: lots as LGTIN with ILMD, logistic units as SSCC, places as SGLN,
the invoice, packing list and waybill in bizTransactionList; still valid against the official
schema, and every identifier decodes to a GS1 key whose check digit is right."""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft7Validator, FormatChecker

from core.extensions import db
from tests import factories
from tests.logistics.helpers import event, operator_api, ready_order

SCHEMA = json.loads((Path(__file__).parent / "EPCIS-JSON-Schema.json").read_text())
PREFIX = "4607012"
GTIN = "4607012000019"


def check_digit_ok(key: str) -> bool:
    """The GS1 mod-10 check, written out here independently of the app: weights 3 and 1
    alternating from the right, the check digit makes the sum a multiple of 10."""
    digits = [int(d) for d in key]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def with_check(body: str) -> str:
    for d in "0123456789":
        if check_digit_ok(body + d):
            return body + d
    raise AssertionError(body)


def strings(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, str):
        yield value


@pytest.fixture
def document(app):
    lot = factories.LotFactory(
        lot_number="KRT-2026/001",
        quantity=Decimal("2000"),
        product__gtin=GTIN,
        product__producer__gs1_company_prefix=PREFIX,
        product__package_kind="bag",
        product__units_per_package=Decimal("25"),
        product__packages_per_pallet=20,
        product__tiers=((1, 10),),
        product__index=False,
    )
    order = ready_order(app, goods=lot.product, quantity="1000")
    api = operator_api(app)
    body = {
        "order_ids": [order.id],
        "mode": "rail",
        "border_crossing": "zabaikalsk-manzhouli",
        "vehicles": [
            {"kind": "container", "number": "TKRU4432109", "seals": ["S-1"]},
            {"kind": "wagon", "number": "53912345", "seals": []},
        ],
    }
    created = api.post("/api/v1/shipments", json=body)
    assert created.status_code == 201, created.get_json()
    shipment_id = created.get_json()["id"]
    for kind, number in (
        ("phytosanitary", "PHY-1"),
        ("sdiz", "SDIZ-7401-000123"),
        ("origin", "CT-1"),
        ("invoice", "CI-2026-000017"),
        ("packing_list", "PL-2026-000009"),
        ("rail_waybill", "SMGS 24051234"),
    ):
        factories.ShipmentDocumentFactory(shipment_id=shipment_id, kind_code=kind, number=number)
    url = f"/api/v1/shipments/{shipment_id}"
    events = [
        event("picked_up", -60, place="chelyabinsk-hub"),
        event("departed_origin", -58, place="chelyabinsk-station"),
        event("arrived_border", -20, place="zabaikalsk"),
    ]
    assert api.post(f"{url}/events", json=events).status_code == 201
    return api.get(f"{url}/epcis").get_json(), lot


def test_still_valid_against_the_official_schema(document):
    doc, _lot = document
    errors = list(Draft7Validator(SCHEMA, format_checker=FormatChecker()).iter_errors(doc))
    assert not errors, [e.message for e in errors[:5]]


def test_every_identifier_has_a_right_check_digit(document):
    doc, _lot = document
    seen = {"lgtin": 0, "sscc": 0, "sgln": 0}
    for text in strings(doc):
        if m := re.fullmatch(r"urn:epc:class:lgtin:(\d+)\.(\d+)\.(.+)", text):
            company, item = m.group(1), m.group(2)
            gtin = with_check(item[0] + company + item[1:])
            assert gtin.zfill(14)[1:] == GTIN and len(company + item) == 13
            seen["lgtin"] += 1
        elif m := re.fullmatch(r"urn:epc:idpat:sgtin:(\d+)\.(\d+)\.\*", text):
            assert with_check(m.group(2)[0] + m.group(1) + m.group(2)[1:]).lstrip("0") == GTIN
        elif m := re.fullmatch(r"urn:epc:id:sscc:(\d+)\.(\d+)", text):
            company, serial = m.group(1), m.group(2)
            key = with_check(serial[0] + company + serial[1:])
            assert len(key) == 18 and company == "4607000"
            seen["sscc"] += 1
        elif m := re.fullmatch(r"urn:epc:id:sgln:(\d+)\.(\d*)\.(\d+)", text):
            gln = with_check(m.group(1) + m.group(2))
            assert len(gln) == 13
            from logistics.models import Place

            assert (
                db.session.query(Place).filter_by(gln=gln).count() == 1
            )  # a GLN we hold, check digit included
            seen["sgln"] += 1
        elif m := re.fullmatch(r"https://id\.gs1\.org/01/(\d{14})(/10/.+)?", text):
            assert check_digit_ok(m.group(1))
        elif text.startswith("urn:epc:"):
            raise AssertionError(f"an EPC URI this test cannot decode: {text}")
    # 1,000 kg in 25 kg bags, 20 bags a pallet: 2 pallets, each its own SSCC, plus the container.
    assert seen["lgtin"] > 0 and seen["sgln"] > 0
    ssccs = {t for t in strings(doc) if t.startswith("urn:epc:id:sscc:")}
    assert len(ssccs) == 3


def test_lots_carry_their_master_data_and_units_are_packed_at_pickup(document):
    doc, lot = document
    events = doc["epcisBody"]["eventList"]
    (commissioning,) = [e for e in events if e["bizStep"] == "commissioning"]
    assert commissioning["action"] == "ADD"
    assert commissioning["ilmd"] == {
        "cbvmda:lotNumber": "KRT-2026/001",
        "cbvmda:bestBeforeDate": lot.best_before.isoformat(),
        "ab:productionDate": lot.produced_on.isoformat(),
    }
    assert commissioning["quantityList"][0]["epcClass"] == "urn:epc:class:lgtin:4607012.000001.KRT-2026%2F001"
    pallets = [e for e in events if e["type"] == "AggregationEvent" and e["bizStep"] == "packing"]
    picked = next(e for e in events if e.get("ab:milestone") == "picked_up")
    assert len(pallets) == 2 and all(p["eventTime"] == picked["eventTime"] for p in pallets)
    assert sum(p["childQuantityList"][0]["quantity"] for p in pallets) == 1000
    (stuffing,) = [e for e in events if e["bizStep"] == "stuffing"]
    assert set(stuffing["childEPCs"]) == {p["parentID"] for p in pallets}
    kinds = {(t["type"], t["bizTransaction"].rsplit(":", 1)[1]) for t in picked["bizTransactionList"]}
    assert {("inv", "CI-2026-000017"), ("desadv", "PL-2026-000009"), ("bol", "SMGS%2024051234")} <= kinds
    # The consolidation warehouse has a GLN: its SGLN; Zabaikalsk has none: its gazetteer URL.
    assert picked["readPoint"]["id"] == "urn:epc:id:sgln:4607000.00001.0"
    arrived = next(e for e in events if e.get("ab:milestone") == "arrived_border")
    assert (
        arrived["readPoint"]["id"].endswith("/location/zabaikalsk")
        and arrived["eventTimeZoneOffset"] == "+09:00"
    )
