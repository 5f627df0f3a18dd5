"""The order lifecycle as data, and the one function that moves an order along it.

``TRANSITIONS[from][to]`` lists who may make the move: a role, or ``system`` for moves the
platform makes itself (payment received, expiry, logistics milestones, auto-completion).
"""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from core.errors import Conflict, Forbidden, ValidationFailed
from core.extensions import db
from core.logs import audit
from core.timeutil import utcnow
from marketplace.models import OrderStatusChange
from marketplace.signals import order_status_changed

SYSTEM = "system"

TRANSITIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "pending_payment": {"paid": (SYSTEM, "admin"), "cancelled": ("buyer", "farmer", "admin", SYSTEM)},
    "paid": {
        "confirmed": ("farmer",),
        "cancelled": ("buyer", "farmer", "admin", SYSTEM),
        "disputed": (SYSTEM,),
    },
    "confirmed": {"ready_for_pickup": ("farmer",), "cancelled": ("farmer", "admin"), "disputed": (SYSTEM,)},
    "ready_for_pickup": {
        "in_transit": (SYSTEM, "operator", "admin"),
        "cancelled": ("farmer", "admin"),
        "disputed": (SYSTEM,),
    },
    "in_transit": {"delivered": (SYSTEM, "operator", "admin"), "disputed": (SYSTEM,)},
    # A buyer disputes after delivery; the platform also on a card chargeback at any paid stage.
    "delivered": {"completed": ("buyer", SYSTEM, "admin"), "disputed": ("buyer", SYSTEM)},
    "disputed": {"completed": ("admin",)},
    "completed": {},
    "cancelled": {},
}

#: Moves that must say why.
REASON_REQUIRED = {("farmer", "cancelled"), ("admin", "cancelled"), ("buyer", "disputed")}

#: Order and payment statuses have their own translation context: shipments share some
#: words ("Delivered", "In transit") that Russian inflects differently.
STATUS_LABELS = {
    "pending_payment": lazy_pgettext("order status", "Awaiting payment"),
    "paid": lazy_pgettext("order status", "Paid"),
    "confirmed": lazy_pgettext("order status", "Confirmed"),
    "ready_for_pickup": lazy_pgettext("order status", "Ready for pickup"),
    "in_transit": lazy_pgettext("order status", "In transit"),
    "delivered": lazy_pgettext("order status", "Delivered"),
    "completed": lazy_pgettext("order status", "Completed"),
    "cancelled": lazy_pgettext("order status", "Cancelled"),
    "disputed": lazy_pgettext("order status", "Disputed"),
}

PAYMENT_LABELS = {
    "pending": lazy_pgettext("order status", "Awaiting payment"),
    "partially_received": lazy_pgettext("order status", "Partly received"),
    "succeeded": lazy_pgettext("order status", "Paid"),
    "failed": lazy_pgettext("order status", "Failed"),
    "canceled": lazy_pgettext("order status", "Cancelled"),
}

#: The happy path, for timelines.
PIPELINE = (
    "pending_payment",
    "paid",
    "confirmed",
    "ready_for_pickup",
    "in_transit",
    "delivered",
    "completed",
)


class IllegalTransition(Conflict):
    code = "illegal_transition"


def allowed_moves(order, user) -> list[str]:
    """The statuses ``user`` could move ``order`` to now (for buttons)."""
    role = user.role if user is not None else SYSTEM
    return [to for to, roles in TRANSITIONS[order.status].items() if role in roles]


def set_status(order, to_status: str, actor=None, reason: str = "") -> OrderStatusChange:
    """Move ``order`` to ``to_status`` and write the history row. Does not commit.

    ``actor`` None means the platform itself. Ownership is the caller's check.
    :raise 409: the move is not in TRANSITIONS from the current status
    :raise 403: the move exists but not for the actor's role
    :raise 422: a reason is required and missing
    """
    from_status = order.status
    moves = TRANSITIONS.get(from_status, {})
    if to_status not in moves:
        raise IllegalTransition(
            _l(
                "An order that is %(status)s cannot become %(to)s.",
                status=STATUS_LABELS.get(from_status, from_status),
                to=STATUS_LABELS.get(to_status, to_status),
            ),
            extra={"current_status": from_status},
        )
    role = actor.role if actor is not None else SYSTEM
    if role not in moves[to_status]:
        raise Forbidden(
            _l("You cannot make this change to the order."), extra={"current_status": from_status}
        )
    reason = (reason or "").strip()
    if (role, to_status) in REASON_REQUIRED and not reason:
        message = _l("Please give a reason.")
        raise ValidationFailed(message, fields={"reason": [message]})
    order.status = to_status
    order.updated_at = utcnow()
    change = OrderStatusChange(
        order=order,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor.id if actor is not None else None,
        reason=reason[:2000],
    )
    db.session.add(change)
    audit(
        "order.status",
        actor,
        order_id=order.id,
        from_status=from_status,
        to_status=to_status,
        reason=change.reason or None,
    )
    order_status_changed.send(order, change=change, actor=actor)
    return change
