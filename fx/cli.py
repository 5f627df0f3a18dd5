"""`flask rates import [FILE|URL] [--force]` and `flask rates show`."""

import click
from flask import current_app
from flask.cli import AppGroup

from core.cli import periodic
from core.errors import AppError
from fx import services as rates

rates_cli = AppGroup("rates", help="Central Bank of Russia exchange rates.")


@periodic("40 * * * *")
def import_daily_job() -> str:
    """Hourly: today's CBR file (by Moscow's date); a file already stored is up to date."""
    rate_date, count = rates.import_daily()
    return _report(rate_date, count)


def _report(rate_date, count) -> str:
    if count == 0:
        return f"Rates for {rate_date.isoformat()} are up to date."
    return f"Stored {count} rate(s) for {rate_date.isoformat()}."


@rates_cli.command("import")
@click.argument("source", required=False)
@click.option("--force", is_flag=True, help="Replace the rates already stored for the file's date.")
def import_rates(source, force):
    """Import a CBR daily file (XML_daily.asp format) from a path or an http(s) URL; without one,
    today's file (Moscow's date) from CBR_DAILY_URL."""
    try:
        if source is None and not force:
            click.echo(import_daily_job())
            return
        source = source or current_app.config["CBR_DAILY_URL"]
        data = rates.read_source(source)
        rate_date, count = rates.import_cbr(data, force=force)
    except OSError as exc:
        raise click.ClickException(f"Cannot read {source or 'CBR_DAILY_URL'}: {exc}") from None
    except AppError as exc:
        raise click.ClickException(str(exc.message)) from None
    click.echo(_report(rate_date, count))


@rates_cli.command("show")
@click.option("--currency", default="CNY")
def show(currency):
    """Print the latest rate on file for a currency."""
    quote = rates.rate_on(currency.upper(), rates.moscow_today())
    if quote is None:
        raise click.ClickException(f"No {currency.upper()} rate on file.")
    click.echo(
        f"{quote.currency} {quote.unit_rate} RUB (rate of {quote.rate_date.isoformat()}, {quote.source})"
    )
