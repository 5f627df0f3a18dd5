"""Uploaded files behind one interface: save, open, delete and serve them by key.

A key is a relative name such as ``catalog/photos/3f2a….jpg``: a module's folder, a kind, and
a random name the database row keeps. Callers never build paths, so the backend can change:
``UPLOAD_STORAGE`` picks it ("filesystem", under ``UPLOAD_DIR``); another backend only has to
implement ``Storage`` and be added to ``BACKENDS``.
"""

import re
import shutil
from abc import ABC, abstractmethod
from pathlib import Path
from typing import BinaryIO

from flask import current_app, send_file
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import NotFound

from core.errors import AppError, ValidationFailed

#: Folders and names of letters, digits, ``_``, ``-`` and ``.``; never ``..`` or an absolute path.
_KEY_RE = re.compile(r"^[a-z0-9_-]+(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)+$")


class PayloadTooLarge(AppError):
    status, code = 413, "payload_too_large"


def read_limited(file, limit: int, field: str = "file") -> bytes:
    """The upload's bytes; 413 past ``limit``, 422 when nothing was sent."""
    if file is None or not getattr(file, "filename", None):
        message = _l("Choose a file to upload.")
        raise ValidationFailed(message, fields={field: [message]})
    data = file.stream.read(limit + 1)
    if len(data) > limit:
        message = _l("The file is too large (at most %(mb)d MB).", mb=limit // (1024 * 1024))
        raise PayloadTooLarge(message, fields={field: [message]})
    if not data:
        raise ValidationFailed(_l("The file is empty."), fields={field: [_l("The file is empty.")]})
    return data


def check_key(key: str) -> str:
    if not _KEY_RE.match(key) or ".." in key:
        raise ValueError(f"not a storage key: {key!r}")
    return key


class Storage(ABC):
    """Where uploaded files live. Keys are checked by ``check_key`` before any backend sees them."""

    @abstractmethod
    def save(self, data: bytes | BinaryIO, key: str) -> str:
        """Store ``data`` (bytes or a binary stream) under ``key``, replacing any; returns ``key``."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A binary stream of the file. :raise NotFound: no file under ``key``."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the file; a missing one is not an error."""

    def response(
        self, key: str, *, mimetype: str, as_attachment: bool = False, download_name=None, max_age=None
    ):
        """The file as an HTTP response. :raise NotFound: no file under ``key``."""
        return send_file(
            self.open(key),
            mimetype=mimetype,
            as_attachment=as_attachment,
            download_name=download_name,
            max_age=max_age,
        )


class FilesystemStorage(Storage):
    """Files under one folder, a key being the path below it."""

    def __init__(self, root):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def save(self, data, key):
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes | bytearray):
            path.write_bytes(data)
        else:
            with path.open("wb") as out:
                shutil.copyfileobj(data, out)
        return key

    def open(self, key):
        try:
            return self.path(key).open("rb")
        except FileNotFoundError:
            raise NotFound() from None

    def delete(self, key):
        self.path(key).unlink(missing_ok=True)

    def response(self, key, *, mimetype, as_attachment=False, download_name=None, max_age=None):
        # By path, so the response is conditional (ETag, Last-Modified) and can use X-Sendfile.
        path = self.path(key)
        if not path.is_file():
            raise NotFound()
        return send_file(
            path, mimetype=mimetype, as_attachment=as_attachment, download_name=download_name, max_age=max_age
        )


#: ``UPLOAD_STORAGE`` → the backend built from the app's config.
BACKENDS = {"filesystem": lambda config: FilesystemStorage(config["UPLOAD_DIR"])}


def init_uploads(app) -> None:
    name = app.config.get("UPLOAD_STORAGE", "filesystem")
    if name not in BACKENDS:
        raise RuntimeError(f"UPLOAD_STORAGE={name!r} is not one of {', '.join(BACKENDS)}")
    app.extensions["upload_storage"] = BACKENDS[name](app.config)


def storage() -> Storage:
    """The app's upload storage."""
    return current_app.extensions["upload_storage"]
