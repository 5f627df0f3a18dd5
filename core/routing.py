"""URL converters every module's routes share, and fingerprinted static URLs."""

import hashlib
import os

from werkzeug.routing import IntegerConverter

from core.fields import ID_MAX


class IdConverter(IntegerConverter):
    """``<id:order_id>``: a primary key. A number past the column's range is a 404 from the
    router instead of an overflow error from the database; the OpenAPI parameter keeps the
    integer schema with that maximum."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, max=ID_MAX)


def static_fingerprint(app, filename: str) -> str | None:
    """The first 12 hex digits of the file's SHA-256 (cached per process), or None if missing."""
    cache = app.extensions.setdefault("static_fingerprints", {})
    if filename not in cache:
        path = os.path.join(app.static_folder, filename)
        try:
            with open(path, "rb") as fh:
                cache[filename] = hashlib.sha256(fh.read()).hexdigest()[:12]
        except OSError:
            cache[filename] = None
    return cache[filename]


def init_routing(app) -> None:
    app.url_map.converters["id"] = IdConverter

    @app.url_defaults
    def _fingerprint_static(endpoint, values):
        """``/static/css/app.css?v=<hash of its bytes>``: the URL changes when the file does, so
        nginx may tell browsers to keep static files for a year (``deploy/nginx``)."""
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = static_fingerprint(app, values["filename"])
            if version:
                values["v"] = version
