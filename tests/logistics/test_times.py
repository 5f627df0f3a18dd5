"""Times with their zone: the profile's zone, every time naming its zone, the planned departure
and the event's "When" read in the chosen zone, an unparseable date refused on the field."""

import re
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from core.extensions import db
from core.timezones import default_zone, format_when, parse_local
from logistics.models import Shipment
from tests import factories
from tests.logistics.helpers import ready_order, shipment_with


@pytest.mark.parametrize(
    ("language", "role", "zone"),
    [
        ("zh", "buyer", "Asia/Shanghai"),
        ("ru", "farmer", "Asia/Yekaterinburg"),
        ("zh", "farmer", "Asia/Yekaterinburg"),
        ("ru", "operator", "Asia/Yekaterinburg"),
        ("ru", "admin", "Europe/Moscow"),
        ("en", "buyer", "Asia/Shanghai"),
        ("en", "admin", "UTC"),
    ],
)
def test_default_zone_by_language_and_role(language, role, zone):
    assert default_zone(language, role) == zone


def test_new_accounts_get_their_default_zone(client):
    from accounts.services import create_user

    farmer = create_user(email="f@example.ru", password="Uvelka-Pshenitsa-2026", role="farmer", language="ru")
    buyer = create_user(email="b@example.cn", password="Harbin-Daowai-2026!", role="buyer", language="zh")
    assert (farmer.time_zone, buyer.time_zone) == ("Asia/Yekaterinburg", "Asia/Shanghai")


def test_format_names_the_zone(app):
    at = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
    with app.test_request_context(), force_locale("ru"):
        assert format_when(at, zone="Asia/Yekaterinburg") == "05.12.2026, 08:00 (Екатеринбург, UTC+5)"
    with app.test_request_context(), force_locale("zh"):
        text = format_when(at, zone="Asia/Shanghai")
        assert text.startswith("2026/12/5 11:00") and text.endswith("UTC+8)")


def test_parse_local_reads_the_locale_format_in_the_zone():
    expected = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
    assert parse_local("05.12.2026 08:00", "Asia/Yekaterinburg", "ru") == expected
    assert parse_local("2026-12-05T08:00", "Asia/Yekaterinburg", "en") == expected
    assert parse_local("2026/12/05 11:00", "Asia/Shanghai", "zh") == expected
    assert parse_local("", "UTC") is None
    with pytest.raises(ValueError):
        parse_local("завтра утром", "Asia/Yekaterinburg", "ru")


def test_profile_and_api_change_the_zone(client, api):
    user = factories.UserFactory(role="buyer", language="zh")
    assert user.time_zone == "Asia/Shanghai"
    api.as_user(user)
    me = api.get("/api/v1/me").get_json()
    assert me["time_zone"] == "Asia/Shanghai"
    changed = api.patch("/api/v1/me", json={"time_zone": "Asia/Yekaterinburg"})
    assert changed.status_code == 200 and changed.get_json()["time_zone"] == "Asia/Yekaterinburg"
    refused = api.patch("/api/v1/me", json={"time_zone": "Mars/Olympus"})
    assert refused.status_code == 422 and "time_zone" in refused.get_json()["error"]["fields"]
    db.session.refresh(user)
    assert user.time_zone == "Asia/Yekaterinburg"
    client.login(user)
    page = client.get("/profile").get_data(as_text=True)
    assert re.search(r'<option selected value="Asia/Yekaterinburg">', page)


def _consolidate(client, order, planned, zone="Asia/Yekaterinburg"):
    return client.post_form(
        "/logistics/shipments",
        {
            "order_ids": [str(order.id)],
            "mode": "road",
            "border_crossing": "pogranichny-suifenhe",
            "planned_departure": planned,
            "time_zone": zone,
        },
    )


def test_planned_departure_typed_the_russian_way_is_read_in_the_zone(app, client):
    order = ready_order(app)
    client.login(factories.UserFactory(role="operator", language="ru"))
    response = _consolidate(client, order, "05.12.2026 08:00")
    assert response.status_code == 302, response.get_data(as_text=True)
    shipment = db.session.query(Shipment).one()
    assert shipment.planned_departure == datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "05.12.2026, 08:00 (Екатеринбург, UTC+5)" in page


def test_unparseable_planned_departure_is_refused_on_the_field(app, client):
    order = ready_order(app)
    client.login(factories.UserFactory(role="operator", language="en"))
    response = _consolidate(client, order, "tomorrow at eight")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="planned_departure-error"' in page and "Not a date and time" in page
    assert 'value="tomorrow at eight"' in page  # what was typed stays in the box
    assert db.session.query(Shipment).count() == 0


def test_event_when_is_a_real_input_with_the_zone_beside_it(app, client):
    shipment_id, _ = shipment_with(app)
    client.login(factories.UserFactory(role="operator", language="ru"))
    page = client.get(f"/logistics/shipments/{shipment_id}").get_data(as_text=True)
    assert 'type="datetime-local"' in page and 'name="occurred_at"' in page
    assert re.search(r'<option selected value="Asia/Yekaterinburg">', page)  # the operator's zone
    response = client.post_form(
        f"/logistics/shipments/{shipment_id}/events",
        {"type": "picked_up", "occurred_at": "32.13.2026 25:00", "time_zone": "Asia/Yekaterinburg"},
    )
    assert response.status_code == 422
    assert 'id="occurred_at-error"' in response.get_data(as_text=True)
