"""Stored files behind one interface: uploads and issued documents, saved, opened, deleted and
served by key.

A key is a relative name such as ``catalog/photos/3f2a….jpg``: a module's folder, a kind, and
a random name the database row keeps. Callers never build paths, so the backend can change;
``UPLOAD_STORAGE`` picks it:

- ``filesystem`` (default): files under ``UPLOAD_DIR`` — one machine, or a shared mount.
- ``database``: PostgreSQL, in the ``stored_files`` and ``stored_file_chunks`` tables, written
  and read in chunks (never the whole file in one statement) — every app instance and worker
  sees every file, with nothing on any machine's disk.

Another backend only has to implement ``Storage`` and be added to ``BACKENDS``.
"""

import io
import os
import re
import shutil
from abc import ABC, abstractmethod
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from flask import current_app, send_file
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.exceptions import NotFound

from core.db import UTCDateTime
from core.errors import AppError, ValidationFailed
from core.extensions import db
from core.timeutil import utcnow

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


class AlreadyStored(Exception):
    """``save(..., exclusive=True)`` found a file under the key already."""


class Storage(ABC):
    """Where stored files live. Keys are checked by ``check_key`` before any backend sees them."""

    @abstractmethod
    def save(self, data: bytes | BinaryIO, key: str, *, exclusive: bool = False) -> str:
        """Store ``data`` (bytes or a binary stream) under ``key``, replacing any; returns ``key``.

        ``exclusive``: for what must never change once kept (issued documents): refuse to
        replace (:class:`AlreadyStored`), and keep it unwritable where the backend can."""

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

    def save(self, data, key, *, exclusive=False):
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            out = path.open("xb" if exclusive else "wb")
        except FileExistsError:
            raise AlreadyStored(key) from None
        with out:
            if isinstance(data, bytes | bytearray):
                out.write(data)
            else:
                shutil.copyfileobj(data, out)
        if exclusive:
            os.chmod(path, 0o444)
        return key

    def open(self, key):
        try:
            return self.path(key).open("rb")
        except FileNotFoundError:
            raise NotFound() from None

    def delete(self, key):
        path = self.path(key)
        if path.exists():
            os.chmod(path, 0o644)
        path.unlink(missing_ok=True)

    def response(self, key, *, mimetype, as_attachment=False, download_name=None, max_age=None):
        # By path, so the response is conditional (ETag, Last-Modified) and can use X-Sendfile.
        path = self.path(key)
        if not path.is_file():
            raise NotFound()
        return send_file(
            path, mimetype=mimetype, as_attachment=as_attachment, download_name=download_name, max_age=max_age
        )


class StoredFile(db.Model):
    """A file kept by the ``database`` backend; its bytes are in ``stored_file_chunks``."""

    __tablename__ = "stored_files"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Set once every chunk is written: a file without it is not served.
    complete: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StoredFileChunk(db.Model):
    __tablename__ = "stored_file_chunks"

    key: Mapped[str] = mapped_column(
        String(300), ForeignKey("stored_files.key", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


_FILES, _CHUNKS = StoredFile.__table__, StoredFileChunk.__table__


class DatabaseStorage(Storage):
    """Files in PostgreSQL, in chunks of ``chunk_size`` bytes, on connections of their own.

    A save is its own transaction, independent of the request's (as a file written to disk
    would be): it is complete or absent. Reading fetches one chunk per statement, so a large
    file never sits whole in memory and a slow client holds no connection between chunks.
    """

    def __init__(self, chunk_size: int = 256 * 1024):
        self.chunk_size = chunk_size

    @property
    def engine(self):
        return db.engine

    def save(self, data, key, *, exclusive=False):
        check_key(key)
        stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
        with self.engine.begin() as conn:
            if not exclusive:
                conn.execute(delete(_FILES).where(_FILES.c.key == key))
            try:
                conn.execute(
                    insert(_FILES).values(key=key, size_bytes=0, complete=False, created_at=utcnow())
                )
            except IntegrityError:
                raise AlreadyStored(key) from None
            size, seq = 0, 0
            while chunk := stream.read(self.chunk_size):
                conn.execute(insert(_CHUNKS).values(key=key, seq=seq, data=bytes(chunk)))
                size, seq = size + len(chunk), seq + 1
            conn.execute(_FILES.update().where(_FILES.c.key == key).values(size_bytes=size, complete=True))
        return key

    def stat(self, key: str):
        check_key(key)
        with self.engine.connect() as conn:
            row = conn.execute(
                select(_FILES.c.size_bytes, _FILES.c.created_at).where(
                    _FILES.c.key == key, _FILES.c.complete.is_(True)
                )
            ).first()
        if row is None:
            raise NotFound()
        return row

    def open(self, key):
        self.stat(key)
        return io.BufferedReader(_ChunkReader(self.engine, key), buffer_size=self.chunk_size)

    def delete(self, key):
        check_key(key)
        with self.engine.begin() as conn:
            conn.execute(delete(_CHUNKS).where(_CHUNKS.c.key == key))
            conn.execute(delete(_FILES).where(_FILES.c.key == key))

    def response(self, key, *, mimetype, as_attachment=False, download_name=None, max_age=None):
        size, created_at = self.stat(key)
        response = send_file(
            io.BufferedReader(_ChunkReader(self.engine, key), buffer_size=self.chunk_size),
            mimetype=mimetype,
            as_attachment=as_attachment,
            download_name=download_name,
            max_age=max_age,
            etag=f"{key}-{size}-{int(created_at.timestamp())}",
            last_modified=created_at,
        )
        response.content_length = size
        return response


class _ChunkReader(io.RawIOBase):
    """A readable stream over a stored file's chunks, one SELECT per chunk."""

    def __init__(self, engine, key: str):
        self.engine, self.key = engine, key
        self.seq, self.buffer = 0, b""

    def readable(self):
        return True

    def readinto(self, target) -> int:
        if not self.buffer:
            with self.engine.connect() as conn:
                chunk = conn.execute(
                    select(_CHUNKS.c.data).where(_CHUNKS.c.key == self.key, _CHUNKS.c.seq == self.seq)
                ).scalar()
            if chunk is None:
                return 0
            self.buffer, self.seq = bytes(chunk), self.seq + 1
        n = min(len(target), len(self.buffer))
        target[:n] = self.buffer[:n]
        self.buffer = self.buffer[n:]
        return n


def _database_storage(config):
    uri = config.get("SQLALCHEMY_DATABASE_URI") or ""
    if not uri.startswith("postgresql"):
        raise RuntimeError("UPLOAD_STORAGE=database needs PostgreSQL (DATABASE_URL)")
    return DatabaseStorage(config.get("UPLOAD_CHUNK_BYTES") or 256 * 1024)


#: ``UPLOAD_STORAGE`` → the backend built from the app's config.
BACKENDS = {
    "filesystem": lambda config: FilesystemStorage(config["UPLOAD_DIR"]),
    "database": _database_storage,
}


def init_uploads(app) -> None:
    name = app.config.get("UPLOAD_STORAGE", "filesystem")
    if name not in BACKENDS:
        raise RuntimeError(f"UPLOAD_STORAGE={name!r} is not one of {', '.join(BACKENDS)}")
    app.extensions["upload_storage"] = BACKENDS[name](app.config)


def storage() -> Storage:
    """The app's file storage (uploads and issued documents)."""
    return current_app.extensions["upload_storage"]
