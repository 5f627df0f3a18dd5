"""`flask orders expire-unpaid` and `flask orders auto-complete` (also periodic jobs)."""

import click
from flask.cli import AppGroup

from core.cli import periodic
from marketplace.services import idempotency
from marketplace.services import orders as order_service

orders_cli = AppGroup("orders", help="Order sweeps (also run by the job scheduler).")


@periodic("*/15 * * * *")
def expire_unpaid_job() -> int:
    return order_service.expire_unpaid()


@periodic("30 * * * *")
def auto_complete_job() -> int:
    return order_service.auto_complete()


@periodic("0 3 * * *")
def purge_idempotency_keys_job() -> int:
    return idempotency.purge_expired()


@orders_cli.command("expire-unpaid")
def expire_unpaid():
    """Cancel orders unpaid past their deadline and return their stock."""
    click.echo(f"Cancelled {expire_unpaid_job()} unpaid order(s).")


@orders_cli.command("auto-complete")
def auto_complete():
    """Complete delivered orders whose confirmation window has passed."""
    click.echo(f"Completed {auto_complete_job()} order(s).")


@orders_cli.command("purge-idempotency-keys")
def purge_idempotency_keys():
    """Forget Idempotency-Keys older than IDEMPOTENCY_KEY_TTL_HOURS."""
    click.echo(f"Removed {purge_idempotency_keys_job()} key(s).")
