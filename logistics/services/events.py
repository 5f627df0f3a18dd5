"""Recording milestones: append-only, deduplicated, checked against the route's rules; the
shipment's status derived from them; orders moved along; buyers' webhooks queued.

A bulk request is all or nothing: the first item that breaks a rule fails the whole request
(its index is in the error) and nothing is written.
"""

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.errors import AppError, Conflict, ValidationFailed
from core.extensions import db
from core.logs import audit
from core.timeutil import utcnow
from logistics.models import Shipment, TrackingEvent
from logistics.rules import (
    EXCEPTION,
    MILESTONES,
    STATUS_LABELS,
    counts_for_status,
    dependants,
    earliest_plausible,
    inland_clearance,
    required_closure,
)
from logistics.services.access import require_staff, shipment_for
from logistics.services.eta import refresh_eta
from logistics.services.places import localise, place_by_code
from logistics.services.shipments import checklist, fully_delivered, transload
from logistics.signals import shipment_delivered, shipment_departed
from marketplace.models import Order

MAX_EVENTS_PER_REQUEST = 500


class ImpossibleSequence(Conflict):
    code = "impossible_sequence"


class ChecklistIncomplete(Conflict):
    code = "checklist_incomplete"


class AlreadyRecorded(Conflict):
    code = "milestone_already_recorded"


class EventIdReused(AppError):
    status, code = 422, "event_id_reused"


def future_tolerance() -> timedelta:
    return timedelta(minutes=current_app.config.get("EVENT_FUTURE_TOLERANCE_MINUTES", 5))


def label(code: str) -> str:
    return str(STATUS_LABELS.get(code, code))


def record_events(
    user, shipment_id: int, items: list[dict], idempotency_key: str | None = None, attachment=None
) -> list[tuple[TrackingEvent, bool]]:
    """Append milestones to a shipment. Returns ``[(event, created)]`` in the request's order;
    ``created`` is False for a retry of an event already recorded (same ``event_id`` or
    ``Idempotency-Key``).

    :raise 404: the shipment does not exist or the caller cannot see it
    :raise 403: the caller can see it but is not an operator or admin
    :raise 409: impossible sequence, checklist incomplete, milestone already recorded
    :raise 422: ``occurred_at`` too far in the future, reason missing, an event id reused
    """
    try:
        result = _record(user, shipment_id, items, idempotency_key, attachment)
        db.session.commit()
    except AppError:
        db.session.rollback()
        raise
    return result


def _client_ids(items: list[dict], key: str | None) -> list[str | None]:
    ids = []
    for index, item in enumerate(items):
        if item.get("event_id"):
            ids.append(item["event_id"])
        elif key:
            ids.append(key if len(items) == 1 else f"{key}:{index}")
        else:
            ids.append(None)
    given = [i for i in ids if i]
    if len(given) != len(set(given)):
        message = _l("Each event in a request needs its own event_id.")
        raise ValidationFailed(message, fields={"event_id": [message]})
    return ids


def _record(user, shipment_id, items, key, attachment):
    shipment = shipment_for(user, shipment_id, lock=True)
    require_staff(user)
    if not items or len(items) > MAX_EVENTS_PER_REQUEST:
        message = _l("Send between 1 and %(n)d events.", n=MAX_EVENTS_PER_REQUEST)
        raise ValidationFailed(message, fields={"events": [message]})
    now = utcnow()
    ids = _client_ids(items, key)
    existing = db.session.scalars(
        select(TrackingEvent)
        .where(TrackingEvent.shipment_id == shipment.id)
        .order_by(TrackingEvent.occurred_at, TrackingEvent.id)
    ).all()
    by_client_id = {e.client_event_id: e for e in existing if e.client_event_id}
    results: list[tuple[TrackingEvent, bool] | None] = [None] * len(items)
    fresh = []
    for index, (item, client_id) in enumerate(zip(items, ids, strict=True)):
        _resolve_place(item, index)
        _check_item(item, index, now, earliest_plausible(shipment))
        if client_id and client_id in by_client_id:
            earlier = by_client_id[client_id]
            if earlier.type != item["type"] or earlier.occurred_at != item["occurred_at"]:
                raise EventIdReused(
                    _l("This event id was already used for another event."), extra={"index": index}
                )
            results[index] = (earlier, False)
        else:
            fresh.append((index, item, client_id))
    history = list(existing)
    # In time order, so a bulk upload of a whole journey reads as it happened.
    fresh.sort(key=lambda entry: entry[1]["occurred_at"])
    new_types = set()
    for index, item, client_id in fresh:
        _check_sequence(shipment, history, item, index)
        place = item.get("place_obj")
        # A place fills in what the client left out: its name and coordinates.
        name = (item.get("location_name") or "").strip() or (place.name_en if place else "")
        lat, lon = item.get("latitude"), item.get("longitude")
        if place is not None and lat is None and lon is None:
            lat, lon = place.latitude, place.longitude
        event = TrackingEvent(
            shipment_id=shipment.id,
            type=item["type"],
            reason=item.get("reason") if item["type"] == EXCEPTION else None,
            place_code=place.code if place is not None else None,
            location_name=name[:200],
            latitude=lat,
            longitude=lon,
            occurred_at=item["occurred_at"],
            recorded_at=now,
            recorded_by_id=user.id,
            note=(item.get("note") or "").strip()[:4000],
            client_event_id=client_id,
            details=_details(item),
        )
        if attachment is not None and len(items) == 1:
            from logistics.services.documents import save_attachment

            event.attachment_name, event.attachment_type = save_attachment(attachment)
        db.session.add(event)
        if event.type == "transloaded":
            transload(shipment, event, item["vehicles"])
        history.append(event)
        history.sort(key=lambda e: e.occurred_at)
        new_types.add(event.type)
        results[index] = (event, True)
    if fresh:
        db.session.flush()
        after_events(shipment, history, [e for e, created in results if created], user, new_types)
    return results


