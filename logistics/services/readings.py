"""Cold chain: bulk temperature readings, excursion detection, summaries and chart series.

Ingest is built for telematics volumes: plain loops validate (no schema object per reading),
one ``INSERT … ON CONFLICT DO NOTHING`` writes (on PostgreSQL from three arrays with
``unnest``), and excursions are looked for only when a reading is out of band. A request is
all or nothing: any bad reading → 422 naming every bad index, nothing written.
"""

import math
import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, text, true
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.errors import AppError, ValidationFailed
from core.extensions import db
from core.timeutil import utcnow
from logistics.models import Shipment, TemperatureExcursion, TemperatureReading, TrackingEvent
from logistics.rules import earliest_plausible
from logistics.services.access import require_staff, shipment_for

MAX_READINGS = 10_000
MIN_CELSIUS, MAX_CELSIUS = -80.0, 80.0
SENSOR_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")
NUMBER_RE = re.compile(r"^-?[0-9]{1,3}(\.[0-9]{1,6})?$")
#: Readings older than this are refused as absurd.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
MAX_ERRORS_REPORTED = 100


class TooManyReadings(AppError):
    status, code = 422, "too_many_readings"


def grace() -> timedelta:
    return timedelta(minutes=current_app.config.get("TEMPERATURE_EXCURSION_GRACE_MINUTES", 30))


def parse_readings(
    body, now: datetime, earliest: datetime = EARLIEST
) -> tuple[list[str], list[datetime], list[float]]:
    """Validate ``{"readings": [...]}`` → three parallel lists. All or nothing (422).

    ``earliest``: no reading may be older (the shipment's plausible start, see
    ``rules.earliest_plausible``)."""
    readings = body.get("readings") if isinstance(body, dict) else None
    if not isinstance(readings, list) or not readings:
        message = _l("Send a non-empty list of readings.")
        raise ValidationFailed(message, fields={"readings": [message]})
    if len(readings) > MAX_READINGS:
        message = _l("At most %(n)d readings per request.", n=MAX_READINGS)
        raise TooManyReadings(message, fields={"readings": [message]}, extra={"limit": MAX_READINGS})
    latest = now + timedelta(minutes=current_app.config.get("EVENT_FUTURE_TOLERANCE_MINUTES", 5))
    sensors, times, temps = [], [], []
    errors: dict[str, list] = {}
    bad: list[int] = []
    fromiso = datetime.fromisoformat
    for index, reading in enumerate(readings):
        if not isinstance(reading, dict):
            errors[f"readings.{index}"] = [_l("A reading is an object.")]
            bad.append(index)
            continue
        sensor, recorded, celsius = (
            reading.get("sensor_id"),
            reading.get("recorded_at"),
            reading.get("celsius"),
        )
        problem = None
        if not isinstance(sensor, str) or not SENSOR_RE.match(sensor):
            problem = ("sensor_id", _l("A sensor id: 1–64 letters, digits or . _ : / -"))
        else:
            when = None
            if isinstance(recorded, str) and 10 <= len(recorded) <= 40:
                try:
                    when = fromiso(recorded)
                except ValueError:
                    when = None
            if when is None or when.tzinfo is None:
                problem = ("recorded_at", _l("An ISO 8601 time with its time zone."))
            elif when > latest or when < max(earliest, EARLIEST):
                problem = ("recorded_at", _l("This time is in the future or implausibly old."))
            else:
                kind = type(celsius)
                if kind is float or kind is int:
                    value = float(celsius)
                elif kind is str and NUMBER_RE.match(celsius):
                    value = float(celsius)
                else:
                    value = None
                if value is None or not math.isfinite(value):
                    problem = ("celsius", _l("A temperature in °C as a number."))
                elif not MIN_CELSIUS <= value <= MAX_CELSIUS:
                    problem = ("celsius", _l("Between −80 and +80 °C."))
                else:
                    sensors.append(sensor)
                    times.append(when)
                    temps.append(round(value, 2))
                    continue
        bad.append(index)
        if len(errors) < MAX_ERRORS_REPORTED:
            errors[f"readings.{index}.{problem[0]}"] = [problem[1]]
    if bad:
        raise ValidationFailed(
            _l("%(n)d readings are not valid; nothing was saved.", n=len(bad)),
            fields=errors,
            extra={"invalid_indexes": bad[:1000]},
        )
    return sensors, times, temps


