"""Input hygiene for every request: text may not carry NUL characters.

PostgreSQL refuses NUL in text, so such input would fail deep inside a query; it is
refused here with a 400 instead, before any view runs. Uploaded files are not text and
are left alone.
"""

from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def reject_nul_characters():
    args = request.args.to_dict(flat=False)
    form = (
        request.form.to_dict(flat=False)
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
        else {}
    )
    body = request.get_json(silent=True) if request.is_json else None
    if _has_nul(args) or _has_nul(form) or _has_nul(body) or "\x00" in request.path:
        raise BadRequest(_l("The request contains a NUL character."))


def init_inputs(app):
    app.before_request(reject_nul_characters)
