"""The catalog's part of the to-do home: a farmer's expiring credentials and lots, and the
producers an admin has to verify."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from catalog.data import CERTIFICATE_KINDS, UNIT_LABELS
from catalog.models import Certificate, Producer
from catalog.services.lots import expiring_lots
from core.extensions import db
from core.i18n import pick_translation, plain_decimal
from core.timeutil import utcnow

#: Credentials and lots show up this many days before they expire; urgent within URGENT_DAYS.
AHEAD_DAYS, URGENT_DAYS = 60, 14
LIMIT = 100


def _producer(user) -> Producer | None:
    return db.session.scalar(select(Producer).where(Producer.owner_id == user.id))


def _urgent(day) -> bool:
    return day <= utcnow().date() + timedelta(days=URGENT_DAYS)


def farmer_credentials(user) -> list[dict]:
    """Certificates and the GACC registration expiring within 60 days (or expired)."""
    producer = _producer(user)
    if producer is None:
        return [
            {
                "title": _l("Describe your farm to start selling"),
                "url": "/catalog/my/producer",
                "urgent": True,
            }
        ]
    soon = utcnow().date() + timedelta(days=AHEAD_DAYS)
    items = []
    if not producer.gacc_registration:
        items.append(
            {"title": _l("Add your GACC registration number"), "url": "/catalog/my/producer", "urgent": True}
        )
    elif producer.gacc_expires_at is not None and producer.gacc_expires_at <= soon:
        items.append(
            {
                "title": _l("GACC registration %(number)s expires", number=producer.gacc_registration),
                "url": "/catalog/my/producer",
                "due": producer.gacc_expires_at,
                "urgent": _urgent(producer.gacc_expires_at),
            }
        )
    certificates = db.session.scalars(
        select(Certificate)
        .where(Certificate.producer_id == producer.id, Certificate.valid_until <= soon)
        .order_by(Certificate.valid_until)
        .limit(LIMIT)
    )
    for certificate in certificates:
        items.append(
            {
                "title": _l(
                    "%(kind)s %(number)s expires",
                    kind=CERTIFICATE_KINDS.get(certificate.kind, certificate.kind),
                    number=certificate.number,
                ),
                "url": "/catalog/my/producer",
                "due": certificate.valid_until,
                "urgent": _urgent(certificate.valid_until),
            }
        )
    return items


def farmer_lots(user) -> list[dict]:
    """Lots in stock whose best-before date comes within 60 days."""
    producer = _producer(user)
    if producer is None:
        return []
    lots = expiring_lots(producer.id, AHEAD_DAYS, LIMIT)
    return [
        {
            "title": _l(
                "Lot %(lot)s of %(product)s",
                lot=lot.lot_number,
                product=pick_translation(lot.product.names)[0],
            ),
            "detail": _l(
                "%(quantity)s %(unit)s in stock",
                quantity=plain_decimal(lot.quantity),
                unit=UNIT_LABELS.get(lot.product.unit, lot.product.unit),
            ),
            "url": f"/catalog/my/products/{lot.product_id}/edit",
            "due": lot.best_before,
            "urgent": _urgent(lot.best_before),
        }
        for lot in lots
    ]


def admin_producers(user) -> list[dict]:
    """Producers waiting for verification, oldest first."""
    producers = db.session.scalars(
        select(Producer).where(Producer.status == "pending").order_by(Producer.created_at).limit(LIMIT)
    )
    return [
        {
            "title": pick_translation(p.names)[0],
            "detail": _l("Waiting for verification since"),
            "due": p.created_at,
            "url": "/catalog/admin/verification",
        }
        for p in producers
    ]


def register() -> None:
    from core.todo import add_todo_section as add

    add("farmer", "credentials", _l("Certificates and GACC registration"), farmer_credentials, order=30)
    add("farmer", "lots", _l("Lots expiring"), farmer_lots, order=40)
    add("admin", "verify", _l("Producers to verify"), admin_producers, order=10)
