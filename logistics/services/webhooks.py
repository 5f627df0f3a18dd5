"""Buyers' tracking webhooks: milestone events POSTed as JSON, signed with HMAC-SHA256,
retried with exponential backoff, every attempt logged for the buyer to see.

Signature header: ``AgroBridge-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``
(the receiver recomputes it and refuses stale timestamps). Deliveries are rows written in the
event's transaction and sent by a job after commit; a periodic job
(``flask logistics retry-webhooks``) sends those whose ``next_attempt_at`` has come.
"""

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import time
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.cli import periodic
from core.errors import AppError, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.jobs import enqueue_after_commit
from core.timeutil import utcnow
from logistics.models import BuyerWebhook, Shipment, TrackingEvent, WebhookDelivery
from marketplace.models import Order

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "AgroBridge-Signature"
#: Attempts before a delivery is given up (about 1 min, 2, 4 … 64 min apart, then ~2 h).
MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 10
USER_AGENT = "AgroBridge-Webhooks/1"


def backoff(attempts: int) -> timedelta:
    base = current_app.config.get("WEBHOOK_RETRY_BASE_SECONDS", 60)
    return timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, body: bytes, header: str, tolerance: int = 300, now: int | None = None) -> bool:
    """What a receiver does (for buyers' integrators and the tests)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    now = int(time.time()) if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


# ---- the buyer's endpoint -------------------------------------------------------------------------


def _allow_private() -> bool:
    return bool(current_app.testing or current_app.config.get("WEBHOOK_ALLOW_PRIVATE", False))


def check_url(url: str) -> str:
    """http(s) only; no private, loopback or link-local addresses unless allowed by config.

    :raise 422: not an acceptable URL
    """
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500 or parts.username:
        message = _l("Give an http:// or https:// address.")
        raise ValidationFailed(message, fields={"url": [message]})
    try:
        port = parts.port
    except ValueError:  # not a number, or out of range
        port = -1
    if not _allow_private() and port not in (None, 80, 443):
        message = _l("Only the standard ports 80 and 443 can be used.")
        raise ValidationFailed(message, fields={"url": [message]})
    if not _allow_private() and not _public_host(parts.hostname, port or 443):
        message = _l("This address is not reachable from the internet.")
        raise ValidationFailed(message, fields={"url": [message]})
    return url


def _public_host(host: str, port: int) -> bool:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return False
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            return False
    return bool(infos)


def webhook_of(buyer) -> BuyerWebhook | None:
    return db.session.scalar(select(BuyerWebhook).where(BuyerWebhook.buyer_id == buyer.id))


def _require_buyer(user) -> None:
    if user is None or user.role != "buyer":
        raise Forbidden(_l("Only buyers register tracking webhooks."))


def save_webhook(buyer, url: str, active: bool = True) -> BuyerWebhook:
    """Create or change the buyer's endpoint; a new one gets a fresh secret."""
    _require_buyer(buyer)
    url = check_url(url)
    hook = webhook_of(buyer)
    if hook is None:
        hook = BuyerWebhook(buyer_id=buyer.id, secret=_new_secret())
        db.session.add(hook)
    hook.url = url
    hook.active = active
    db.session.commit()
    return hook


def rotate_secret(buyer) -> BuyerWebhook:
    _require_buyer(buyer)
    hook = webhook_of(buyer)
    if hook is None:
        raise NotFound(_l("No webhook is registered."))
    hook.secret = _new_secret()
    db.session.commit()
    return hook


def delete_webhook(buyer) -> None:
    _require_buyer(buyer)
    hook = webhook_of(buyer)
    if hook is None:
        raise NotFound(_l("No webhook is registered."))
    db.session.delete(hook)
    db.session.commit()


def _new_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


