"""Trade documents (proforma, commercial invoice, packing list, label sheet), CBR exchange
rates and the landed-cost estimate. Registered by marketplace.register()."""

from flask import Blueprint

bp = Blueprint("trade", __name__)


def register(app, api):
    from flask_babel import lazy_gettext as _l

    from core.nav import add_nav_item
    from trade import models, views  # noqa: F401  (routes)
    from trade.api import blp

    app.register_blueprint(bp)
    api.register_blueprint(blp)
    add_nav_item("trade.admin_rates", _l("Rates and tariffs"), ("admin",), order=87)
