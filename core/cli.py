"""CLI commands the modules share: demo data and the job queue."""

import click
from flask import current_app
from flask.cli import AppGroup

from core.seed import run_seeders

jobs_cli = AppGroup("jobs", help="Run the background job queue (needs REDIS_URL).")

#: Periodic jobs: (dotted path, cron expression). Each is also a `flask` command for cron.
PERIODIC_JOBS: list[tuple[str, str]] = []


def periodic(cron: str):
    """Register a module-level function as a periodic job."""

    def decorator(func):
        PERIODIC_JOBS.append((f"{func.__module__}:{func.__qualname__}", cron))
        return func

    return decorator


@click.command("seed-demo")
def seed_demo():
    """Add demo data (idempotent): users of every role and, as modules add them, more."""
    run_seeders(click.echo)
    click.echo("Demo data is ready.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when nothing is left to do.")
@click.option("--poll", default=2.0, show_default=True, help="Seconds between outbox drains.")
def worker(burst, poll):
    """Process queued jobs, and drain the outbox of those Redis never carried or a dead worker
    left behind (with Redis down it keeps running the outbox alone)."""
    from core.jobs import work

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException(
            "REDIS_URL is not set: jobs run in-process; `flask jobs drain` retries failed ones."
        )
    work(burst=burst, poll_seconds=poll)


@jobs_cli.command("drain")
def drain():
    """Run the outbox's due jobs once, here (e.g. from cron when there is no worker)."""
    from core.jobs import drain as drain_outbox

    click.echo(f"Ran {drain_outbox()} job(s).")


@click.command("scheduler")
def scheduler():
    """Fire the periodic jobs on their schedule (UTC), once across the cluster: run one or more
    of these (a Redis lock elects the one that fires; the others stand by)."""
    from core.scheduler import from_app

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: use the flask commands from cron instead.")
    from_app().run()


@jobs_cli.command("cron")
def cron():
    """The same as `flask scheduler` (its former name)."""
    from core.scheduler import from_app

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: use the flask commands from cron instead.")
    from_app().run()


def register_commands(app):
    app.cli.add_command(seed_demo)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(scheduler)
