"""Export documents and event attachments: PDF or image files, content-checked, stored in
the upload storage under logistics/ with random names; who may download which."""

import io
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from catalog.uploads import reencode_image
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.uploads import read_limited, storage
from logistics.models import DocumentKind, ShipmentDocument, TrackingEvent
from logistics.rules import NUMBER_REQUIRED
from logistics.services.access import is_staff, require_staff, shipment_for, visible_orders

MAX_BYTES = 10 * 1024 * 1024
IMAGE_TYPES = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}


def document_kinds() -> list[DocumentKind]:
    return db.session.scalars(select(DocumentKind).order_by(DocumentKind.position)).all()


def key(kind: str, name: str) -> str:
    """The storage key of a stored ``name`` of ``kind`` ("documents", "attachments")."""
    return f"logistics/{kind}/{name}"


def _read(file, field: str) -> bytes:
    return read_limited(file, current_app.config.get("LOGISTICS_UPLOAD_MAX_BYTES", MAX_BYTES), field)


def _kind_of(data: bytes, field: str) -> tuple[str, str]:
    """(suffix, content type) of a PDF or a JPEG/PNG/WebP image; 422 for anything else."""
    if data.startswith(b"%PDF-"):
        return "pdf", "application/pdf"
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            fmt = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        fmt = None
    if fmt not in IMAGE_TYPES:
        message = _l("Upload a PDF or a JPEG, PNG or WebP image.")
        raise ValidationFailed(message, code="invalid_file", fields={field: [message]})
    return IMAGE_TYPES[fmt]


def _store(kind: str, data: bytes, field: str) -> tuple[str, str]:
    suffix, content_type = _kind_of(data, field)
    if content_type != "application/pdf":
        data, suffix, content_type = reencode_image(data, field)
    name = f"{secrets.token_hex(16)}.{suffix}"
    storage().save(data, key(kind, name))
    return name, content_type


def save_attachment(file) -> tuple[str, str]:
    """An event's photo or PDF → (stored name, content type)."""
    return _store("attachments", _read(file, "attachment"), "attachment")


def upload_document(user, shipment_id: int, kind_code: str, file, number: str = "", order_id=None):
    """Add a document to the shipment's checklist. Operators and admins.

    :raise 404: shipment not visible
    :raise 403: not an operator or admin
    :raise 413: file too large
    :raise 422: unknown kind, order not on board, not a PDF or image
    """
    shipment = shipment_for(user, shipment_id)
    require_staff(user)
    kind = db.session.get(DocumentKind, kind_code) if isinstance(kind_code, str) else None
    if kind is None:
        message = _l("Unknown document kind.")
        raise ValidationFailed(message, fields={"kind": [message]})
    if kind.code in NUMBER_REQUIRED and not (number or "").strip():
        message = _l("Give the document's number in the state system (e-VSD or SDIZ).")
        raise ValidationFailed(message, fields={"number": [message]})
    if order_id is not None and order_id not in shipment.order_ids:
        message = _l("This order is not on the shipment.")
        raise ValidationFailed(message, fields={"order_id": [message]})
    data = _read(file, "file")
    name, content_type = _store("documents", data, "file")
    document = ShipmentDocument(
        shipment_id=shipment.id,
        kind_code=kind.code,
        order_id=order_id,
        number=(number or "").strip()[:100],
        file_name=name,
        content_type=content_type,
        original_name=(file.filename or "")[-200:],
        size_bytes=len(data),
        uploaded_by_id=user.id,
    )
    db.session.add(document)
    db.session.commit()
    return document


def documents_for(user, shipment) -> list[ShipmentDocument]:
    """Staff: all. A party: the shipment-wide documents and those of their own orders."""
    if is_staff(user):
        return list(shipment.documents)
    mine = {o.id for o in visible_orders(user, shipment)}
    return [d for d in shipment.documents if d.order_id is None or d.order_id in mine]


def document_file(user, shipment_id: int, document_id: int) -> tuple[str, ShipmentDocument]:
    """(storage key, document) of a document ``user`` may download. :raise NotFound: otherwise."""
    shipment = shipment_for(user, shipment_id)
    document = next((d for d in documents_for(user, shipment) if d.id == document_id), None)
    if document is None:
        raise NotFound(_l("Document not found."))
    return key("documents", document.file_name), document


def attachment_file(user, shipment_id: int, event_id: int) -> tuple[str, TrackingEvent]:
    """(storage key, event) of an event's attachment. :raise NotFound: not one ``user`` may see."""
    shipment = shipment_for(user, shipment_id)
    event = db.session.scalar(
        select(TrackingEvent).where(TrackingEvent.id == event_id, TrackingEvent.shipment_id == shipment.id)
    )
    if event is None or not event.attachment_name:
        raise NotFound(_l("Attachment not found."))
    return key("attachments", event.attachment_name), event
