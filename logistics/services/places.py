"""The gazetteer: places along the route with their time zones, and the zone each event is dated
in (its place's, else the one its stage of the route implies)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from core.errors import ValidationFailed
from core.extensions import db
from core.timezones import format_when, zone_label
from logistics.models import Place
from logistics.rules import (
    CROSSING_PLACES,
    DEFAULT_DESTINATION,
    DEFAULT_ORIGIN,
    DESTINATION_PLACE,
    MILESTONES,
    ORIGIN_PLACE,
)


def list_places(kind: str | None = None, country: str | None = None) -> list[Place]:
    stmt = select(Place).order_by(Place.position, Place.code)
    if kind:
        stmt = stmt.where(Place.kind == kind)
    if country:
        stmt = stmt.where(Place.country == country.upper())
    return list(db.session.scalars(stmt))


def place_by_code(code, field: str = "place") -> Place:
    """:raise 422: no place has this code (the field is named)"""
    place = db.session.get(Place, code) if isinstance(code, str) and code else None
    if place is None:
        message = _l("Unknown place code: see GET /api/v1/places.")
        raise ValidationFailed(message, code="unknown_place", fields={field: [message]})
    return place


def _name_key(text) -> str:
    return " ".join((text or "").split()).casefold()


def _name_keys(place: Place) -> set[str]:
    """The place's names in every language, as ``_name_key`` compares them."""
    return {_name_key(name) for name in place.names.values()}


def place_named(text) -> Place | None:
    """The place whose name (zh, ru or en, case and spacing aside) a free text is, or the
    place of a default the app stored (``Chelyabinsk``); None for any other text."""
    key = _name_key(text)
    if not key:
        return None
    defaults = {_name_key(DEFAULT_ORIGIN): ORIGIN_PLACE, _name_key(DEFAULT_DESTINATION): DESTINATION_PLACE}
    if key in defaults:
        return _cached(defaults[key])
    for place in list_places():
        if key in _name_keys(place):
            return place
    return None


def route_detail(text, place: Place | None) -> str:
    """What a shipment's free origin or destination text adds to its place: nothing when it
    only names the place (the stored defaults are its English name), else the text."""
    if place is None:
        return text or ""
    key = _name_key(text)
    if not key or key in _name_keys(place):
        return ""
    return text


def origin_zone(shipment) -> str:
    """The zone the shipment's planned departure is read in: its origin place's (else the
    default origin's)."""
    place = shipment.origin_place or _cached(ORIGIN_PLACE)
    return zone_name(place)


def destination_zone(shipment) -> str:
    place = shipment.destination_place or _cached(DESTINATION_PLACE)
    return zone_name(place)


def _cached(code: str) -> Place | None:
    return db.session.get(Place, code)


def stage_place(shipment, milestone: str | None, crossed: bool) -> Place | None:
    """Where an event without a place happened, as far as the route tells: the origin, the
    crossing's Russian or Chinese side, or the Daowai warehouse."""
    russian, chinese = CROSSING_PLACES.get(shipment.border_crossing_code, (ORIGIN_PLACE, DESTINATION_PLACE))
    stage = MILESTONES[milestone].stage if milestone in MILESTONES else None
    if stage == "destination":
        return shipment.destination_place or _cached(DESTINATION_PLACE)
    if stage == "border" or crossed:
        return _cached(chinese if crossed else russian)
    return shipment.origin_place or _cached(ORIGIN_PLACE)


def event_place(event, shipment, history) -> Place | None:
    """The event's own place; else, for an exception, the place of the milestone before it;
    else the place its stage of the route implies. Its zone dates the event."""
    if event.place_code:
        return event.place or _cached(event.place_code)
    before = [e for e in history if e is not event and e.occurred_at <= event.occurred_at]
    if event.type not in MILESTONES:
        milestones = [e for e in before if e.type in MILESTONES]
        if milestones:
            return event_place(milestones[-1], shipment, history)
    crossed = any(e.type == "border_crossed" for e in before) or (
        event.type in MILESTONES and MILESTONES[event.type].rank > MILESTONES["border_crossed"].rank
    )
    return stage_place(shipment, event.type, crossed)


def zone_name(place: Place | None) -> str:
    return place.time_zone if place is not None else "UTC"


def local(value: datetime, zone: str) -> datetime:
    return value.astimezone(ZoneInfo(zone))


def utc_offset(value: datetime, zone: str) -> str:
    """``+09:00`` for Asia/Chita: the offset EPCIS and the API print."""
    text = local(value, zone).strftime("%z")
    return f"{text[:3]}:{text[3:]}"


def localise(value: datetime, place: Place) -> datetime:
    """A naive time read as the place's wall clock."""
    return value.replace(tzinfo=ZoneInfo(place.time_zone))


def zoned_html(at: datetime | None, zone: str) -> Markup:
    """A time on the place's clock with the zone named (``05.12.2026, 08:00 (Чита, UTC+9)``);
    the reader's own time on hover."""
    if at is None:
        return Markup("—")
    at = at.astimezone(ZoneInfo("UTC"))
    there = format_datetime(at, "short", tzinfo=ZoneInfo(zone), locale=get_locale())
    title = _l("Your time: %(when)s", when=format_when(at))
    return Markup(
        '<time datetime="{iso}" title="{title}">{there} <span class="tz">({zone})</span></time>'
    ).format(iso=at.isoformat(), title=str(title), there=there, zone=zone_label(zone, at))
