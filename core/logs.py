"""Logs people can use: every line carries the request id; ``audit()`` records each change of
money, stock or status with the actor, the client's address and the object ids.

Under gunicorn a line is one JSON object (for a log collector); under ``flask run`` it is plain
text. ``LOG_FORMAT=json|text`` overrides the choice. The request id comes from the client's or
proxy's ``X-Request-ID`` when it is a sane token, else it is made here; the response returns it
and jobs enqueued by the request carry it (see core.jobs).
"""

import logging
import os
import re
import time
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from flask import g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
#: What we take from outside: a bounded token of safe characters (no spaces, quotes or
#: control characters that could forge a log line). Anything else is replaced by our own.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_ENVIRON_KEY = "agrobridge.request_id"
FORMATS = ("json", "text")

log = logging.getLogger(__name__)
audit_log = logging.getLogger("agrobridge.audit")
request_log = logging.getLogger("agrobridge.request")

#: Set while a job runs (in the worker, or in-process after a commit): the id of the request
#: that enqueued it. It wins over the request context, which an in-process job still sits in.
_job_request_id: ContextVar[str | None] = ContextVar("job_request_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def valid_request_id(value: str | None) -> bool:
    return bool(value) and _VALID_REQUEST_ID.fullmatch(value) is not None


def request_id() -> str | None:
    """The id of the current request or job; None outside both (a CLI command, start-up)."""
    job_id = _job_request_id.get()
    if job_id is not None:
        return job_id
    if not has_request_context():
        return None
    # Kept in the WSGI environ rather than ``g``: a job run in-process after the commit gets
    # a fresh app context (and ``g``) but is still the same request.
    environ = request.environ
    if _ENVIRON_KEY not in environ:
        incoming = request.headers.get(REQUEST_ID_HEADER)
        environ[_ENVIRON_KEY] = incoming if valid_request_id(incoming) else new_request_id()
    return environ[_ENVIRON_KEY]


@contextmanager
def job_context(rid: str | None):
    """Run a job under the request id that enqueued it (a new one for a job of its own)."""
    token = _job_request_id.set(rid if valid_request_id(rid) else new_request_id())
    try:
        yield
    finally:
        _job_request_id.reset(token)


def _request_user():
    """Who is calling, if this is a request and someone is logged in (session or token)."""
    if _job_request_id.get() is not None or not has_request_context():
        return None
    user = g.get("api_user")
    if user is not None:
        return user
    from flask_login import current_user

    return current_user._get_current_object() if current_user.is_authenticated else None


def client_ip() -> str | None:
    if _job_request_id.get() is not None or not has_request_context():
        return None
    return request.remote_addr


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)  # exact, as money is in the API
    return value


def audit(event: str, actor=None, **ids) -> None:
    """Log a change of money, stock or status: ``audit("order.status", user, order_id=…)``.

    ``actor`` None means the caller did not name one: the logged-in user of the request, else
    the platform itself (a job, a webhook, a command) — logged as role ``system``.
    """
    who = actor if actor is not None else _request_user()
    fields = {
        "event": event,
        "actor_id": who.id if who is not None else None,
        "actor_role": who.role if who is not None else "system",
        "ip": client_ip(),
    }
    fields.update((key, _plain(value)) for key, value in ids.items())
    details = " ".join(f"{key}={value}" for key, value in fields.items() if key != "event")
    audit_log.info("%s %s", event, details, extra=fields)


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record (Indico's model), whichever logger wrote it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id()
        return True


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", None) is None:
            record.request_id = "-"
        return super().format(record)


def json_formatter() -> JsonFormatter:
    return JsonFormatter(
        ["levelname", "name", "message"],
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",
        json_ensure_ascii=False,  # Chinese and Russian names stay readable
    )


def make_handler(fmt: str, stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    handler.agrobridge = True  # ours: replaced, not doubled, when another app is built
    return handler


def default_format() -> str:
    """JSON under gunicorn (it names itself in SERVER_SOFTWARE before loading the app), else text."""
    return "json" if os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn/") else "text"


def init_logging(app) -> None:
    fmt = (app.config.get("LOG_FORMAT") or default_format()).strip().lower()
    if fmt not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {fmt!r}")
    app.config["LOG_FORMAT"] = fmt
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "agrobridge", False)]:
        root.removeHandler(handler)
    root.addHandler(make_handler(fmt))
    root.setLevel(app.config.get("LOG_LEVEL") or "INFO")

    @app.before_request
    def _start_clock():
        g.request_started = time.perf_counter()

    @app.after_request
    def _return_request_id(response):
        response.headers[REQUEST_ID_HEADER] = request_id()
        if not request.environ.get("SERVER_SOFTWARE", "").startswith("Werkzeug/"):
            # The dev server prints its own line per request; gunicorn writes no access log by
            # default: this line ties the request id to what was asked and answered.
            started = g.get("request_started")
            request_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
                    "ip": request.remote_addr,
                },
            )
        return response
