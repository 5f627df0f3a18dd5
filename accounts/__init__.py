"""Users, roles, log-in and API tokens."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
#: Where the signed session cookie keeps the server-side session's key.
SESSION_KEY = "sid"


def register(app, api):
    from accounts import seed, views  # noqa: F401  (routes and demo data)
    from accounts.api import api_bp

    app.register_blueprint(bp)
    api.register_blueprint(api_bp)
