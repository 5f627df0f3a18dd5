"""ETA from the route's typical leg durations, the last milestone and the delays reported since.

The basis is returned with the estimate, so a page can say what it rests on.
"""

from datetime import datetime, timedelta

from core.timeutil import utcnow
from logistics.rules import DEFAULT_DELAY_HOURS, EXCEPTION, MILESTONES, counts_for_status


def estimate(shipment, events, now: datetime | None = None) -> dict:
    """``{"eta", "overdue", "basis": {"kind", "milestone", "at", "remaining_hours", "delay_hours",
    "route"}}``; ``eta`` is the delivery time once delivered."""
    now = now or utcnow()
    route = shipment.border_crossing
    legs = (route.hours_to_border, route.hours_clearance, route.hours_to_destination)
    milestones = [e for e in events if counts_for_status(e, events)]
    delivered = next((e for e in milestones if e.type == "delivered"), None)
    basis = {"route": route.code, "legs_hours": list(legs)}
    if delivered is not None:
        basis.update(
            kind="delivered",
            milestone="delivered",
            at=delivered.occurred_at,
            remaining_hours=0,
            delay_hours=0,
        )
        return {"eta": delivered.occurred_at, "overdue": False, "basis": basis}
    last = max(milestones, key=lambda e: (MILESTONES[e.type].rank, e.occurred_at), default=None)
    if last is None or last.type == "picked_up":
        candidates = [t for t in (shipment.planned_departure, last.occurred_at if last else None) if t]
        anchor = max(candidates) if candidates else now
        kind, milestone = ("planned_departure", last.type if last else None)
        factors = MILESTONES["departed_origin"].remaining
    elif last.type == "in_transit":
        # Position updates do not restart the legs: count from the departure.
        departed = next((e for e in milestones if e.type == "departed_origin"), last)
        anchor, kind, milestone = departed.occurred_at, "milestone", "departed_origin"
        factors = MILESTONES["departed_origin"].remaining
    else:
        anchor, kind, milestone = last.occurred_at, "milestone", last.type
        factors = MILESTONES[last.type].remaining
    remaining = factors[0] * legs[0] + factors[1] * legs[1] + factors[2] * legs[2] + factors[3]
    delay = sum(_delay_hours(e) for e in events if e.type == EXCEPTION and e.occurred_at >= anchor)
    eta = anchor + timedelta(hours=remaining + delay)
    basis.update(kind=kind, milestone=milestone, at=anchor, remaining_hours=remaining, delay_hours=delay)
    return {"eta": eta, "overdue": eta < now, "basis": basis}


def _delay_hours(event) -> float:
    given = (event.details or {}).get("delay_hours")
    if isinstance(given, int | float) and not isinstance(given, bool):
        return float(given)
    return float(DEFAULT_DELAY_HOURS.get(event.reason or "other", 0))


def refresh_eta(shipment, events) -> dict:
    """Recompute and store ``shipment.eta_at``; returns the estimate."""
    result = estimate(shipment, events)
    shipment.eta_at = result["eta"]
    return result
