"""Warnings before a certificate or a GACC registration expires, on pages and by e-mail."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from catalog.data import CERTIFICATE_KINDS, EXPIRY_WARNING_DAYS
from catalog.models import Certificate, Producer, today
from core.cli import periodic
from core.extensions import db
from core.mail import queue_email


@dataclass
class Expiry:
    producer: Producer
    #: "gacc" or the certificate kind.
    kind: str
    number: str
    expires_on: date
    certificate: Certificate | None = None

    @property
    def days_left(self) -> int:
        return (self.expires_on - today()).days

    @property
    def label(self) -> str:
        return "GACC" if self.kind == "gacc" else str(CERTIFICATE_KINDS.get(self.kind, self.kind))


def producer_warnings(
    producer: Producer, days: int = EXPIRY_WARNING_DAYS, on: date | None = None
) -> list[Expiry]:
    """What of ``producer``'s expires within ``days`` (or has expired: the farmer must act)."""
    on = on or today()
    horizon = on + timedelta(days=days)
    found = []
    if producer.gacc_registration and producer.gacc_expires_at and producer.gacc_expires_at <= horizon:
        found.append(Expiry(producer, "gacc", producer.gacc_registration, producer.gacc_expires_at))
    latest: dict[str, date] = {}
    for certificate in producer.certificates:
        latest[certificate.kind] = max(
            latest.get(certificate.kind, certificate.valid_until), certificate.valid_until
        )
    for certificate in producer.certificates:
        # A renewed certificate of the same kind silences the old one.
        if certificate.valid_until <= horizon and certificate.valid_until >= latest[certificate.kind]:
            found.append(
                Expiry(producer, certificate.kind, certificate.number, certificate.valid_until, certificate)
            )
    return sorted(found, key=lambda e: e.expires_on)


def expiry_warnings(days: int = EXPIRY_WARNING_DAYS, on: date | None = None) -> list[Expiry]:
    """Every producer's credentials expiring within ``days`` and not yet expired."""
    on = on or today()
    horizon = on + timedelta(days=days)
    cert_soon = select(Certificate.producer_id).where(Certificate.valid_until.between(on, horizon))
    producers = db.session.scalars(
        select(Producer)
        .where(
            or_(Producer.gacc_expires_at.between(on, horizon), Producer.id.in_(cert_soon)),
            Producer.status != "rejected",
        )
        .options(selectinload(Producer.certificates), selectinload(Producer.owner))
        .order_by(Producer.id)
    ).all()
    return [e for p in producers for e in producer_warnings(p, days, on) if e.expires_on >= on]


@periodic("0 6 * * *")
def remind_expiring(days: int = EXPIRY_WARNING_DAYS) -> int:
    """E-mail each farmer once per expiry date about what expires within ``days``. → e-mails queued."""
    by_producer: dict[int, list[Expiry]] = {}
    for expiry in expiry_warnings(days):
        reminded = (
            expiry.producer.gacc_reminded_for if expiry.kind == "gacc" else expiry.certificate.reminded_for
        )
        if reminded != expiry.expires_on:
            by_producer.setdefault(expiry.producer.id, []).append(expiry)
    for expiries in by_producer.values():
        producer = expiries[0].producer
        owner = producer.owner
        queue_email(
            owner.email,
            owner.language,
            "catalog/email/expiring",
            time_zone=owner.time_zone,
            name=owner.name,
            producer=producer.name_ru,
            items=[
                {
                    "label": e.label,
                    "number": e.number,
                    "expires_on": e.expires_on.isoformat(),
                    "days": e.days_left,
                }
                for e in expiries
            ],
        )
        for expiry in expiries:
            if expiry.kind == "gacc":
                producer.gacc_reminded_for = expiry.expires_on
            else:
                expiry.certificate.reminded_for = expiry.expires_on
    db.session.commit()
    return len(by_producer)
