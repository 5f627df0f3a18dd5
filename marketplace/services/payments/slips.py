"""Payment slips: the buyer's proof of a bank transfer, checked as every upload is (a PDF by its
signature, or an image decoded and written anew), shown to the admin who records the money."""

import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l

from catalog.uploads import pdf_or_image
from core.errors import Conflict, NotFound
from core.extensions import db
from core.logs import audit
from core.uploads import read_limited, storage
from marketplace.models import Payment, PaymentSlip

SLIP_MAX_BYTES = 10 * 1024 * 1024
MAX_SLIPS = 10


def key(name: str) -> str:
    return f"marketplace/slips/{name}"


def add_slip(buyer, payment_id: int, file) -> PaymentSlip:
    """Attach a slip to the buyer's own bank-transfer payment that is still awaiting money.

    :raise 404: not the buyer's payment; :raise 409: not a bank transfer, already paid, or
        too many slips; :raise 413: too large; :raise 422: neither a PDF nor an image
    """
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.buyer_id != buyer.id:
        raise NotFound(_l("Payment not found."))
    if payment.provider != "bank_transfer" or payment.status not in ("pending", "partially_received"):
        raise Conflict(_l("A payment slip can only be added to a bank transfer still awaiting money."))
    if len(payment.slips) >= MAX_SLIPS:
        raise Conflict(_l("At most %(n)d payment slips.", n=MAX_SLIPS))
    limit = current_app.config.get("PAYMENT_SLIP_MAX_BYTES", SLIP_MAX_BYTES)
    data, suffix, content_type = pdf_or_image(
        read_limited(file, limit, "slip"), "slip", _l("Upload the payment slip as a PDF or an image.")
    )
    name = f"{secrets.token_hex(16)}.{suffix}"
    storage().save(data, key(name))
    slip = PaymentSlip(
        payment=payment,
        file_name=name,
        content_type=content_type,
        size_bytes=len(data),
        uploaded_by_id=buyer.id,
    )
    db.session.add(slip)
    db.session.commit()
    audit("payment.slip_added", buyer, payment_id=payment.id, slip_id=slip.id, size=len(data))
    return slip


def slip_for(user, payment_id: int, slip_id: int) -> PaymentSlip:
    """A slip its buyer or an admin may open. :raise 404: otherwise"""
    slip = db.session.get(PaymentSlip, slip_id)
    if (
        slip is None
        or slip.payment_id != payment_id
        or user is None
        or (user.role != "admin" and slip.payment.buyer_id != user.id)
    ):
        raise NotFound()
    return slip
