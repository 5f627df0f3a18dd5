"""Static assets and text responses for slow phones when the app serves them itself (no nginx
in front, as in the demo): a year's cache lifetime for fingerprinted static URLs, and gzip.

``url_for('static', filename=...)`` adds ``v=<hash of the file>`` (``core.routing``); a request
carrying the file's current hash may be kept for a year (``immutable``), since a changed file
gets a new URL. Without it (an old link, a hand-typed URL) the file is served as before,
revalidated. Behind nginx (``deploy/nginx``) static files never reach the app, and nginx does
not compress again what arrives compressed.

Pages and their text assets (HTML, CSS, JavaScript, SVG) of 1 KiB or more are gzipped when the
client accepts it: a catalog page shrinks about five times. The API's JSON is sent as it is;
files sent straight from disk other than our static ones (uploads, PDFs) are left alone.
"""

import gzip

from flask import request

#: A year: the longest lifetime caches honour.
IMMUTABLE_MAX_AGE = 365 * 24 * 3600
#: What a browser loads for a page. Not the API's JSON: API clients and their tools (the spec
#: checks run over WSGI) expect it as sent, and a proxy in front may compress it for them.
COMPRESSIBLE = ("text/", "application/javascript", "image/svg+xml")
MIN_COMPRESS_BYTES = 1024


def init_assets(app):
    from core.routing import static_fingerprint  # the ``v=`` that url_for('static') adds

    default_max_age = app.get_send_file_max_age

    def get_send_file_max_age(filename):
        if (
            request.endpoint == "static"
            and filename
            and request.args.get("v")
            and request.args.get("v") == static_fingerprint(app, filename)
        ):
            return IMMUTABLE_MAX_AGE
        return default_max_age(filename)

    app.get_send_file_max_age = get_send_file_max_age

    @app.after_request
    def _immutable(response):
        if request.endpoint == "static" and response.cache_control.max_age == IMMUTABLE_MAX_AGE:
            response.cache_control.public = True
            response.cache_control.immutable = True
        return response

    @app.after_request
    def _compress(response):
        return compress(response)


def compress(response):
    """gzip a text response for a client that accepts it."""
    if (
        "gzip" not in request.headers.get("Accept-Encoding", "")
        or response.status_code != 200
        or "Content-Encoding" in response.headers
        or not (response.mimetype or "").startswith(COMPRESSIBLE)
        or request.method == "HEAD"
    ):
        return response
    if request.endpoint == "static" and response.direct_passthrough:
        response.direct_passthrough = False  # our own small static text files: read and compress
    elif response.is_streamed or response.direct_passthrough:
        return response
    body = response.get_data()
    if len(body) < MIN_COMPRESS_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    # The ETag stays: public ones are weak, which allows the same validator for both encodings.
    response.vary.add("Accept-Encoding")
    return response