def ingest(user, shipment_id: int, body) -> dict:
    """Store readings (duplicates of the same sensor and time ignored) and record any new
    excursion. → ``{"received", "inserted", "duplicates", "excursions": [...]}``.

    :raise 404: unknown shipment or not visible to the caller
    :raise 403: not an operator or admin
    :raise 422: a bad reading (all indexes named), more than 10,000
    """
    try:
        shipment = shipment_for(user, shipment_id, lock=True)
        require_staff(user)
        sensors, times, temps = parse_readings(body, utcnow(), earliest_plausible(shipment))
        inserted = _insert(shipment.id, sensors, times, temps)
        excursions = []
        if _any_out_of_band(shipment, temps) or _closes_earlier_run(shipment, sensors, times):
            excursions = detect_excursions(shipment, sensors, times, user)
        db.session.commit()
    except AppError:
        db.session.rollback()
        raise
    return {
        "received": len(sensors),
        "inserted": inserted,
        "duplicates": len(sensors) - inserted,
        "excursions": excursions,
    }


def _insert(shipment_id: int, sensors, times, temps) -> int:
    if db.engine.dialect.name == "postgresql":
        result = db.session.execute(
            text(
                "INSERT INTO logistics_temperature_readings (shipment_id, sensor_id, recorded_at, celsius) "
                "SELECT :shipment_id, s, t, c FROM unnest("
                "CAST(:sensors AS varchar[]), CAST(:times AS timestamptz[]), CAST(:temps AS numeric[])"
                ") AS u(s, t, c) ON CONFLICT DO NOTHING"
            ),
            {"shipment_id": shipment_id, "sensors": sensors, "times": times, "temps": temps},
        )
        return result.rowcount
    stmt = sqlite_insert(TemperatureReading).on_conflict_do_nothing(
        index_elements=["shipment_id", "sensor_id", "recorded_at"]
    )
    before = _count(shipment_id)
    # Duplicates inside one request are dropped first (SQLite would count them twice).
    rows = {
        (s, t): {"shipment_id": shipment_id, "sensor_id": s, "recorded_at": t, "celsius": Decimal(str(c))}
        for s, t, c in zip(sensors, times, temps, strict=True)
    }
    db.session.execute(stmt, list(rows.values()))
    return _count(shipment_id) - before


def _count(shipment_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(TemperatureReading)
        .where(TemperatureReading.shipment_id == shipment_id)
    )


def _any_out_of_band(shipment: Shipment, temps) -> bool:
    if shipment.band_empty or shipment.band is None:
        return False
    low = float(shipment.temp_min_c) if shipment.temp_min_c is not None else -math.inf
    high = float(shipment.temp_max_c) if shipment.temp_max_c is not None else math.inf
    return any(c < low or c > high for c in temps)


def _closes_earlier_run(shipment: Shipment, sensors, times) -> bool:
    """In-band readings may end a run begun in an earlier request, and so make it long enough
    to count: look when a sensor's reading just before this batch was out of band (one indexed
    lookup per sensor)."""
    if shipment.band_empty or shipment.band is None:
        return False
    first: dict[str, datetime] = {}
    for sensor, when in zip(sensors, times, strict=True):
        if sensor not in first or when < first[sensor]:
            first[sensor] = when
    for sensor, start in first.items():
        previous = db.session.scalar(
            select(_out_of_band(shipment))
            .where(
                TemperatureReading.shipment_id == shipment.id,
                TemperatureReading.sensor_id == sensor,
                TemperatureReading.recorded_at < start,
            )
            .order_by(TemperatureReading.recorded_at.desc())
            .limit(1)
        )
        if previous:
            return True
    return False


def _out_of_band(shipment: Shipment):
    conditions = []
    if shipment.temp_min_c is not None:
        conditions.append(TemperatureReading.celsius < shipment.temp_min_c)
    if shipment.temp_max_c is not None:
        conditions.append(TemperatureReading.celsius > shipment.temp_max_c)
    return or_(*conditions)


