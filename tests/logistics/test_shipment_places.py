"""A shipment's origin and destination as gazetteer places: codes in, names in every language
out, the free text kept as detail, the pages in the reader's language, and the migration that
gives old shipments their places."""

import importlib.util
from pathlib import Path

import pytest
from flask_babel import force_locale

from core.extensions import db
from logistics.models import Shipment
from logistics.rules import PLACES
from logistics.services.places import place_named
from tests import factories
from tests.logistics.helpers import build, operator_api, ready_order, shipment_with
from tests.marketplace.helpers import client_for


def _names(code: str) -> dict:
    _kind, _country, ru, zh, en, *_rest = PLACES[code]
    return {"zh": zh, "ru": ru, "en": en}


def test_create_with_place_codes_returns_them_with_their_names(app):
    api = operator_api(app)
    response = build(
        api,
        [ready_order(app)],
        origin_place="chelyabinsk-hub",
        origin="Gate 3",
        destination_place="harbin",
        planned_departure="2026-12-05T03:00:00+00:00",
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["origin_place"] == "chelyabinsk-hub"
    assert body["origin_place_names"] == _names("chelyabinsk-hub")
    assert body["origin"] == "Gate 3"  # the free text stays as written
    assert body["destination_place"] == "harbin"
    assert body["destination_place_names"] == _names("harbin")
    assert body["destination"] == "Harbin"  # no text given: the place's English name
    assert body["origin_time_zone"] == "Asia/Yekaterinburg"
    assert body["planned_departure_local"] == "2026-12-05T08:00:00+05:00"
    again = api.get(f"/api/v1/shipments/{body['id']}").get_json()
    assert again["origin_place"] == "chelyabinsk-hub" and again["destination_place_names"] == _names("harbin")


def test_without_places_the_default_route_gets_its_places(app):
    shipment_id, _orders = shipment_with(app)
    shipment = db.session.get(Shipment, shipment_id)
    assert (shipment.origin, shipment.origin_place_code) == ("Chelyabinsk", "chelyabinsk")
    assert shipment.destination_place_code == "harbin-daowai"
    assert "Daowai" in shipment.destination


def test_a_text_naming_a_place_gets_that_place(app):
    shipment_id, _orders = shipment_with(app, origin="Омск", destination="Some yard, Harbin outskirts")
    shipment = db.session.get(Shipment, shipment_id)
    assert shipment.origin_place_code == "omsk"
    assert shipment.destination_place_code is None
    assert shipment.destination == "Some yard, Harbin outskirts"


@pytest.mark.parametrize("field", ["origin_place", "destination_place"])
def test_an_unknown_place_code_is_422_naming_the_field(app, field):
    order = ready_order(app)
    response = build(operator_api(app), [order], **{field: "atlantis"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "unknown_place"
    assert list(error["fields"]) == [field]
    assert db.session.query(Shipment).count() == 0  # nothing stored


def test_update_changes_only_the_fields_given(app):
    api = operator_api(app)
    shipment_id, _orders = shipment_with(app, api)
    url = f"/api/v1/shipments/{shipment_id}"
    response = api.patch(url, json={"origin_place": "chelyabinsk-station", "origin": "Track 7"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["origin_place"], body["origin"]) == ("chelyabinsk-station", "Track 7")
    assert body["destination_place"] == "harbin-daowai"
    body = api.patch(url, json={"destination_place": "harbin"}).get_json()
    assert (body["destination_place"], body["destination"]) == ("harbin", "Harbin")
    assert body["origin"] == "Track 7"


def test_update_with_an_unknown_code_stores_nothing(app):
    api = operator_api(app)
    shipment_id, _orders = shipment_with(app, api)
    response = api.patch(
        f"/api/v1/shipments/{shipment_id}", json={"origin_place": "omsk", "destination_place": "nowhere"}
    )
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["destination_place"]
    db.session.expire_all()
    assert db.session.get(Shipment, shipment_id).origin_place_code == "chelyabinsk"


def test_buyers_cannot_change_the_route(app):
    order = ready_order(app)
    shipment_id, _orders = shipment_with(app, orders=[order])
    response = client_for(app, order.buyer).patch(
        f"/api/v1/shipments/{shipment_id}", json={"origin_place": "omsk"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("language", ["zh", "ru", "en"])
def test_shipment_page_names_the_places_in_the_readers_language(app, client, language):
    api = operator_api(app)
    operator = factories.UserFactory(role="operator", language=language)
    shipment_id, _orders = shipment_with(
        app, api, origin_place="chelyabinsk-hub", destination_place="harbin", origin="Gate 3"
    )
    client.login(operator)
    page = client.get(f"/logistics/shipments/{shipment_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert _names("chelyabinsk-hub")[language] in text
    assert _names("harbin")[language] in text
    assert "Gate 3" in text


@pytest.mark.parametrize("language", ["zh", "ru", "en"])
def test_tracking_page_names_the_places_but_not_the_detail(app, client, language):
    shipment_id, _orders = shipment_with(app, origin_place="omsk", origin="Yard behind the depot")
    code = db.session.get(Shipment, shipment_id).tracking_code
    client.post_form("/language", {"language": language, "next": "/"})
    page = client.get(f"/track/{code}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert _names("omsk")[language] in text
    assert _names("harbin-daowai")[language] in text
    assert "Yard behind the depot" not in text


def test_place_named_reads_defaults_and_names(app):
    assert place_named("Chelyabinsk").code == "chelyabinsk"
    assert place_named(" harbin,  daowai logistics zone warehouse ").code == "harbin-daowai"
    assert place_named("哈尔滨").code == "harbin"
    assert place_named("Gate 3") is None
    with force_locale("ru"):
        assert place_named("") is None


# ---- the migration ----------------------------------------------------------------------------------


def _migration():
    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0023_logistics_shipment_places.py"
    spec = importlib.util.spec_from_file_location("shipment_places_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NAMES = {"омск": "omsk", "harbin": "harbin", "哈尔滨": "harbin"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Chelyabinsk", "chelyabinsk"),
        ("Harbin, Daowai logistics zone warehouse", "harbin-daowai"),
        ("  harbin, daowai  logistics zone warehouse", "harbin-daowai"),
        ("Омск", "omsk"),
        ("哈尔滨", "harbin"),
        ("Chelyabinsk, Sverdlovsky tract 5", None),
        ("", None),
        (None, None),
    ],
)
def test_migration_maps_default_and_named_texts_to_places(text, code):
    assert _migration().place_code(text, NAMES) == code
