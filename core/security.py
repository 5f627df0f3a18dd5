"""CSRF for forms and session-authenticated API calls; security headers."""

from flask import request
from flask_login import current_user

from core.extensions import csrf, talisman

#: Paths that authenticate by signature, not by session.
CSRF_EXEMPT_PREFIXES = ("/webhooks/",)
#: Takes credentials in its body and uses no session.
CSRF_EXEMPT_PATHS = ("/api/v1/auth/token",)

# Everything is served by the app itself; Stripe.js is allowed on the payment page only.
CSP = {
    "default-src": "'self'",
    "img-src": ["'self'", "data:"],
    "style-src": "'self'",
    "script-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def init_security(app):
    talisman.init_app(
        app,
        force_https=app.config.get("FORCE_HTTPS", False),
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src"],
        strict_transport_security=app.config.get("FORCE_HTTPS", False),
        referrer_policy="same-origin",
    )
    csrf.init_app(app)
    from core.inputs import init_inputs

    init_inputs(app)

    @app.before_request
    def check_csrf():
        if request.path.startswith(CSRF_EXEMPT_PREFIXES) or request.path in CSRF_EXEMPT_PATHS:
            return
        if request.path.startswith("/api/"):
            # A cross-site form can send neither an Authorization header nor, without a
            # session, anyone's identity: only session-authenticated API calls need the token.
            if request.headers.get("Authorization") or not current_user.is_authenticated:
                return
        csrf.protect()