def deliveries_query(buyer):
    _require_buyer(buyer)
    return (
        select(WebhookDelivery)
        .join(BuyerWebhook, BuyerWebhook.id == WebhookDelivery.webhook_id)
        .where(BuyerWebhook.buyer_id == buyer.id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
    )


def redeliver(buyer, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again now (replay), whatever its state."""
    delivery = db.session.scalar(deliveries_query(buyer).where(WebhookDelivery.id == delivery_id))
    if delivery is None:
        raise NotFound(_l("Delivery not found."))
    delivery.state = "pending"
    delivery.next_attempt_at = utcnow()
    enqueue_after_commit(deliver, delivery.id)
    db.session.commit()
    return delivery


# ---- queueing and sending -------------------------------------------------------------------------


def event_payload(shipment: Shipment, event: TrackingEvent, order_ids: list[int]) -> dict:
    """What a buyer receives: the event, the shipment's status and ETA, their own order ids."""
    return {
        "type": "shipment.event",
        "created_at": utcnow().isoformat(),
        "data": {
            "shipment": {
                "id": shipment.id,
                "tracking_code": shipment.tracking_code,
                "status": shipment.status,
                "eta": shipment.eta_at.isoformat() if shipment.eta_at else None,
            },
            "event": {
                "id": event.id,
                "type": event.type,
                "reason": event.reason,
                "occurred_at": event.occurred_at.isoformat(),
                "location": {
                    "name": event.location_name,
                    "lat": None if event.latitude is None else str(event.latitude),
                    "lon": None if event.longitude is None else str(event.longitude),
                },
                "details": event.details or {},
            },
            "order_ids": order_ids,
        },
    }


def queue_deliveries(shipment: Shipment, events: list[TrackingEvent]) -> None:
    """One delivery per event and buyer with an active webhook and an order on board; sent
    after commit."""
    if not events:
        return
    orders = db.session.execute(
        select(Order.id, Order.buyer_id).where(Order.id.in_(shipment.order_ids))
    ).all()
    by_buyer: dict[int, list[int]] = {}
    for order_id, buyer_id in orders:
        by_buyer.setdefault(buyer_id, []).append(order_id)
    if not by_buyer:
        return
    hooks = db.session.scalars(
        select(BuyerWebhook).where(BuyerWebhook.buyer_id.in_(list(by_buyer)), BuyerWebhook.active.is_(True))
    ).all()
    if not hooks:
        return
    db.session.flush()
    now = utcnow()
    created = []
    for event in events:
        for hook in hooks:
            payload = event_payload(shipment, event, sorted(by_buyer[hook.buyer_id]))
            delivery = WebhookDelivery(
                webhook_id=hook.id,
                event_id=event.id,
                payload=json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str),
                state="pending",
                next_attempt_at=now,
            )
            db.session.add(delivery)
            created.append(delivery)
    db.session.flush()
    for delivery in created:
        enqueue_after_commit(deliver, delivery.id)


def deliver(delivery_id: int) -> str:
    """One attempt (a job). Success: any 2xx. Failure: record it and schedule the next try
    with exponential backoff, or give up after MAX_ATTEMPTS. Returns the new state."""
    delivery = db.session.scalar(
        select(WebhookDelivery).where(WebhookDelivery.id == delivery_id).with_for_update(skip_locked=True)
    )
    if delivery is None or delivery.state != "pending":
        db.session.rollback()
        return "skipped"
    hook = delivery.webhook
    body = delivery.payload.encode()
    delivery.attempts += 1
    status, error = _post(hook, body, delivery)
    delivery.last_status_code = status
    delivery.last_error = error[:500]
    if status is not None and 200 <= status < 300:
        delivery.state = "delivered"
        delivery.delivered_at = utcnow()
        delivery.next_attempt_at = None
    elif delivery.attempts >= current_app.config.get("WEBHOOK_MAX_ATTEMPTS", MAX_ATTEMPTS):
        delivery.state = "failed"
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = utcnow() + backoff(delivery.attempts)
    db.session.commit()
    return delivery.state


def _post(hook: BuyerWebhook, body: bytes, delivery: WebhookDelivery) -> tuple[int | None, str]:
    if not hook.active:
        return None, "disabled"
    try:
        check_url(hook.url)
    except AppError:
        return None, "address_refused"
    request = urllib.request.Request(  # noqa: S310 (scheme checked: http or https only)
        hook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: sign(hook.secret, body),
            "AgroBridge-Delivery": str(delivery.id),
            "AgroBridge-Attempt": str(delivery.attempts),
        },
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, "http_status"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        # Only the class of the failure is kept: the raw error could show the buyer what our
        # network looks like from the inside (addresses, resolver and TLS messages).
        return None, error_class(getattr(exc, "reason", exc))


#: What a failed delivery records and shows: the class of error, never the raw message.
ERROR_CLASSES = ("timeout", "refused", "dns", "tls", "network", "http_status", "address_refused", "disabled")


def error_class(reason) -> str:
    if isinstance(reason, TimeoutError | socket.timeout):
        return "timeout"
    if isinstance(reason, ConnectionRefusedError):
        return "refused"
    if isinstance(reason, socket.gaierror):
        return "dns"
    if isinstance(reason, ssl.SSLError | ssl.CertificateError):
        return "tls"
    return "network"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect could lead to an internal address: treat it as a failure."""

    def redirect_request(self, *args, **kwargs):
        return None


@periodic("* * * * *")
def retry_due() -> int:
    """Send every pending delivery whose next attempt is due. Returns how many were tried."""
    ids = db.session.scalars(
        select(WebhookDelivery.id)
        .where(WebhookDelivery.state == "pending", WebhookDelivery.next_attempt_at <= utcnow())
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(500)
    ).all()
    db.session.rollback()
    for delivery_id in ids:
        try:
            deliver(delivery_id)
        except Exception:  # one bad endpoint must not stop the others
            log.exception("webhook delivery %s failed", delivery_id)
            db.session.rollback()
    return len(ids)
