"""One JSON error shape for the whole API, and friendly pages for the rest.

Every API error is ``{"error": {"code", "message", "fields"}}``; the message follows the
caller's language.
"""

import logging

from flask import current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

#: Default code and message per HTTP status.
STATUS_TEXT = {
    400: ("bad_request", _l("The request could not be understood.")),
    401: ("unauthorized", _l("Authentication is required.")),
    403: ("forbidden", _l("You are not allowed to do this.")),
    404: ("not_found", _l("Not found.")),
    405: ("method_not_allowed", _l("This method is not allowed here.")),
    409: ("conflict", _l("The request conflicts with the current state.")),
    413: ("payload_too_large", _l("The request is too large.")),
    415: ("unsupported_media_type", _l("This content type is not supported.")),
    422: ("validation_error", _l("Some fields are not valid.")),
    429: ("rate_limited", _l("Too many attempts. Please wait and try again.")),
    500: ("internal_error", _l("Something went wrong on our side.")),
    503: ("service_unavailable", _l("The service is briefly unavailable. Please try again in a moment.")),
}


class AppError(Exception):
    """A business-rule failure that the API reports as a 4xx with a code."""

    status = 400
    code = "bad_request"

    def __init__(self, message=None, *, code=None, status=None, fields=None, extra=None):
        super().__init__(str(message) if message else "")
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.fields = fields or {}
        self.extra = extra or {}


class NotFound(AppError):
    status, code = 404, "not_found"


class Forbidden(AppError):
    status, code = 403, "forbidden"


class Conflict(AppError):
    status, code = 409, "conflict"


class ValidationFailed(AppError):
    status, code = 422, "validation_error"


def wants_json() -> bool:
    path = request.path
    return path.startswith("/api/") or path.startswith("/webhooks/")


def error_body(status: int, code=None, message=None, fields=None, extra=None) -> dict:
    default_code, default_message = STATUS_TEXT.get(status, ("error", _l("Error.")))
    error = {
        "code": code or default_code,
        "message": str(message or default_message),
        "fields": fields or {},
    }
    if extra:
        error.update(extra)
    return {"error": error}


def json_error(status: int, code=None, message=None, fields=None, extra=None, headers=None):
    response = jsonify(error_body(status, code, message, fields, extra))
    response.status_code = status
    if headers:
        for key, value in headers:
            if key.lower() != "content-type":
                response.headers[key] = value
    return response


def webargs_fields(exc: HTTPException) -> dict:
    """Flatten webargs' ``{"json": {"field": [...]}}`` into ``{"field": [...]}``."""
    messages = (getattr(exc, "data", None) or {}).get("messages") or {}
    fields = {}
    for location, errors in messages.items():
        if isinstance(errors, dict):
            fields.update(errors)
        else:
            fields[location] = errors
    return fields


def http_error_response(exc: HTTPException):
    status = exc.code or 500
    headers = exc.get_headers() if hasattr(exc, "get_headers") else None
    if wants_json():
        data = getattr(exc, "data", None) or {}
        fields = webargs_fields(exc)
        message = data.get("message")
        if status == 400 and not fields and exc.description and "JSON" in exc.description:
            message = _l("The request body is not valid JSON.")
        if isinstance(exc, CSRFError):
            return json_error(400, "csrf_failed", _l("The form expired or the CSRF token is missing."))
        return json_error(status, message=message, fields=fields, headers=headers)
    if isinstance(exc, CSRFError):
        return render_template(
            "core/error.html",
            status=400,
            message=_l("The form expired or the CSRF token is missing. Please try again."),
        ), 400
    _, message = STATUS_TEXT.get(status, ("error", exc.description))
    if status == 413:
        # Only uploads get this big: say which limit, in the visitor's language.
        limit_mb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
        message = _l("The file is too large: at most %(mb)d MB can be uploaded at once.", mb=limit_mb)
    response = render_template("core/error.html", status=status, message=message)
    return response, status, [h for h in (headers or []) if h[0].lower() != "content-type"]


def register_errorhandlers(app):
    @app.errorhandler(AppError)
    def handle_app_error(exc: AppError):
        if wants_json():
            return json_error(exc.status, exc.code, exc.message, exc.fields, exc.extra)
        return render_template("core/error.html", status=exc.status, message=exc.message), exc.status

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        return http_error_response(exc)

    @app.errorhandler(DataError)
    def handle_data_error(exc: DataError):
        # A value the database cannot hold (too long, out of range) that validation missed.
        from core.extensions import db

        db.session.rollback()
        log.warning("database refused a value on %s %s: %s", request.method, request.path, exc.orig)
        message = _l("A value is too long or out of range.")
        if wants_json():
            return json_error(422, "value_out_of_range", message)
        return render_template("core/error.html", status=422, message=message), 422

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error_response(exc)
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            return _database_connection_lost(exc)
        log.exception("Unhandled error on %s %s", request.method, request.path)
        from core.extensions import db

        db.session.rollback()
        if wants_json():
            return json_error(500)
        return render_template("core/error.html", status=500, message=STATUS_TEXT[500][1]), 500


def _database_connection_lost(exc: DBAPIError):
    """The database connection broke mid-request (a restart, a fail-over, a cut): nothing of
    the request was committed, the pool replaces the connection, and the client may retry."""
    from core.extensions import db

    db.session.rollback()
    log.warning("database connection lost on %s %s: %s", request.method, request.path, exc.orig)
    retry = [("Retry-After", "1")]
    if wants_json():
        return json_error(503, headers=retry)
    return render_template("core/error.html", status=503, message=STATUS_TEXT[503][1]), 503, retry
