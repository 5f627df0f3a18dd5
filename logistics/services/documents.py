"""Export documents and event attachments: PDF or image files, content-checked, stored under
UPLOAD_DIR/logistics with random names; who may download which."""

import io
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from catalog.uploads import reencode_image
from core.errors import AppError, NotFound, ValidationFailed
from core.extensions import db
from logistics.models import DocumentKind, ShipmentDocument, TrackingEvent
from logistics.services.access import is_staff, require_staff, shipment_for, visible_orders

MAX_BYTES = 10 * 1024 * 1024
IMAGE_TYPES = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}


class PayloadTooLarge(AppError):
    status, code = 413, "payload_too_large"


def storage_dir(kind: str) -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "logistics" / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def _read(file, field: str) -> bytes:
    if file is None or not getattr(file, "filename", None):
        message = _l("Choose a file to upload.")
        raise ValidationFailed(message, fields={field: [message]})
    limit = current_app.config.get("LOGISTICS_UPLOAD_MAX_BYTES", MAX_BYTES)
    data = file.stream.read(limit + 1)
    if len(data) > limit:
        message = _l("The file is too large (at most %(mb)d MB).", mb=limit // (1024 * 1024))
        raise PayloadTooLarge(message, fields={field: [message]})
    if not data:
        raise ValidationFailed(_l("The file is empty."), fields={field: [_l("The file is empty.")]})
    return data


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
    (storage_dir(kind) / name).write_bytes(data)
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


def document_file(user, shipment_id: int, document_id: int) -> tuple[Path, ShipmentDocument]:
    shipment = shipment_for(user, shipment_id)
    document = next((d for d in documents_for(user, shipment) if d.id == document_id), None)
    if document is None:
        raise NotFound(_l("Document not found."))
    return storage_dir("documents") / document.file_name, document


def attachment_file(user, shipment_id: int, event_id: int) -> tuple[Path, TrackingEvent]:
    shipment = shipment_for(user, shipment_id)
    event = db.session.scalar(
        select(TrackingEvent).where(TrackingEvent.id == event_id, TrackingEvent.shipment_id == shipment.id)
    )
    if event is None or not event.attachment_name:
        raise NotFound(_l("Attachment not found."))
    return storage_dir("attachments") / event.attachment_name, event
