"""Trade documents (proforma, commercial invoice, packing list, label sheet), CBR exchange
rates and the landed-cost estimate. Registered by marketplace.register()."""

from flask import Blueprint

bp = Blueprint("documents", __name__)


def register(app, api):
    from flask_babel import lazy_gettext as _l

    from core.nav import add_nav_item
    from marketplace.documents import cli, models, seed, views  # noqa: F401  (routes, demo data)
    from marketplace.documents.api import blp

    app.register_blueprint(bp)
    api.register_blueprint(blp)
    app.cli.add_command(cli.rates_cli)
    add_nav_item("documents.admin_rates", _l("Rates and tariffs"), ("admin",), order=87)
