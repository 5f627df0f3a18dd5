"""Cold chain: bulk readings (duplicates, order, limits, bad values) and excursions."""

from datetime import timedelta

import pytest

from core.extensions import db
from core.timeutil import utcnow
from logistics.models import TemperatureExcursion, TemperatureReading, TrackingEvent
from tests import factories
from tests.logistics.helpers import operator_api, ready_order, shipment_with
from tests.marketplace.helpers import client_for


@pytest.fixture
def chilled(app):
    """A shipment of chilled goods (band 2…6 °C) and its operator's API."""
    api = operator_api(app)
    order = ready_order(app, storage_temp_min_c=2, storage_temp_max_c=6)
    shipment_id, _ = shipment_with(app, api, orders=[order])
    return {
        "id": shipment_id,
        "api": api,
        "order": order,
        "url": f"/api/v1/shipments/{shipment_id}/temperature-readings",
    }


def readings(start, minutes, values, sensor="T1"):
    return [
        {
            "sensor_id": sensor,
            "recorded_at": (start + timedelta(minutes=i * minutes)).isoformat(),
            "celsius": v,
        }
        for i, v in enumerate(values)
    ]


def test_bulk_readings_duplicates_and_out_of_order(chilled):
    start = utcnow() - timedelta(hours=10)
    batch = readings(start, 5, [4.0 + (i % 3) * 0.5 for i in range(2000)][:100])
    response = chilled["api"].post(chilled["url"], json={"readings": list(reversed(batch))})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"received": 100, "inserted": 100, "duplicates": 0, "excursions": []}
    again = chilled["api"].post(
        chilled["url"], json={"readings": batch[:50] + readings(start, 1, ["4.25"], "T2")}
    )
    assert again.get_json()["inserted"] == 1 and again.get_json()["duplicates"] == 50
    assert db.session.query(TemperatureReading).count() == 101
    summary = chilled["api"].get(f"/api/v1/shipments/{chilled['id']}").get_json()["temperature"]
    assert summary["min"] == "4.00" and summary["max"] == "5.00"
    assert summary["readings"] == 101 and summary["sensors"] == 2 and summary["excursions"] == []


def test_ten_thousand_readings_at_once_but_not_more(chilled):
    start = utcnow() - timedelta(days=8)
    batch = readings(start, 1, [3.5] * 10_000)
    response = chilled["api"].post(chilled["url"], json={"readings": batch})
    assert response.status_code == 200 and response.get_json()["inserted"] == 10_000
    too_many = chilled["api"].post(chilled["url"], json={"readings": batch + readings(start, 1, [3.0], "T9")})
    assert too_many.status_code == 422
    assert too_many.get_json()["error"]["code"] == "too_many_readings"


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"celsius": "warm"}, "celsius"),
        ({"celsius": 81}, "celsius"),
        ({"celsius": -80.5}, "celsius"),
        ({"celsius": True}, "celsius"),
        ({"celsius": None}, "celsius"),
        ({"recorded_at": "2026-13-45T00:00:00Z"}, "recorded_at"),
        ({"recorded_at": "2026-01-01T00:00:00"}, "recorded_at"),
        ({"recorded_at": "2999-01-01T00:00:00Z"}, "recorded_at"),
        ({"recorded_at": "2003-01-01T00:00:00Z"}, "recorded_at"),  # years before the shipment
        ({"recorded_at": "0031-12-06T07:54:18Z"}, "recorded_at"),
        ({"sensor_id": ""}, "sensor_id"),
        ({"sensor_id": 7}, "sensor_id"),
    ],
)
def test_bad_readings_write_nothing_and_name_every_bad_index(chilled, bad, field):
    batch = readings(utcnow() - timedelta(hours=1), 1, [4.0, 4.1, 4.2])
    batch[1].update(bad)
    batch[2].update(bad)
    response = chilled["api"].post(chilled["url"], json={"readings": batch})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["invalid_indexes"] == [1, 2]
    assert f"readings.1.{field}" in error["fields"]
    assert db.session.query(TemperatureReading).count() == 0


def test_nan_and_malformed_bodies_are_refused(chilled):
    api = chilled["api"]
    body = '{"readings": [{"sensor_id": "T1", "recorded_at": "2026-01-01T00:00:00Z", "celsius": NaN}]}'
    assert api.post(chilled["url"], data=body, content_type="application/json").status_code == 422
    assert api.post(chilled["url"], json={"readings": []}).status_code == 422
    assert api.post(chilled["url"], json=[1, 2]).status_code == 422
    assert api.post(chilled["url"], json={"readings": [1]}).status_code == 422


