"""Uploaded files: content-checked images (re-encoded, with thumbnails) and certificate scans."""

import io
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

from core.errors import ValidationFailed
from core.uploads import read_limited, storage

PHOTO_MAX_BYTES = 5 * 1024 * 1024
CERTIFICATE_MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
PHOTO_MAX_SIDE = 1600
THUMB_SIDE = 400
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def key(kind: str, name: str) -> str:
    """The storage key of a stored ``name`` of ``kind`` ("photos", "certificates")."""
    return f"catalog/{kind}/{name}"


def _not_an_image(field: str):
    message = _l("This is not a JPEG, PNG, WebP or GIF image.")
    return ValidationFailed(message, code="invalid_image", fields={field: [message]})


def open_image(data: bytes, field: str = "file") -> Image.Image:
    """A verified, fully decoded image; refuses non-images, odd formats and pixel bombs."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in IMAGE_FORMATS:
                raise _not_an_image(field)
            if probe.width * probe.height > MAX_PIXELS:
                raise _not_an_image(field)
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _not_an_image(field) from None
    return image


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.split()[-1])
        return background
    return image.convert("RGB")


def save_photo(file, field: str = "file") -> dict:
    """Check, re-encode (drops EXIF and anything hidden) and thumbnail an uploaded photo."""
    limit = current_app.config.get("CATALOG_PHOTO_MAX_BYTES", PHOTO_MAX_BYTES)
    return save_photo_bytes(read_limited(file, limit, field), field)


def save_photo_bytes(data: bytes, field: str = "file") -> dict:
    image = _to_rgb(open_image(data, field))
    image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    stem = secrets.token_hex(16)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, optimize=True)
    storage().save(buffer.getvalue(), key("photos", f"{stem}.jpg"))
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    thumb_buffer = io.BytesIO()
    thumb.save(thumb_buffer, "JPEG", quality=80, optimize=True)
    storage().save(thumb_buffer.getvalue(), key("photos", f"{stem}-thumb.jpg"))
    return {
        "file_name": f"{stem}.jpg",
        "thumb_name": f"{stem}-thumb.jpg",
        "content_type": "image/jpeg",
        "width": image.width,
        "height": image.height,
        "size_bytes": buffer.tell(),
    }


def save_certificate_file(file, field: str = "file") -> tuple[str, str]:
    """A PDF (by its ``%PDF-`` signature) or an image; stored as uploaded. → (name, type)."""
    limit = current_app.config.get("CATALOG_CERTIFICATE_MAX_BYTES", CERTIFICATE_MAX_BYTES)
    data = read_limited(file, limit, field)
    if data.startswith(b"%PDF-"):
        suffix, content_type = "pdf", "application/pdf"
    else:
        try:
            image = open_image(data, field)
        except ValidationFailed:
            message = _l("Upload the certificate as a PDF or an image.")
            raise ValidationFailed(message, code="invalid_file", fields={field: [message]}) from None
        suffix = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}[image.format]
        content_type = Image.MIME[image.format]
    name = f"{secrets.token_hex(16)}.{suffix}"
    storage().save(data, key("certificates", name))
    return name, content_type


def remove_files(kind: str, *names: str | None) -> None:
    for name in names:
        if name:
            storage().delete(key(kind, name))
