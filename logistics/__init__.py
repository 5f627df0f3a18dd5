"""Shipments, tracking milestones, cold chain and notifications."""

from flask import Blueprint

bp = Blueprint("logistics", __name__)


def register(app, api):
    from flask_babel import lazy_gettext as _l

    from core.hooks import add_template_hook
    from core.nav import add_nav_item
    from logistics import cli, models, seed, views  # noqa: F401  (routes, demo data)
    from logistics.api import blp, register_schemas
    from logistics.presenters import headline
    from logistics.rules import (
        DESTINATION_PLACE,
        MODE_LABELS,
        ORIGIN_PLACE,
        PLACE_LABELS,
        PLACES,
        REASON_LABELS,
        STATUS_LABELS,
        VEHICLE_LABELS,
    )
    from logistics.services import conversations, todo, webhooks  # noqa: F401  (periodic job)
    from logistics.services.places import zoned_html

    app.register_blueprint(bp)
    conversations.register()
    todo.register()
    api.register_blueprint(blp)
    _metrics(app)
    register_schemas(api)
    add_template_hook(app, "order-links", views.order_links)
    app.cli.add_command(cli.logistics_cli)
    app.jinja_env.globals.update(
        shipment_status_label=lambda code: STATUS_LABELS.get(code, code),
        exception_reason_label=lambda code: REASON_LABELS.get(code, code),
        shipment_mode_label=lambda code: MODE_LABELS.get(code, code),
        vehicle_kind_label=lambda code: VEHICLE_LABELS.get(code, code),
        place_label=lambda text: PLACE_LABELS.get(text, text),
        zoned=zoned_html,
        tracking_headline=headline,
        ORIGIN_ZONE=PLACES[ORIGIN_PLACE][7],
        DESTINATION_ZONE=PLACES[DESTINATION_PLACE][7],
    )
    add_nav_item("logistics.dashboard", _l("Dashboard"), ("operator",), order=10)
    add_nav_item("logistics.console", _l("Shipments"), ("operator", "admin"), order=35)
    app.jinja_env.filters["shipment_status_label"] = lambda code: STATUS_LABELS.get(code, code)
    _dashboard_widgets()
    add_nav_item("logistics.my_tracking", _l("Tracking"), ("buyer", "farmer"), order=36)


def _dashboard_widgets() -> None:
    """Logistics' part of the marketplace dashboards (the marketplace does not import us)."""
    from logistics.services.dashboard import buyer_shipments
    from marketplace.services import dashboards

    dashboards.add_widget("buyer", "shipments", buyer_shipments)
    if "logistics.dashboard" not in dashboards.OPERATOR_HOME:
        dashboards.OPERATOR_HOME.append("logistics.dashboard")


def _metrics(app):
    from core.extensions import db
    from core.metrics import add_db_metric, count_by
    from logistics.models import TemperatureReading, WebhookDelivery

    def readings():
        return db.session.scalar(db.select(db.func.count()).select_from(TemperatureReading))

    add_db_metric(app, "readings_ingested", "Temperature readings kept.", readings, kind="counter")
    add_db_metric(app, "webhook_deliveries", "Buyers' webhook deliveries, by outcome.",
                  lambda: count_by(WebhookDelivery.state), label="outcome")  # fmt: skip