def test_who_may_post_readings(app, chilled):
    body = {"readings": readings(utcnow() - timedelta(hours=1), 1, [4.0])}
    assert client_for(app, chilled["order"].buyer).post(chilled["url"], json=body).status_code == 403
    assert (
        client_for(app, factories.UserFactory(role="farmer")).post(chilled["url"], json=body).status_code
        == 404
    )
    assert db.session.query(TemperatureReading).count() == 0


def test_an_excursion_longer_than_the_grace_period_is_an_exception_event(app, chilled, smtp_server):
    start = utcnow() - timedelta(hours=5)
    # 5-minute readings: in band, then 45 minutes at 8–9.5 °C, then back in band.
    values = [4.0] * 6 + [8.0, 8.5, 9.5, 9.0, 8.8, 8.2, 8.1, 8.0, 8.4, 8.3] + [5.0] * 6
    response = chilled["api"].post(chilled["url"], json={"readings": readings(start, 5, values)})
    assert response.status_code == 200
    [excursion] = response.get_json()["excursions"]
    assert excursion["min"] == "8.00" and excursion["max"] == "9.50"
    assert excursion["duration_minutes"] == 50
    event = db.session.get(TrackingEvent, excursion["event_id"])
    assert event.type == "exception" and event.reason == "temperature_excursion"
    assert event.details["max_c"] == "9.50" and event.details["duration_minutes"] == 50
    recipients = {m["To"] for m in smtp_server.messages}
    order = chilled["order"]
    assert {order.buyer.email, order.producer.owner.email} <= recipients
    assert len(recipients) == 3  # and the operator who built the shipment
    # Sent again (a telematics retry): nothing new.
    again = chilled["api"].post(chilled["url"], json={"readings": readings(start, 5, values)})
    assert again.get_json()["excursions"] == [] and again.get_json()["inserted"] == 0
    summary = chilled["api"].get(f"/api/v1/shipments/{chilled['id']}").get_json()["temperature"]
    assert len(summary["excursions"]) == 1 and summary["max"] == "9.50"


def test_a_short_spike_within_the_grace_period_is_not_an_excursion(chilled):
    start = utcnow() - timedelta(hours=5)
    values = [4.0] * 3 + [7.0, 7.5, 7.0] + [4.0] * 3  # 15 minutes out of band
    response = chilled["api"].post(chilled["url"], json={"readings": readings(start, 5, values)})
    assert response.get_json()["excursions"] == []
    assert db.session.query(TemperatureExcursion).count() == 0


def test_late_readings_complete_a_run_that_then_counts(chilled):
    start = utcnow() - timedelta(hours=5)
    first = readings(start, 5, [4.0, 8.0, 8.0, 8.0, 8.0])  # 20 minutes out so far, still going
    assert chilled["api"].post(chilled["url"], json={"readings": first}).get_json()["excursions"] == []
    # The rest of the run arrives later and out of order.
    rest = readings(start + timedelta(minutes=25), 5, [8.0, 8.0, 8.0, 4.0])
    response = chilled["api"].post(chilled["url"], json={"readings": list(reversed(rest))})
    [excursion] = response.get_json()["excursions"]
    assert excursion["duration_minutes"] == 35
    # A late reading before the run, also out of band: the same excursion grows, no new event.
    earlier = [{"sensor_id": "T1", "recorded_at": (start + timedelta(minutes=2)).isoformat(), "celsius": 9.0}]
    assert chilled["api"].post(chilled["url"], json={"readings": earlier}).get_json()["excursions"] == []
    assert db.session.query(TrackingEvent).filter_by(reason="temperature_excursion").count() == 1
    [stored] = db.session.query(TemperatureExcursion).all()
    assert stored.duration_minutes == 38 and str(stored.max_c) == "9.00"


def test_chart_series(chilled):
    start = utcnow() - timedelta(hours=3)
    chilled["api"].post(chilled["url"], json={"readings": readings(start, 1, [4.0] * 100, "A")})
    body = chilled["api"].get(chilled["url"]).get_json()
    assert body["band"] == {"min": 2.0, "max": 6.0, "empty": False}
    assert body["sensors"][0]["sensor_id"] == "A" and len(body["sensors"][0]["points"]) == 100
