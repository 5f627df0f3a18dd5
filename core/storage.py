"""Stored files under UPLOAD_DIR, by area: the one place that writes and reads them, so that
they can move behind another storage (an object store) without touching the modules."""

import os
import secrets
from pathlib import Path

from flask import current_app


def path(area: str, name: str) -> Path:
    folder = Path(current_app.config["UPLOAD_DIR"]) / area
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def save(area: str, data: bytes, suffix: str, read_only: bool = False) -> str:
    """Write ``data`` under a new random name (never the uploader's); returns the name.

    ``read_only``: the file is created exclusively and left unwritable, for what must never
    change once kept (issued documents)."""
    name = f"{secrets.token_hex(16)}.{suffix}"
    target = path(area, name)
    with open(target, "xb") as fh:
        fh.write(data)
    if read_only:
        os.chmod(target, 0o444)
    return name


def read(area: str, name: str) -> bytes:
    return path(area, name).read_bytes()


def remove(area: str, name: str) -> None:
    """For a file whose record was rolled back: it was never kept."""
    target = path(area, name)
    if target.exists():
        os.chmod(target, 0o644)
        target.unlink()
