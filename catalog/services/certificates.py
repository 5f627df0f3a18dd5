"""A producer's certificates (kind, number, validity) and their scanned files."""

from datetime import date

from flask_babel import lazy_gettext as _l

from catalog import uploads
from catalog.data import CERTIFICATE_KINDS
from catalog.models import Certificate, Producer
from catalog.services.common import clean
from catalog.services.producers import check_owner
from core.errors import NotFound, ValidationFailed
from core.extensions import db


def add_certificate(user, producer: Producer, data: dict, file=None) -> Certificate:
    check_owner(user, producer)
    errors = {}
    if data.get("kind") not in CERTIFICATE_KINDS:
        errors["kind"] = [_l("Choose a certificate kind.")]
    if not clean(data.get("number")):
        errors["number"] = [_l("Enter the certificate number.")]
    valid_from, valid_until = data.get("valid_from"), data.get("valid_until")
    if not isinstance(valid_from, date):
        errors["valid_from"] = [_l("Enter a date.")]
    if not isinstance(valid_until, date):
        errors["valid_until"] = [_l("Enter a date.")]
    elif isinstance(valid_from, date) and valid_until < valid_from:
        errors["valid_until"] = [_l("The certificate cannot expire before it starts.")]
    if errors:
        raise ValidationFailed(_l("Some fields are not valid."), fields=errors)
    certificate = Certificate(
        producer=producer,
        kind=data["kind"],
        number=clean(data["number"])[:100],
        issuer=clean(data.get("issuer"))[:200],
        valid_from=valid_from,
        valid_until=valid_until,
    )
    if file is not None and getattr(file, "filename", None):
        certificate.file_name, certificate.file_type = uploads.save_certificate_file(file)
    db.session.add(certificate)
    db.session.commit()
    return certificate


def attach_certificate_file(user, certificate: Certificate, file) -> Certificate:
    check_owner(user, certificate.producer)
    old = certificate.file_name
    certificate.file_name, certificate.file_type = uploads.save_certificate_file(file)
    db.session.commit()
    uploads.remove_files("certificates", old)
    return certificate


def delete_certificate(user, certificate: Certificate) -> None:
    check_owner(user, certificate.producer)
    name = certificate.file_name
    db.session.delete(certificate)
    db.session.commit()
    uploads.remove_files("certificates", name)


def scan_visible_to(certificate: Certificate, user) -> bool:
    """Scans carry signatures, stamps and registration numbers: not for anonymous visitors.
    The producer's owner, staff, and buyers who may see the producer."""
    if certificate.file_name is None or user is None:
        return False
    if user.role in ("admin", "operator") or certificate.producer.owner_id == user.id:
        return True
    return user.role == "buyer" and certificate.producer.visible_to(user)


def get_certificate(user, producer: Producer, certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.producer_id != producer.id:
        raise NotFound(_l("No such certificate."))
    return certificate