def detect_excursions(shipment: Shipment, sensors, times, actor) -> list[dict]:
    """Find runs of out-of-band readings longer than the grace period around the new
    readings (widened to the in-band readings on either side, so a run is seen whole), and
    record each new one as an ``exception`` event. An excursion that grows is updated, not
    reported twice. Returns the new excursions."""
    window: dict[str, list[datetime]] = {}
    for sensor, when in zip(sensors, times, strict=True):
        span = window.get(sensor)
        if span is None:
            window[sensor] = [when, when]
        elif when < span[0]:
            span[0] = when
        elif when > span[1]:
            span[1] = when
    in_band = ~_out_of_band(shipment)
    bounds = {}
    for sensor, (start, end) in window.items():
        base = and_(TemperatureReading.shipment_id == shipment.id, TemperatureReading.sensor_id == sensor)
        before = db.session.scalar(
            select(func.max(TemperatureReading.recorded_at)).where(
                base, TemperatureReading.recorded_at < start, in_band
            )
        )
        after = db.session.scalar(
            select(func.min(TemperatureReading.recorded_at)).where(
                base, TemperatureReading.recorded_at > end, in_band
            )
        )
        # No in-band reading on a side: the run reaches the sensor's first (or last) reading,
        # which may have come in an earlier request.
        bounds[sensor] = (before, after)
    clauses = [
        and_(
            TemperatureReading.sensor_id == sensor,
            TemperatureReading.recorded_at >= low if low is not None else true(),
            TemperatureReading.recorded_at <= high if high is not None else true(),
        )
        for sensor, (low, high) in bounds.items()
    ]
    rows = db.session.execute(
        select(TemperatureReading.sensor_id, TemperatureReading.recorded_at, TemperatureReading.celsius)
        .where(TemperatureReading.shipment_id == shipment.id, or_(*clauses))
        .order_by(TemperatureReading.sensor_id, TemperatureReading.recorded_at)
    ).all()
    runs = _runs(shipment, rows)
    if not runs:
        return []
    return _record_runs(shipment, runs, actor)


def _runs(shipment: Shipment, rows) -> list[dict]:
    low = shipment.temp_min_c if shipment.temp_min_c is not None else Decimal("-1000")
    high = shipment.temp_max_c if shipment.temp_max_c is not None else Decimal("1000")
    limit = grace()
    runs, current, sensor_of_run = [], None, None

    def close(end):
        nonlocal current
        if current is not None and end - current["started_at"] > limit:
            current["ended_at"] = end
            runs.append(current)
        current = None

    for sensor, when, celsius in rows:
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        celsius = Decimal(celsius)
        if sensor != sensor_of_run:
            if current is not None:
                close(current["last_at"])
            sensor_of_run = sensor
        if celsius < low or celsius > high:
            if current is None:
                current = {
                    "sensor_id": sensor,
                    "started_at": when,
                    "last_at": when,
                    "min_c": celsius,
                    "max_c": celsius,
                }
            else:
                current["last_at"] = when
                current["min_c"] = min(current["min_c"], celsius)
                current["max_c"] = max(current["max_c"], celsius)
        elif current is not None:
            close(when)
    if current is not None:
        close(current["last_at"])
    return runs


def _record_runs(shipment: Shipment, runs: list[dict], actor) -> list[dict]:
    from logistics.services import notifications
    from logistics.services.events import after_events, append_system_event

    sensors = {r["sensor_id"] for r in runs}
    known = db.session.scalars(
        select(TemperatureExcursion).where(
            TemperatureExcursion.shipment_id == shipment.id, TemperatureExcursion.sensor_id.in_(sensors)
        )
    ).all()
    history = db.session.scalars(
        select(TrackingEvent)
        .where(TrackingEvent.shipment_id == shipment.id)
        .order_by(TrackingEvent.occurred_at)
    ).all()
    history = list(history)
    new = []
    for run in runs:
        overlapping = next(
            (
                x
                for x in known
                if x.sensor_id == run["sensor_id"]
                and x.started_at <= run["ended_at"]
                and x.ended_at >= run["started_at"]
            ),
            None,
        )
        if overlapping is not None:
            overlapping.started_at = min(overlapping.started_at, run["started_at"])
            overlapping.ended_at = max(overlapping.ended_at, run["ended_at"])
            overlapping.min_c = min(overlapping.min_c, run["min_c"])
            overlapping.max_c = max(overlapping.max_c, run["max_c"])
            continue
        excursion = TemperatureExcursion(
            shipment_id=shipment.id,
            sensor_id=run["sensor_id"],
            started_at=run["started_at"],
            ended_at=run["ended_at"],
            min_c=run["min_c"],
            max_c=run["max_c"],
        )
        minutes = excursion.duration_minutes
        event = append_system_event(
            shipment,
            history,
            {
                "type": "exception",
                "reason": "temperature_excursion",
                "occurred_at": run["started_at"],
                "note": f"sensor {run['sensor_id']}: {run['min_c']}…{run['max_c']} °C for {minutes} min",
                "details": {
                    "sensor_id": run["sensor_id"],
                    "min_c": str(run["min_c"]),
                    "max_c": str(run["max_c"]),
                    "duration_minutes": minutes,
                    "started_at": run["started_at"].isoformat(),
                    "ended_at": run["ended_at"].isoformat(),
                    "band": _band_json(shipment),
                },
            },
            actor,
        )
        db.session.add(excursion)
        db.session.flush()
        excursion.event_id = event.id
        known.append(excursion)
        new.append((excursion, event))
    if new:
        after_events(shipment, history, [event for _x, event in new], actor, set())
        for excursion, _event in new:
            notifications.excursion(shipment, excursion)
    return [excursion_json(x) for x, _e in new]


