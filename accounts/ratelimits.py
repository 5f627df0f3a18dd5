"""Log-in attempts are limited per IP address and per account (Flask-Limiter)."""

from flask import current_app, request
from flask_limiter.util import get_remote_address

from core.extensions import limiter


def _account_key() -> str:
    if request.is_json:
        email = (request.get_json(silent=True) or {}).get("email")
    else:
        email = request.form.get("email")
    return "account:" + (str(email or "").strip().lower() or get_remote_address())


def login_limits(view):
    """Wrap a log-in endpoint (page or API) with both limits, counted on POST."""
    view = limiter.limit(
        lambda: current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"], key_func=_account_key, methods=["POST"]
    )(view)
    return limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_IP"], methods=["POST"])(view)
