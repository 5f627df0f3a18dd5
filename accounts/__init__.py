"""Users, roles, log-in and API tokens."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)


def register(app, api):
    from accounts import seed, views  # noqa: F401  (routes and demo data)
    from accounts.api import api_bp

    app.register_blueprint(bp)
    from flask_babel import lazy_gettext as _l

    from core.nav import add_nav_item

    add_nav_item("accounts.company_page", _l("Company"), ("buyer",), order=85)
    api.register_blueprint(api_bp)