def _band_json(shipment: Shipment) -> dict:
    def fmt(value):
        return None if value is None else str(value)

    return {"min": fmt(shipment.temp_min_c), "max": fmt(shipment.temp_max_c)}


def excursion_json(excursion: TemperatureExcursion) -> dict:
    return {
        "id": excursion.id,
        "sensor_id": excursion.sensor_id,
        "started_at": excursion.started_at,
        "ended_at": excursion.ended_at,
        "duration_minutes": excursion.duration_minutes,
        "min": excursion.min_c,
        "max": excursion.max_c,
        "event_id": excursion.event_id,
    }


def summary(shipment: Shipment) -> dict:
    """``{"min", "max", "readings", "sensors", "band", "excursions": [...]}``."""
    low, high, count, sensor_count = db.session.execute(
        select(
            func.min(TemperatureReading.celsius),
            func.max(TemperatureReading.celsius),
            func.count(),
            func.count(func.distinct(TemperatureReading.sensor_id)),
        ).where(TemperatureReading.shipment_id == shipment.id)
    ).one()
    return {
        "min": None if low is None else Decimal(low),
        "max": None if high is None else Decimal(high),
        "readings": count,
        "sensors": sensor_count,
        "band": _band_json(shipment) | {"empty": shipment.band_empty},
        "excursions": [excursion_json(x) for x in excursions_of(shipment)],
    }


def excursions_of(shipment: Shipment) -> list[TemperatureExcursion]:
    return db.session.scalars(
        select(TemperatureExcursion)
        .where(TemperatureExcursion.shipment_id == shipment.id)
        .order_by(TemperatureExcursion.started_at)
    ).all()


def series(shipment: Shipment, max_points: int = 1500) -> dict:
    """Chart data: per sensor ``[[epoch_ms, celsius], …]``, thinned to about ``max_points`` per
    sensor by keeping each bucket's lowest and highest reading (spikes survive)."""
    rows = db.session.execute(
        select(TemperatureReading.sensor_id, TemperatureReading.recorded_at, TemperatureReading.celsius)
        .where(TemperatureReading.shipment_id == shipment.id)
        .order_by(TemperatureReading.sensor_id, TemperatureReading.recorded_at)
    ).all()
    per_sensor = defaultdict(list)
    for sensor, when, celsius in rows:
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        per_sensor[sensor].append((int(when.timestamp() * 1000), float(celsius)))
    sensors = []
    for sensor, points in per_sensor.items():
        if len(points) > max_points:
            size = math.ceil(len(points) / (max_points / 2))
            thinned = []
            for start in range(0, len(points), size):
                bucket = points[start : start + size]
                low = min(bucket, key=lambda p: p[1])
                high = max(bucket, key=lambda p: p[1])
                thinned.extend(sorted({low, high}))
            points = thinned
        sensors.append({"sensor_id": sensor, "points": [list(p) for p in points]})
    band = shipment.band or {}
    return {
        "band": {
            "min": None if band.get("min") is None else float(band["min"]),
            "max": None if band.get("max") is None else float(band["max"]),
            "empty": shipment.band_empty,
        },
        "sensors": sensors,
        "excursions": [
            {
                "sensor_id": x.sensor_id,
                "start": int(x.started_at.timestamp() * 1000),
                "end": int(x.ended_at.timestamp() * 1000),
                "min": float(x.min_c),
                "max": float(x.max_c),
            }
            for x in excursions_of(shipment)
        ],
    }


def utc_now_ms() -> int:
    return int(utcnow().timestamp() * 1000)
