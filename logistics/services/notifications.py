"""E-mails about shipments, in each recipient's language, sent after commit."""

from flask import current_app
from sqlalchemy import select

from accounts.models import User
from core.extensions import db
from core.mail import queue_email


def _parties(shipment) -> list[User]:
    """The operator who built the shipment (else every operator), its buyers and farmers."""
    people: dict[int, User] = {}
    if shipment.created_by is not None and shipment.created_by.active:
        people[shipment.created_by.id] = shipment.created_by
    else:
        for operator in db_operators():
            people[operator.id] = operator
    for order in (link.order for link in shipment.orders):
        for user in (order.buyer, order.producer.owner):
            if user is not None and user.active:
                people[user.id] = user
    return list(people.values())


def db_operators() -> list[User]:
    return db.session.scalars(select(User).where(User.role == "operator", User.active.is_(True))).all()


def excursion(shipment, excursion) -> None:
    base = current_app.config["PUBLIC_BASE_URL"]
    band = f"{_fmt(shipment.temp_min_c)}…{_fmt(shipment.temp_max_c)} °C"
    for user in _parties(shipment):
        url = f"{base}/logistics/shipments/{shipment.id}"
        if user.role in ("buyer", "farmer"):
            order = next((o for o in (link.order for link in shipment.orders) if o.is_party(user)), None)
            url = f"{base}/orders/{order.id}/tracking" if order else f"{base}/track/{shipment.tracking_code}"
        queue_email(
            user.email,
            user.language,
            "logistics/email/excursion",
            time_zone=user.time_zone,
            code=shipment.tracking_code,
            sensor_id=excursion.sensor_id,
            min_c=str(excursion.min_c),
            max_c=str(excursion.max_c),
            band=band,
            minutes=excursion.duration_minutes,
            started_at=excursion.started_at.isoformat(),
            url=url,
        )


def _fmt(value) -> str:
    return "—" if value is None else str(value)
