"""`flask users create`."""

import click
from flask.cli import AppGroup

from accounts import services
from core.auth import ROLES
from core.errors import AppError
from core.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", default=None)
@click.option("--language", default="en", type=click.Choice(["zh", "ru", "en"]))
def create(email, password, role, name, language):
    """Create a user of any role."""
    try:
        user = services.create_user(email=email, password=password, role=role, name=name, language=language)
    except AppError as exc:
        db.session.rollback()
        details = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.fields.items())
        raise click.ClickException(details or str(exc.message)) from None
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")
