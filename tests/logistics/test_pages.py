"""Pages: the operator console, the shipment page, order tracking, the public page (no prices,
no names), the buyer's webhook settings — each role sees what it should."""

import re
from datetime import timedelta

from core.extensions import db
from core.timeutil import utcnow
from logistics.models import Shipment, TrackingEvent
from tests import factories
from tests.logistics.helpers import file_all_documents, journey, operator_api, ready_order, shipment_with


def test_console_lists_ready_orders_and_consolidates_them(app, client):
    order = ready_order(app)
    operator = factories.UserFactory(role="operator")
    client.login(operator)
    page = client.get("/logistics").get_data(as_text=True)
    assert order.number in page and 'name="order_ids"' in page
    response = client.post_form(
        "/logistics/shipments",
        {
            "order_ids": [str(order.id)],
            "mode": "road",
            "border_crossing": "pogranichny-suifenhe",
            "planned_departure": "2026-12-01T08:00",
            "utc_offset": "+05:00",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    shipment = db.session.query(Shipment).one()
    assert shipment.border_crossing_code == "pogranichny-suifenhe"
    assert shipment.planned_departure.isoformat() == "2026-12-01T03:00:00+00:00"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert shipment.tracking_code in page and "<svg" in page and 'class="event-form"' in page


def test_console_takes_several_vehicles_with_their_seals(app, client):
    """The page offers what the API does: a shipment on more than one vehicle, each sealed."""
    order = ready_order(app)
    client.login(factories.UserFactory(role="operator"))
    assert 'name="vehicles"' in client.get("/logistics").get_data(as_text=True)
    form = {
        "order_ids": [str(order.id)],
        "mode": "rail",
        "border_crossing": "zabaikalsk-manzhouli",
        "utc_offset": "+05:00",
        "vehicles": "52012345 ZPU-1001 ZPU-1002\n\n52067890, ZPU-1003\nMSKU1234565 ZPU-1004\n",
    }
    response = client.post_form("/logistics/shipments", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    shipment = db.session.query(Shipment).one()
    vehicles = [(v.kind, v.number, v.seals) for v in shipment.vehicles]
    assert vehicles == [
        ("wagon", "52012345", ["ZPU-1001", "ZPU-1002"]),
        ("wagon", "52067890", ["ZPU-1003"]),
        ("container", "MSKU1234565", ["ZPU-1004"]),
    ]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "52067890" in page and "ZPU-1004" in page
    # The same vehicle twice is refused with the service's reason, and nothing is made.
    order2 = ready_order(app)
    form.update(order_ids=[str(order2.id)], vehicles="52099999 A\n52099999 B")
    response = client.post_form("/logistics/shipments", form, follow_redirects=True)
    assert "listed twice" in response.get_data(as_text=True)
    assert db.session.query(Shipment).count() == 1


def _local_hours_ago(hours: int) -> tuple[str, str]:
    """(the form's local time at +05:00, the same moment in UTC, ISO) ``hours`` ago."""
    moment = (utcnow() - timedelta(hours=hours)).replace(second=0, microsecond=0)
    return (moment + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M"), moment.isoformat()


def test_event_form_records_once(app, client):
    shipment_id, _ = shipment_with(app)
    client.login(factories.UserFactory(role="operator"))
    local, utc = _local_hours_ago(3)
    data = {
        "type": "picked_up",
        "reason": "",
        "occurred_at": local,
        "utc_offset": "+05:00",
        "location_name": "Uvelsky",
        "lat": "54.44",
        "lon": "61.36",
        "note": "8 pallets",
        "event_id": "form-1",
    }
    for _attempt in range(2):  # a double tap
        assert client.post_form(f"/logistics/shipments/{shipment_id}/events", data).status_code == 302
    [event] = db.session.query(TrackingEvent).all()
    assert event.occurred_at.isoformat() == utc and str(event.latitude) == "54.440000"
    page = client.get(f"/logistics/shipments/{shipment_id}").get_data(as_text=True)
    assert "Uvelsky" in page and "8 pallets" in page


def test_event_form_shows_a_refusal(app, client):
    shipment_id, _ = shipment_with(app)
    client.login(factories.UserFactory(role="operator"))
    response = client.post_form(
        f"/logistics/shipments/{shipment_id}/events",
        {"type": "delivered", "occurred_at": _local_hours_ago(3)[0], "utc_offset": "+05:00"},
        follow_redirects=True,
    )
    assert "cannot happen before" in response.get_data(as_text=True)


def test_document_upload_from_the_page(app, client):
    shipment_id, _ = shipment_with(app)
    client.login(factories.UserFactory(role="operator"))
    import io

    response = client.post_form(
        f"/logistics/shipments/{shipment_id}/documents",
        {
            "kind": "invoice",
            "number": "INV-7",
            "order_id": "",
            "file": (io.BytesIO(b"%PDF-1.4 test"), "invoice.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    api = operator_api(app)
    body = api.get(f"/api/v1/shipments/{shipment_id}").get_json()
    [document] = body["documents"]
    assert document["kind"] == "invoice" and document["number"] == "INV-7"
    assert next(i for i in body["checklist"]["items"] if i["code"] == "invoice")["satisfied"]
    download = api.get(document["url"])
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    bad = client.post_form(
        f"/logistics/shipments/{shipment_id}/documents",
        {"kind": "invoice", "file": (io.BytesIO(b"MZ\x90 not a pdf"), "x.exe")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Upload a PDF" in bad.get_data(as_text=True)


def test_buyers_see_their_order_tracking_and_not_others(app, client):
    mine = ready_order(app)
    other = ready_order(app)
    api = operator_api(app)
    shipment_id, _ = shipment_with(app, api, orders=[mine, other])
    file_all_documents(shipment_id)
    api.post(f"/api/v1/shipments/{shipment_id}/events", json=journey("border_crossed", start_hours=-80))
    reading = {"sensor_id": "T1", "recorded_at": (utcnow() - timedelta(hours=70)).isoformat(), "celsius": 4}
    api.post(f"/api/v1/shipments/{shipment_id}/temperature-readings", json={"readings": [reading]})
    client.login(mine.buyer)
    page = client.get(f"/orders/{mine.id}/tracking").get_data(as_text=True)
    assert f'data-url="/api/v1/shipments/{shipment_id}/temperature-readings"' in page
    assert client.get(f"/api/v1/shipments/{shipment_id}/temperature-readings").status_code == 200  # session
    assert mine.number in page and other.number not in page
    assert client.get(f"/orders/{other.id}/tracking").status_code == 404
    page = client.get(f"/logistics/shipments/{shipment_id}").get_data(as_text=True)
    assert other.number not in page and 'class="event-form"' not in page
    assert client.get("/logistics").status_code == 403
    code = db.session.get(Shipment, shipment_id).tracking_code
    assert code in client.get("/tracking").get_data(as_text=True)


def test_public_page_shows_no_prices_and_no_names(app, client):
    order = ready_order(app)
    api = operator_api(app)
    shipment_id, _ = shipment_with(
        app, api, orders=[order], carrier="UralSibTrans", vehicle_number="A777AA174"
    )
    file_all_documents(shipment_id)
    events = journey("arrived_border", start_hours=-80)
    events[0]["note"] = "handed over by Pyotr"
    api.post(f"/api/v1/shipments/{shipment_id}/events", json=events)
    code = db.session.get(Shipment, shipment_id).tracking_code
    page = client.get(f"/track/{code.lower()}").get_data(as_text=True)
    assert code in page and "<svg" in page
    text = re.sub(r"<[^>]+>", " ", page)
    for secret in (
        "UralSibTrans",
        "A777AA174",
        "Pyotr",
        order.number,
        order.buyer.name,
        order.buyer.company,
        order.producer.name_ru,
        order.producer.name_zh,
        "12.50",
        "CN¥",
        "¥",
    ):
        assert secret not in text, secret
    assert client.get("/track/ABNOTHERE").status_code == 404
    assert client.get(f"/track?code={code}").headers["Location"].endswith(f"/track/{code}")


def test_webhook_settings_page(app, client):
    buyer = factories.UserFactory(role="buyer")
    client.login(buyer)
    assert client.get("/tracking/webhook").status_code == 200
    response = client.post_form(
        "/tracking/webhook", {"url": "https://example.com/hooks/agro", "active": "y", "action": "save"}
    )
    assert response.status_code == 302
    page = client.get("/tracking/webhook").get_data(as_text=True)
    assert "whsec_" in page and "https://example.com/hooks/agro" in page


def test_nav_shows_shipments_to_operators_and_tracking_to_parties(client, login_as):
    login_as("operator")
    assert 'href="/logistics"' in client.get("/").get_data(as_text=True)


def test_shipment_page_shows_excursions_and_the_chart(app, client):
    from datetime import timedelta

    from core.timeutil import utcnow

    operator = factories.UserFactory(role="operator")
    api = operator_api(app, operator)
    order = ready_order(app, storage_temp_min_c=2, storage_temp_max_c=6)
    shipment_id, _ = shipment_with(app, api, orders=[order])
    start = utcnow() - timedelta(hours=3)
    values = [4] * 3 + [9] * 10 + [4] * 3
    body = {
        "readings": [
            {"sensor_id": "T1", "recorded_at": (start + timedelta(minutes=5 * i)).isoformat(), "celsius": v}
            for i, v in enumerate(values)
        ]
    }
    assert api.post(f"/api/v1/shipments/{shipment_id}/temperature-readings", json=body).get_json()[
        "excursions"
    ]
    client.login(operator)
    page = client.get(f"/logistics/shipments/{shipment_id}").get_data(as_text=True)
    assert "temperature-chart" in page and "9.00" in page and "chart.umd.min.js" in page
    console = client.get("/logistics").get_data(as_text=True)
    assert "Temperature excursion" in console


def test_operator_dashboard_and_buyer_widget(client, login_as):
    from logistics.services import dashboard as figures
    from tests.marketplace.test_dashboards import QueryCounter

    login_as("operator")
    response = client.get("/dashboard", follow_redirects=True)
    assert response.status_code == 200 and "Average transit time" in response.get_data(as_text=True)
    with QueryCounter() as counter:
        figures.operator()
    assert counter.count == 4  # status, transit, exceptions, excursions: one query each
