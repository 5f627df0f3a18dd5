"""A shipment's origin and destination as gazetteer places: codes in, names in every language
out, the free text kept as detail, the pages in the reader's language, and the migration that
gives old shipments their places."""

import importlib.util
import re
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


def test_planned_departure_follows_the_origins_clock(app, client):
    shipment_id, _orders = shipment_with(
        app, origin_place="omsk", planned_departure="2026-12-05T03:00:00+00:00"
    )
    client.login(factories.UserFactory(role="operator", language="en"))
    text = client.get(f"/logistics/shipments/{shipment_id}").get_data(as_text=True)
    departure = re.search(r'<time datetime="2026-12-05T03:00:00\+00:00".*?</time>', text, re.S).group(0)
    assert "9:00" in departure and "UTC+6" in departure  # Omsk


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
    buyer = factories.UserFactory(role="buyer", language=language)
    order = ready_order(app, buyer=buyer)
    shipment_id, _orders = shipment_with(
        app,
        orders=[order],
        origin_place="chelyabinsk-hub",
        destination_place="harbin",
        origin="Gate 3",
        planned_departure="2026-12-05T03:00:00+00:00",
    )
    client.login(buyer)  # the buyer's page has no event form listing every place
    page = client.get(f"/logistics/shipments/{shipment_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    route = re.search(r'<dd class="route-ends">(.*?)</dd>', text, re.S).group(1)
    assert _names("chelyabinsk-hub")[language] in route and "Gate 3" in route
    assert _names("harbin")[language] in route
    others = {lang: name for lang, name in _names("harbin").items() if lang != language}
    assert not any(f"→ {name}<" in route or route.endswith(name) for name in others.values())
    departure = re.search(r'<time datetime="2026-12-05T03:00:00\+00:00".*?</time>', text, re.S).group(0)
    assert "8:00" in departure and "UTC+5" in departure  # on the origin's clock


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
    path = (
        Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0023_logistics_shipment_places.py"
    )
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


def test_console_form_offers_the_places_and_keeps_the_detail(app, client):
    order = ready_order(app)
    client.login(factories.UserFactory(role="operator", language="ru"))
    page = client.get("/logistics").get_data(as_text=True)
    assert 'name="origin_place"' in page and 'name="destination_place"' in page
    assert f'<option selected value="chelyabinsk">{_names("chelyabinsk")["ru"]}</option>' in page
    form = {
        "order_ids": [str(order.id)],
        "mode": "road",
        "border_crossing": "zabaikalsk-manzhouli",
        "origin_place": "omsk",
        "origin": "Yard 2",
        "destination_place": "harbin",
        "time_zone": "Asia/Yekaterinburg",
    }
    response = client.post_form("/logistics/shipments", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    shipment = db.session.query(Shipment).one()
    assert (shipment.origin_place_code, shipment.origin) == ("omsk", "Yard 2")
    assert (shipment.destination_place_code, shipment.destination) == ("harbin", "Harbin")


def test_console_form_refuses_an_unknown_place_beside_the_field(app, client):
    order = ready_order(app)
    client.login(factories.UserFactory(role="operator"))
    form = {
        "order_ids": [str(order.id)],
        "mode": "road",
        "border_crossing": "zabaikalsk-manzhouli",
        "origin_place": "atlantis",
        "destination_place": "harbin",
    }
    response = client.post_form("/logistics/shipments", form)
    assert response.status_code == 422
    assert db.session.query(Shipment).count() == 0
    text = response.get_data(as_text=True)
    assert re.search(r'name="origin_place".*?Not a valid choice', text, re.S)
