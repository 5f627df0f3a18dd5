"""Producers, certificates, products, lots and search."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("catalog", __name__)


def register(app, api):
    from catalog import cli, seed, views  # noqa: F401  (routes, commands and demo data)
    from catalog.api import producers_bp, products_bp
    from catalog.services import todo
    from core.cache import watch_tables
    from core.nav import add_nav_item

    app.register_blueprint(bp)
    # What visitors see: a write to any of these shows on the next anonymous request.
    watch_tables(
        "catalog_districts",
        "catalog_categories",
        "catalog_producers",
        "catalog_certificates",
        "catalog_products",
        "catalog_price_tiers",
        "catalog_lots",
        "catalog_photos",
        "catalog_search_terms",
    )
    api.register_blueprint(producers_bp)
    api.register_blueprint(products_bp)
    todo.register()
    add_nav_item("catalog.browse", _l("Catalog"), ("*",), order=10)
    add_nav_item("catalog.my_products", _l("My products"), ("farmer",), order=20)
    add_nav_item("catalog.my_producer", _l("My producer profile"), ("farmer",), order=21)
    add_nav_item("catalog.verification_queue", _l("Verification"), ("admin",), order=80)
    app.cli.add_command(cli.catalog_cli)
