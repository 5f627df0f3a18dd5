"""Input hygiene for every request, before any view runs.

Text may carry neither NUL characters (PostgreSQL refuses them in text, so they would fail
deep inside a query) nor lone UTF-16 surrogates (``"\\udc80"`` is valid JSON but not
encodable as UTF-8, so it would fail in the database driver or in the response). A JSON body
may not nest deeper than ``MAX_JSON_DEPTH`` (the parser would otherwise recurse until Python
gives up). All of these are a 400 here. Uploaded files are not text and are left alone.

Numbers are written with the ASCII digits 0-9 only, everywhere (pages, query strings, JSON,
URL paths). Python would read "٥" or the full-width "５" as 5, but the API's spec (JSON
Schema patterns) does not, and a value that reads one way here and another there is a bug
waiting. A value that is only a number in other digits is refused (422 with the field named;
404 in a URL path); text that merely contains such digits ("５公斤") is text and stays.
"""

import json
import re

from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest, NotFound

from core.errors import ValidationFailed

#: No request of ours nests deeper than a few levels; anything past this is an attack.
MAX_JSON_DEPTH = 32
#: A number as people type it (Python's \d is any script's digit).
_NUMBER_LIKE = re.compile(r"\s*[+-]?[\d.,\s]*\d[\d.,\s]*")


def foreign_digits(value) -> bool:
    """A number written with digits other than 0-9 ("٥", "５", "१२")."""
    return (
        isinstance(value, str)
        and not value.isascii()
        and _NUMBER_LIKE.fullmatch(value) is not None
        and any(c.isdigit() and not c.isascii() for c in value)
    )


def _refuse_foreign_digits(name: str):
    message = _l("Write numbers with the digits 0-9.")
    raise ValidationFailed(message, fields={name: [message]})


def _bad_text(value) -> bool:
    if not isinstance(value, str):
        return False
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return True
    return False


def _check_tree(value) -> None:
    """Walk a parsed JSON value without recursion: refuse bad text and deep nesting."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if _bad_text(item):
                raise BadRequest(_l("The request contains characters that are not allowed."))
        elif isinstance(item, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise BadRequest(_l("The request body is nested too deeply."))
            children = item.items() if isinstance(item, dict) else ((None, v) for v in item)
            for key, child in children:
                if key is not None:
                    stack.append((key, depth + 1))
                    if foreign_digits(child):
                        _refuse_foreign_digits(str(key))
                elif foreign_digits(child):
                    _refuse_foreign_digits("items")
                stack.append((child, depth + 1))


def _json_depth_exceeds(raw: bytes, limit: int) -> bool:
    """Brackets outside strings, counted before parsing (the parser itself recurses)."""
    depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def _json_body():
    raw = request.get_data(cache=True)
    if not raw:
        return None
    if _json_depth_exceeds(raw, MAX_JSON_DEPTH):
        raise BadRequest(_l("The request body is nested too deeply."))
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None  # the view's parser answers a malformed body with its own 400


def check_inputs():
    texts = [request.path]
    texts += [k for k in request.args] + [v for vs in request.args.listvalues() for v in vs]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # A part without a name (``Content-Disposition: form-data``) comes with the key None.
        texts += [k for k in request.form if k is not None]
        texts += [v for vs in request.form.listvalues() for v in vs]
    if any(_bad_text(t) for t in texts):
        raise BadRequest(_l("The request contains characters that are not allowed."))
    if any(foreign_digits(segment) for segment in request.path.split("/")):
        raise NotFound()
    fields = [request.args]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields.append(request.form)
    for values in fields:
        for name, value in values.items(multi=True):
            if foreign_digits(value):
                _refuse_foreign_digits(name)
    if request.is_json:
        _check_tree(_json_body())


def init_inputs(app):
    app.before_request(check_inputs)
