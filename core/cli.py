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
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst):
    """Process queued jobs."""
    from rq import Worker

    from core.jobs import queue, redis_connection

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: jobs run in-process, no worker is needed.")
    Worker([queue()], connection=redis_connection()).work(burst=burst)


@jobs_cli.command("cron")
def cron():
    """Enqueue the periodic jobs on their schedule (run one of these)."""
    from rq.cron import CronScheduler

    from core.jobs import redis_connection, run_job

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: use the flask commands from cron instead.")
    scheduler = CronScheduler(connection=redis_connection())
    for path, expression in PERIODIC_JOBS:
        scheduler.register(
            run_job,
            current_app.config["JOBS_QUEUE"],
            args=(current_app.config["JOBS_APP_FACTORY"], path),
            cron=expression,
        )
    scheduler.start()


def register_commands(app):
    app.cli.add_command(seed_demo)
    app.cli.add_command(jobs_cli)
