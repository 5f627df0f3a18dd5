"""What spans orders and shipments: tariffs and duty rates, the landed-cost estimate and the
trade documents (proforma, commercial invoice, packing list, label sheet) with their PDFs."""

from flask import Blueprint

bp = Blueprint("trade", __name__)


def register(app, api):
    from core.cache import watch_tables
    from core.hooks import add_template_hook
    from marketplace.services.orders import register_contract_lookup
    from marketplace.services.stock import register_route_days
    from trade import contracts, freight, models, views  # noqa: F401  (routes)
    from trade.api import blp
    from trade.cli import tariffs_cli

    app.register_blueprint(bp)

    from flask_babel import lazy_gettext as _l

    from core.nav import add_nav_item

    add_nav_item("trade.contract_list", _l("Contracts"), ("farmer", "buyer", "admin"), order=32)
    api.register_blueprint(blp)
    app.cli.add_command(tariffs_cli)
    register_route_days(freight.route_days)
    register_contract_lookup(contracts.contract_reference)
    add_template_hook(app, "product-sidebar", views.product_sidebar)
    watch_tables("freight_tariffs", "duty_rates")  # the landed cost on the product page
    add_template_hook(app, "order-documents", views.order_documents)
    add_template_hook(app, "cart-summary", views.cart_summary)
    add_template_hook(app, "payment-documents", views.payment_documents)
    add_template_hook(app, "shipment-documents", views.shipment_documents)
    add_template_hook(app, "admin-rates", views.admin_sections)
    from trade import events

    events.connect()
