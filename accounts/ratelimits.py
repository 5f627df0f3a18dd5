"""Log-in limits, shared by the log-in page and ``POST /api/v1/auth/token``.

Two counters, each one for both endpoints:

- per IP address (``LOGIN_RATE_LIMIT_IP``): every log-in attempt, through Flask-Limiter;
- per account (``LOGIN_RATE_LIMIT_ACCOUNT``): wrong passwords only. Past the limit the account
  is locked *for unknown devices*: their attempts answer 429 without the password being
  checked, so guessing stops. A device that has logged in to this account with the right
  password before (it carries a signed ``device`` cookie, see ``device_id``) counts its wrong
  passwords in a bucket of its own, so an attacker elsewhere cannot lock the owner out.

The counters live in the rate limiter's storage (Redis when configured). If that storage is
unreachable the per-account lock is skipped (logged), as Flask-Limiter does for the IP limit:
a log-in outage would hurt more than a short window without the lock.
"""

import hashlib
import logging
import secrets
import time

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from limits import parse

from core.errors import AppError
from core.extensions import limiter

log = logging.getLogger(__name__)

DEVICE_COOKIE = "device"
_DEVICE_SALT = "agrobridge-known-device"


class TooManyAttempts(AppError):
    status, code = 429, "rate_limited"

    def __init__(self, retry_after: int):
        super().__init__(
            _l(
                "Too many wrong passwords for this account. Try again in a few minutes, "
                "or log in from a device you have used before."
            ),
        )
        self.retry_after = retry_after


def login_limits(view):
    """The per-IP limit, one counter for every log-in endpoint (counted on POST)."""
    return limiter.shared_limit(
        lambda: current_app.config["LOGIN_RATE_LIMIT_IP"], scope="login-ip", methods=["POST"]
    )(view)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_DEVICE_SALT)


def device_id() -> str | None:
    """This browser's (or API client's) device id from its signed cookie, if any."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def new_device_id() -> str:
    return secrets.token_urlsafe(24)


def set_device_cookie(response, device: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps(device),
        max_age=400 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


def _bucket(email: str, known_device: str | None) -> tuple[str, ...]:
    account = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()
    if known_device:
        return ("login-failures", account, hashlib.sha256(known_device.encode()).hexdigest())
    return ("login-failures", account)


def _limit():
    return parse(current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"])


def check_account_lock(email: str, known_device: str | None) -> None:
    """:raise TooManyAttempts: this account (from this kind of device) is locked."""
    if not limiter.enabled:
        return
    limit, bucket = _limit(), _bucket(email, known_device)
    try:
        if limiter.limiter.test(limit, *bucket):
            return
        reset_at, _remaining = limiter.limiter.get_window_stats(limit, *bucket)
    except Exception:  # the limiter's storage is down: see the module docstring
        log.warning("login lock skipped: rate-limit storage unavailable", exc_info=True)
        return
    raise TooManyAttempts(retry_after=max(1, int(reset_at - time.time())))


def count_failure(email: str, known_device: str | None) -> None:
    if not limiter.enabled:
        return
    try:
        limiter.limiter.hit(_limit(), *_bucket(email, known_device))
    except Exception:
        log.warning("login failure not counted: rate-limit storage unavailable", exc_info=True)


def attempt_login(email: str, password: str):
    """Check the lock, the password, and count a failure: ``(user or None, device id)``.

    The device id is the caller's known one, else a new one to hand out with the session or
    token if the password is right.
    """
    from accounts import services

    device = device_id()
    owner = services.find_by_email(email or "")
    known = device if services.is_known_device(owner, device) else None
    check_account_lock(email, known)
    user = services.authenticate(email, password)
    if user is None:
        count_failure(email, known)
    return user, device or new_device_id()
