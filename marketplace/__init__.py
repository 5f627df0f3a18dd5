"""Cart, orders, stock allocation, payments and documents."""

from flask import Blueprint

bp = Blueprint("marketplace", __name__)


def register(app, api):
    from flask_babel import lazy_gettext as _l

    from core.hooks import add_template_hook
    from core.nav import add_nav_item
    from fx import services as fx
    from marketplace import cli, seed, views  # noqa: F401  (routes, demo data)
    from marketplace.api import orders as orders_api
    from marketplace.api import payments as payments_api
    from marketplace.forms import QUOTA_LABELS
    from marketplace.services import conversations, notifications, todo  # noqa: F401  (signal receivers)
    from marketplace.services.lifecycle import PAYMENT_LABELS, STATUS_LABELS
    from marketplace.services.payments import refunds
    from marketplace.signals import order_placed
    from marketplace.webhooks import bp as webhooks_bp

    app.register_blueprint(bp)
    app.register_blueprint(webhooks_bp)
    _metrics(app)
    add_template_hook(app, "product-order", views.orders.product_order)
    api.register_blueprint(orders_api.blp)
    api.register_blueprint(payments_api.blp)
    refunds.connect_signals()
    conversations.register()
    todo.register()
    # The rate of the day is frozen on every order as it is placed (for its RUB equivalent).
    order_placed.connect(fx.record_order_rate)
    app.cli.add_command(cli.orders_cli)
    app.jinja_env.globals["order_status_label"] = lambda code: STATUS_LABELS.get(code, code)
    from marketplace.reasons import reason_label

    app.jinja_env.filters["reason_label"] = reason_label
    app.jinja_env.globals["payment_status_label"] = lambda code: PAYMENT_LABELS.get(code, code)
    app.jinja_env.globals["quota_label"] = lambda code: QUOTA_LABELS.get(code, code)
    app.jinja_env.filters["order_status_label"] = lambda code: STATUS_LABELS.get(code, code)
    add_nav_item("marketplace.dashboard", _l("Dashboard"), ("farmer", "buyer", "admin"), order=10)
    add_nav_item("marketplace.cart", _l("Cart"), ("buyer",), order=20)
    add_nav_item("marketplace.orders", _l("Orders"), ("buyer", "farmer", "admin"), order=30)
    add_nav_item("marketplace.rfqs", _l("Requests for quotation"), ("buyer", "farmer", "admin"), order=40)
    add_nav_item("marketplace.balance", _l("Balance"), ("farmer",), order=45)
    add_nav_item("marketplace.admin_payments", _l("Payments"), ("admin",), order=85)


def _metrics(app):
    from core.metrics import add_db_metric, count_by
    from marketplace.models import Order, Payment

    add_db_metric(app, "orders_placed", "Orders placed, by current status.", lambda: count_by(Order.status),
                  kind="counter", label="status")  # fmt: skip
    add_db_metric(app, "payments", "Payments, by state.", lambda: count_by(Payment.status), label="state")
