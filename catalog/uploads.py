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
#: Largest image accepted, in pixels (a 12-megapixel phone photo fits). Decoding costs about
#: 4 bytes a pixel, so this bounds the memory one upload can take (~64 MB) whatever its size
#: in bytes: a 5 KB PNG can declare 6300×6300 pixels.
MAX_PIXELS = 16_000_000
# Pillow refuses anything past twice this on its own, wherever an image is opened.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
PHOTO_MAX_SIDE = 1600
THUMB_SIDE = 400
#: The small picture in the cart, the orders and the gallery's strip.
MINI_SIDE = 160
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def key(kind: str, name: str) -> str:
    """The storage key of a stored ``name`` of ``kind`` ("photos", "certificates")."""
    return f"catalog/{kind}/{name}"


def _not_an_image(field: str):
    message = _l("This is not a JPEG, PNG, WebP or GIF image.")
    return ValidationFailed(message, code="invalid_image", fields={field: [message]})


def _too_many_pixels(field: str):
    message = _l("The image is too large: at most %(mp)d megapixels.", mp=MAX_PIXELS // 1_000_000)
    return ValidationFailed(message, code="image_too_large", fields={field: [message]})


def open_image(data: bytes, field: str = "file", max_side: int | None = None) -> Image.Image:
    """A verified, fully decoded image; refuses non-images, odd formats and pixel bombs.

    The dimensions are read from the header and checked before any pixel is decoded.
    ``max_side``: the caller will shrink to this, so a JPEG may be decoded at a reduced scale.
    """
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in IMAGE_FORMATS:
                raise _not_an_image(field)
            if probe.width * probe.height > MAX_PIXELS:
                raise _too_many_pixels(field)
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if max_side and image.format == "JPEG":
            image.draft("RGB", (max_side, max_side))  # DCT scaling: decodes 1/2…1/8 size directly
        image.load()
    except Image.DecompressionBombError:
        raise _too_many_pixels(field) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _not_an_image(field) from None
    return image


def reencode_image(data: bytes, field: str = "file") -> tuple[bytes, str, str]:
    """A stored image is never the uploaded bytes: decoded and written anew (drops metadata,
    trailing data and anything a polyglot file hides). JPEG stays JPEG; the rest becomes PNG
    (lossless, for scans of text). → (bytes, suffix, content type)."""
    image = open_image(data, field)
    buffer = io.BytesIO()
    if image.format == "JPEG":
        image.convert("RGB").save(buffer, "JPEG", quality=90, optimize=True)
        return buffer.getvalue(), "jpg", "image/jpeg"
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue(), "png", "image/png"


def pdf_or_image(data: bytes, field: str, message) -> tuple[bytes, str, str]:
    """A PDF (by its ``%PDF-`` signature) as uploaded, or an image re-encoded; anything else is
    a 422 on ``field`` with ``message``. → (bytes, suffix, content type)."""
    if data.startswith(b"%PDF-"):
        return data, "pdf", "application/pdf"
    try:
        return reencode_image(data, field)
    except ValidationFailed as exc:
        if exc.code == "image_too_large":
            raise
        raise ValidationFailed(message, code="invalid_file", fields={field: [message]}) from None


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
    image = _to_rgb(open_image(data, field, max_side=PHOTO_MAX_SIDE))
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
    mini = thumb.copy()
    mini.thumbnail((MINI_SIDE, MINI_SIDE))
    mini_buffer = io.BytesIO()
    mini.save(mini_buffer, "JPEG", quality=80, optimize=True)
    storage().save(mini_buffer.getvalue(), key("photos", f"{stem}-{MINI_SIDE}.jpg"))
    return {
        "file_name": f"{stem}.jpg",
        "thumb_name": f"{stem}-thumb.jpg",
        "mini_name": f"{stem}-{MINI_SIDE}.jpg",
        "content_type": "image/jpeg",
        "width": image.width,
        "height": image.height,
        "size_bytes": buffer.tell(),
    }


def save_certificate_file(file, field: str = "file") -> tuple[str, str]:
    """A PDF (by its ``%PDF-`` signature) as uploaded, or an image re-encoded. → (name, type)."""
    limit = current_app.config.get("CATALOG_CERTIFICATE_MAX_BYTES", CERTIFICATE_MAX_BYTES)
    data, suffix, content_type = pdf_or_image(
        read_limited(file, limit, field), field, _l("Upload the certificate as a PDF or an image.")
    )
    name = f"{secrets.token_hex(16)}.{suffix}"
    storage().save(data, key("certificates", name))
    return name, content_type


def remove_files(kind: str, *names: str | None) -> None:
    for name in names:
        if name:
            storage().delete(key(kind, name))
