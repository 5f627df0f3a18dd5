"""CSRF for forms and session-authenticated API calls; security headers."""

from flask import request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

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


class TrustedProxies:
    """Werkzeug's ProxyFix for the ``PROXY_COUNT`` proxies in front (none: trust nothing).

    Behind N proxies the client's address, scheme and host come from X-Forwarded-*, only the
    last N hops trusted: rate limits see the client, HSTS and secure cookies see HTTPS.
    """

    def __init__(self, flask_app, wsgi_app):
        self.flask_app, self.wsgi_app = flask_app, wsgi_app

    def __call__(self, environ, start_response):
        n = self.flask_app.config.get("PROXY_COUNT", 0)
        if n:
            return ProxyFix(self.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)(environ, start_response)
        return self.wsgi_app(environ, start_response)


def no_store(response):
    """A private file (a dispute photo, a draft's photo, a certificate scan, a shipment
    document): no cache may keep it, shared or the browser's own."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers.pop("Expires", None)
    return response


def init_security(app):
    app.wsgi_app = TrustedProxies(app, app.wsgi_app)
    talisman.init_app(
        app,
        force_https=app.config.get("FORCE_HTTPS", False),
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src"],
        # Sent only on requests that arrived over HTTPS (browsers ignore it over HTTP anyway).
        strict_transport_security=True,
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
