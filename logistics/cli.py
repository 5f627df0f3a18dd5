"""`flask logistics …`: webhook retries (also a periodic job) and the route reference data."""

import click
from flask.cli import AppGroup

logistics_cli = AppGroup("logistics", help="Shipments: webhook retries, route data.")


@logistics_cli.command("retry-webhooks")
def retry_webhooks():
    """Send the buyers' webhook deliveries whose next attempt is due (run every minute)."""
    from logistics.services.webhooks import retry_due

    click.echo(f"{retry_due()} deliveries attempted.")


@logistics_cli.command("crossings")
def crossings():
    """List the border crossings and their typical leg durations (hours)."""
    from sqlalchemy import select

    from core.extensions import db
    from logistics.models import BorderCrossing

    for c in db.session.scalars(select(BorderCrossing).order_by(BorderCrossing.position)):
        click.echo(
            f"{c.code:<28} {c.modes:<10} to border {c.hours_to_border:>4} h, "
            f"clearance {c.hours_clearance:>3} h, to Daowai {c.hours_to_destination:>3} h"
            + ("" if c.active else "  (inactive)")
        )
