"""E-mail the other party of every order status change, in their language, after commit."""

from flask import current_app

from core.mail import queue_email
from marketplace.signals import order_status_changed


def _recipients(order, actor):
    buyer = order.buyer
    farmer = order.producer.owner
    if actor is not None and actor.id == buyer.id:
        return [farmer]
    if actor is not None and actor.id == farmer.id:
        return [buyer]
    return [buyer, farmer]


@order_status_changed.connect
def email_parties(order, change, actor):
    for user in _recipients(order, actor):
        queue_email(
            user.email,
            user.language,
            "marketplace/email/order_status",
            time_zone=user.time_zone,
            number=order.number,
            status=change.to_status,
            from_status=change.from_status or "",
            reason=change.reason,
            url=f"{current_app.config['PUBLIC_BASE_URL']}/orders/{order.id}",
        )
