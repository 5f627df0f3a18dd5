"""Conversations about an order, an RFQ or a shipment between its parties."""

from flask import Blueprint

bp = Blueprint("messaging", __name__)


def register(app, api):
    from flask_babel import lazy_gettext as _l
    from flask_login import current_user

    from core.nav import add_nav_item
    from messaging import models, views  # noqa: F401  (tables, routes)
    from messaging.api import blp, register_schemas
    from messaging.services import LANGUAGE_LABELS, unread_count

    app.register_blueprint(bp)
    api.register_blueprint(blp)
    register_schemas(api)
    app.jinja_env.globals["conversation"] = views.panel
    app.jinja_env.globals["message_language_label"] = lambda code: LANGUAGE_LABELS.get(code, code)
    add_nav_item(
        "messaging.inbox",
        _l("Messages"),
        ("farmer", "buyer", "operator", "admin"),
        order=70,
        badge=lambda: unread_count(current_user),
    )
