"""Exchange rates: the CBR daily file, rates entered by hand, conversions and the rate an order
froze. Below everything that prices, so orders and estimates call it directly."""

from flask import Blueprint

bp = Blueprint("fx", __name__)


def register(app, api):
    from flask_babel import lazy_gettext as _l

    from core.cache import watch_tables
    from core.nav import add_nav_item
    from fx import models, seed, views  # noqa: F401  (tables, demo data, routes)
    from fx.api import blp
    from fx.cli import rates_cli

    app.register_blueprint(bp)
    api.register_blueprint(blp)
    app.cli.add_command(rates_cli)
    watch_tables("exchange_rates")  # prices in roubles and the landed cost on product pages
    add_nav_item("fx.admin_rates", _l("Rates and tariffs"), ("admin",), order=87)
