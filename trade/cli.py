"""`flask tariffs import FILE.csv` and `flask tariffs export [FILE]`: the tariff book as CSV."""

import click
from flask.cli import AppGroup

from core.errors import AppError
from trade import tariff_book

tariffs_cli = AppGroup("tariffs", help="The tariff book: China's import duty and VAT by tariff code.")


@tariffs_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_tariffs(path):
    """Import a tariff CSV: every row or, on any bad line or overlapping period, none."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} is not UTF-8 text.") from None
    try:
        count = tariff_book.import_csv(text, "flask tariffs import")
    except AppError as exc:
        details = " ".join(str(m) for messages in (exc.fields or {}).values() for m in messages)
        raise click.ClickException(f"Nothing imported. {details or exc.message}") from None
    click.echo(f"Imported {count} tariff row(s).")


@tariffs_cli.command("export")
@click.argument("path", required=False, type=click.Path(dir_okay=False, writable=True))
def export_tariffs(path):
    """Write the tariff book as CSV to PATH, or to standard output."""
    text = tariff_book.export_csv()
    if path is None:
        click.echo(text, nl=False)
        return
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    click.echo(f"Wrote {text.count(chr(10)) - 1} tariff row(s) to {path}.")