def _details(item: dict) -> dict:
    details = dict(item.get("details") or {})
    if item.get("delay_hours") is not None:
        details["delay_hours"] = item["delay_hours"]
    return details


def _resolve_place(item: dict, index: int) -> None:
    """A ``place`` code names a gazetteer place (422 if unknown); a time without an offset is
    then read on that place's clock."""
    code = item.get("place")
    if code is None:
        item["place_obj"] = None
        return
    try:
        place = place_by_code(code, field=f"{index}.place")
    except ValidationFailed as exc:
        exc.extra = {"index": index}
        raise
    item["place_obj"] = place
    if item["occurred_at"].tzinfo is None:
        item["occurred_at"] = localise(item["occurred_at"], place)


def _check_item(item: dict, index: int, now, earliest) -> None:
    occurred = item["occurred_at"]
    if occurred.tzinfo is None:
        message = _l("Give the time with its time zone, or a place whose time zone applies.")
        raise ValidationFailed(message, fields={f"{index}.occurred_at": [message]}, extra={"index": index})
    if item["type"] == "transloaded" and not item.get("vehicles"):
        message = _l("Name the new vehicles or wagons and their seals.")
        raise ValidationFailed(message, fields={f"{index}.vehicles": [message]}, extra={"index": index})
    if item["type"] != "transloaded" and item.get("vehicles"):
        message = _l("Only a transloading changes the vehicles.")
        raise ValidationFailed(message, fields={f"{index}.vehicles": [message]}, extra={"index": index})
    if occurred < earliest:
        message = _l("This time is long before the shipment was planned.")
        raise ValidationFailed(message, fields={f"{index}.occurred_at": [message]}, extra={"index": index})
    if occurred > now + future_tolerance():
        message = _l("This time is in the future.")
        raise ValidationFailed(message, fields={f"{index}.occurred_at": [message]}, extra={"index": index})
    if item["type"] == EXCEPTION and not item.get("reason"):
        message = _l("An exception needs a reason.")
        raise ValidationFailed(message, fields={f"{index}.reason": [message]}, extra={"index": index})
    if item["type"] != EXCEPTION and item.get("reason"):
        message = _l("Only exceptions have a reason.")
        raise ValidationFailed(message, fields={f"{index}.reason": [message]}, extra={"index": index})


