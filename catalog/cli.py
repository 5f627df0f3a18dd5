"""`flask catalog remind-expiring`, `flask catalog reindex`."""

import click
from flask.cli import AppGroup

catalog_cli = AppGroup("catalog", help="Catalog maintenance.")


@catalog_cli.command("remind-expiring")
@click.option("--days", default=60, show_default=True, help="Warn this many days ahead.")
def remind_expiring_command(days):
    """E-mail farmers whose certificates or GACC registration expire soon (run daily)."""
    from catalog.reminders import remind_expiring

    sent = remind_expiring(days)
    click.echo(f"Reminded {sent} producer(s).")


@catalog_cli.command("reindex")
def reindex_command():
    """Rebuild every product's search lexemes and the vocabulary (after changing the
    normalisation or the thesaurus, and after upgrading to migration 0016)."""
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    from catalog.models import Product
    from catalog.search import index_product
    from core.extensions import db

    count = 0
    for product in db.session.scalars(select(Product).options(joinedload(Product.category))):
        index_product(product)
        count += 1
        if count % 1000 == 0:
            db.session.commit()
    db.session.commit()
    click.echo(f"Reindexed {count} product(s).")
