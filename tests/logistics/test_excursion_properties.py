"""Excursion merging (Hypothesis): however a sensor's readings are split into requests, the
cold chain records the same excursions as if they had come in one request, and never reports
one twice.

The rule: an excursion runs from the first reading out of the band to the first reading back in
it (or to the last reading, while it lasts), and counts when longer than the grace period.
"""

import itertools
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import select

from core.extensions import db
from core.timeutil import utcnow
from logistics.models import Shipment, TemperatureExcursion, TrackingEvent
from logistics.services import readings
from tests import factories
from tests.logistics.helpers import operator_api, shipment_with

LOW, HIGH = Decimal("2"), Decimal("6")
TEMPERATURES = {"in": 4.0, "cold": -1.5, "warm": 9.25}
SENSORS = itertools.count(1)


@pytest.fixture
def cold_chain(app):
    """One shipment with a 2–6 °C band and an operator; each example uses a sensor of its own."""
    operator = factories.UserFactory(role="operator")
    shipment_id, _orders = shipment_with(app, operator_api(app, operator))
    shipment = db.session.get(Shipment, shipment_id)
    shipment.temp_min_c, shipment.temp_max_c = LOW, HIGH
    db.session.commit()
    return shipment_id, operator


series = st.lists(
    st.tuples(st.integers(1, 40), st.sampled_from(sorted(TEMPERATURES))), min_size=1, max_size=24
)


def _readings(steps) -> list[tuple]:
    """(time, °C) every few minutes, starting two days ago."""
    at = utcnow().replace(microsecond=0) - timedelta(days=2)
    result = []
    for gap, kind in steps:
        at += timedelta(minutes=gap)
        result.append((at, TEMPERATURES[kind]))
    return result


def expected_excursions(points, grace: timedelta) -> list[tuple]:
    """The rule, applied to the whole series at once."""
    found, start, last = [], None, None
    for at, celsius in sorted(points):
        if not LOW <= Decimal(str(celsius)) <= HIGH:
            start = start or at
            last = at
        elif start is not None:
            if at - start > grace:
                found.append((start, at))
            start = None
    if start is not None and last - start > grace:
        found.append((start, last))
    return found


def _send(shipment_id, operator, sensor, points) -> None:
    body = {
        "readings": [{"sensor_id": sensor, "recorded_at": at.isoformat(), "celsius": c} for at, c in points]
    }
    readings.ingest(operator, shipment_id, body)


def _aware(value):
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _recorded(shipment_id, sensor) -> list[tuple]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(TemperatureExcursion)
        .where(TemperatureExcursion.shipment_id == shipment_id, TemperatureExcursion.sensor_id == sensor)
        .order_by(TemperatureExcursion.started_at)
    ).all()
    return [(_aware(x.started_at), _aware(x.ended_at)) for x in rows]


def _reported(shipment_id, sensor) -> int:
    events = db.session.scalars(
        select(TrackingEvent).where(
            TrackingEvent.shipment_id == shipment_id, TrackingEvent.type == "exception"
        )
    ).all()
    return sum(1 for e in events if (e.details or {}).get("sensor_id") == sensor)


def _chunks(points, cuts):
    edges = [0, *sorted(set(cuts)), len(points)]
    return [points[a:b] for a, b in itertools.pairwise(edges) if a < b]


@given(steps=series, cuts=st.lists(st.integers(1, 23), max_size=5))
# Found by this test: a sensor out of band from its first reading, one reading a request; and a
# run that only the in-band reading of a later request makes long enough.
@example(steps=[(1, "cold"), (31, "cold")], cuts=[1])
@example(steps=[(1, "warm"), (20, "warm"), (25, "in")], cuts=[2])
def test_readings_sent_in_parts_give_the_excursions_of_the_whole(app, cold_chain, steps, cuts):
    shipment_id, operator = cold_chain
    sensor = f"probe-{next(SENSORS)}"
    points = _readings(steps)
    for chunk in _chunks(points, [c for c in cuts if c < len(points)]):
        _send(shipment_id, operator, sensor, chunk)
    expected = expected_excursions(points, readings.grace())
    assert _recorded(shipment_id, sensor) == expected
    assert _reported(shipment_id, sensor) == len(expected)  # each reported once


@given(steps=series, order=st.randoms(use_true_random=False), cuts=st.lists(st.integers(1, 23), max_size=5))
def test_readings_arriving_out_of_order_never_give_overlapping_excursions(
    app, cold_chain, steps, order, cuts
):
    shipment_id, operator = cold_chain
    sensor = f"probe-{next(SENSORS)}"
    points = _readings(steps)
    shuffled = list(points)
    order.shuffle(shuffled)
    for chunk in _chunks(shuffled, [c for c in cuts if c < len(points)]):
        _send(shipment_id, operator, sensor, chunk)
    recorded = _recorded(shipment_id, sensor)
    for (_s1, end), (start, _e2) in itertools.pairwise(recorded):
        assert end < start, recorded
    assert _reported(shipment_id, sensor) == len(recorded)
    for start, end in expected_excursions(points, readings.grace()):
        # Every excursion of the whole series is inside one that was recorded.
        assert any(s <= start and end <= e for s, e in recorded), (start, end, recorded)
