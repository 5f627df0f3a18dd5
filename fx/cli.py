"""`flask rates import [FILE|URL] [--force]` and `flask rates show`."""

import click
from flask.cli import AppGroup

from core.errors import AppError
from core.timeutil import utcnow
from fx import services as rates

rates_cli = AppGroup("rates", help="Central Bank of Russia exchange rates.")
CBR_DAILY_URL = "https://www.cbr.ru/scripts/XML_daily.asp"


@rates_cli.command("import")
@click.argument("source", required=False, default=CBR_DAILY_URL)
@click.option("--force", is_flag=True, help="Replace the rates already stored for the file's date.")
def import_rates(source, force):
    """Import a CBR daily file (XML_daily.asp format) from a path or an http(s) URL."""
    try:
        data = rates.read_source(source)
    except OSError as exc:
        raise click.ClickException(f"Cannot read {source}: {exc}") from None
    try:
        rate_date, count = rates.import_cbr(data, force=force)
    except AppError as exc:
        raise click.ClickException(str(exc.message)) from None
    click.echo(f"Stored {count} rate(s) for {rate_date.isoformat()}.")


@rates_cli.command("show")
@click.option("--currency", default="CNY")
def show(currency):
    """Print the latest rate on file for a currency."""
    quote = rates.rate_on(currency.upper(), utcnow().date())
    if quote is None:
        raise click.ClickException(f"No {currency.upper()} rate on file.")
    click.echo(
        f"{quote.currency} {quote.unit_rate} RUB (rate of {quote.rate_date.isoformat()}, {quote.source})"
    )