def _check_sequence(shipment: Shipment, history: list[TrackingEvent], item: dict, index: int) -> None:
    """The milestone must fit the history at its ``occurred_at``: its prerequisites before it,
    nothing that depends on it before it, and only once unless repeatable."""
    kind, at = item["type"], item["occurred_at"]
    if kind == EXCEPTION:
        return
    rule = MILESTONES[kind]
    if not rule.repeatable and any(e.type == kind for e in history):
        raise AlreadyRecorded(
            _l("“%(milestone)s” is already recorded for this shipment.", milestone=label(kind)),
            extra={"index": index, "type": kind},
        )
    missing = [
        needed
        for needed in required_closure(kind)
        if not any(e.type == needed and e.occurred_at <= at for e in history)
    ]
    if missing:
        raise ImpossibleSequence(
            _l(
                "“%(milestone)s” cannot happen before: %(missing)s.",
                milestone=label(kind),
                missing=", ".join(f"“{label(m)}”" for m in missing),
            ),
            extra={"index": index, "type": kind, "missing": missing},
        )
    later = dependants(kind)
    earlier = [e for e in history if e.type in later and e.occurred_at < at]
    if earlier:
        first = min(earlier, key=lambda e: e.occurred_at)
        raise ImpossibleSequence(
            _l(
                "“%(milestone)s” would come after “%(other)s”, which needs it first.",
                milestone=label(kind),
                other=label(first.type),
            ),
            extra={"index": index, "type": kind, "conflicts_with": sorted({e.type for e in earlier})},
        )
    if kind == "export_customs_cleared":
        departed = [e for e in history if e.type == "departed_origin" and e.occurred_at < at]
        at_border = any(e.type == "arrived_border" and e.occurred_at <= at for e in history)
        if departed and not at_border:
            raise ImpossibleSequence(
                _l(
                    "Export clearance happens at an inland customs post before departure, or at the border: "
                    "not on the way."
                ),
                extra={"index": index, "type": kind, "conflicts_with": ["departed_origin"]},
            )
    if kind == "departed_origin":
        # A departure dated after an inland clearance is the usual order; one dated before a
        # clearance that is not at the border would put the clearance on the way.
        cleared = next((e for e in history if e.type == "export_customs_cleared"), None)
        if cleared is not None and cleared.occurred_at > at and inland_clearance(cleared, history):
            raise ImpossibleSequence(
                _l(
                    "“%(milestone)s” would come after “%(other)s”, which needs it first.",
                    milestone=label("export_customs_cleared"),
                    other=label(kind),
                ),
                extra={"index": index, "type": kind, "conflicts_with": ["export_customs_cleared"]},
            )
    if kind == "departed_origin":
        state = checklist(shipment)
        if not state["complete"]:
            raise ChecklistIncomplete(
                _l(
                    "The export documents are not complete: %(missing)s.", missing=", ".join(state["missing"])
                ),
                extra={"index": index, "missing": state["missing"]},
            )


def derive_status(history: list[TrackingEvent]) -> str:
    """The highest-ranked milestone reached; exceptions never lower it, an inland export
    clearance does not count (it is not a position on the route)."""
    reached = [MILESTONES[e.type].rank for e in history if counts_for_status(e, history)]
    if not reached:
        return "planned"
    top = max(reached)
    return next(code for code, m in MILESTONES.items() if m.rank == top)


def after_events(shipment: Shipment, history, new_events, actor, new_types: set[str]) -> None:
    """Status, ETA, the orders on board, and webhooks, after events were added (no commit)."""
    from logistics.services import webhooks

    status = derive_status(history)
    previous = shipment.status
    if MILESTONES.get(status) and (
        shipment.status == "planned" or MILESTONES[status].rank > MILESTONES[shipment.status].rank
    ):
        audit(
            "shipment.status",
            actor,
            shipment_id=shipment.id,
            tracking_code=shipment.tracking_code,
            from_status=shipment.status,
            to_status=status,
            order_ids=sorted(shipment.order_ids),
        )
        shipment.status = status
    shipment.updated_at = utcnow()
    refresh_eta(shipment, history)
    if "picked_up" in new_types or "delivered" in new_types:
        db.session.flush()
        _move_orders(shipment, actor, new_types)
    if "departed_origin" in new_types:
        shipment_departed.send(shipment, actor=actor)
    if shipment.status == "delivered" and previous != "delivered":
        shipment_delivered.send(shipment, actor=actor)
    webhooks.queue_deliveries(shipment, new_events)


def _move_orders(shipment: Shipment, actor, new_types: set[str]) -> None:
    from marketplace.services.orders import logistics_move

    orders = db.session.scalars(
        select(Order)
        .where(Order.id.in_(shipment.order_ids))
        .order_by(Order.id)
        .with_for_update(of=Order)
        .execution_options(populate_existing=True)
    ).all()
    reason = f"shipment {shipment.tracking_code}"
    for order in orders:
        if "delivered" in new_types and fully_delivered(order):
            logistics_move(order, "delivered", actor, reason)
        elif "picked_up" in new_types or "delivered" in new_types:
            logistics_move(order, "in_transit", actor, reason)


def append_system_event(shipment: Shipment, history, item: dict, actor=None) -> TrackingEvent:
    """An event the platform records itself (a temperature excursion). No commit."""
    event = TrackingEvent(
        shipment_id=shipment.id,
        type=item["type"],
        reason=item.get("reason"),
        location_name=item.get("location_name", ""),
        occurred_at=item["occurred_at"],
        recorded_at=utcnow(),
        recorded_by_id=actor.id if actor is not None else None,
        note=item.get("note", ""),
        details=item.get("details") or {},
    )
    db.session.add(event)
    history.append(event)
    history.sort(key=lambda e: e.occurred_at)
    return event
