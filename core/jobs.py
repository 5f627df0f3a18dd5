"""Background jobs: written to the outbox (``core.outbox``) in the transaction that asks for
them, announced on RQ (Redis) once it commits, run by ``flask jobs worker``.

Without ``REDIS_URL`` (the SQLite demo, the tests) a job runs in-process right after the
commit, in its own app context and so its own database session. When Redis is down the
request still succeeds: its jobs wait in the outbox and the worker drains them.
"""

import importlib
import logging
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from core import logs, outbox
from core.cache import redis_client
from core.db import after_outer_commit
from core.extensions import db
from core.timeutil import utcnow

log = logging.getLogger(__name__)
_PENDING = "pending_jobs"


def _path(func) -> str:
    return func if isinstance(func, str) else f"{func.__module__}:{func.__qualname__}"


def resolve(path: str):
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def enqueue_after_commit(func, *args, **kwargs) -> None:
    """Schedule ``func(*args, **kwargs)``: written to the outbox in the current transaction,
    run once it commits. A rollback drops it. ``func`` must be a module-level function (the
    worker imports it by name) and its arguments plain data.
    """
    job = outbox.new_job(_path(func), args, kwargs)
    db.session.add(job)
    db.session.info.setdefault(_PENDING, []).append((job.key, job.path))


def enqueue_later(func, delay_seconds: float, *args, **kwargs) -> None:
    """Schedule ``func`` to run ``delay_seconds`` after now, in the current transaction: the
    worker's outbox drain (or ``flask jobs drain``) runs it once due. Nothing is announced at
    commit, so a batch (an e-mail digest) can gather what arrives meanwhile. A delay of 0 or
    less runs it after commit, as ``enqueue_after_commit``."""
    if delay_seconds <= 0:
        enqueue_after_commit(func, *args, **kwargs)
        return
    job = outbox.new_job(_path(func), args, kwargs)
    job.run_after = utcnow() + timedelta(seconds=delay_seconds)
    db.session.add(job)


def run_outbox_job(key: str) -> None:
    """Run one outbox job (what RQ carries): at most one worker at a time, retried on failure."""
    outbox.run(key, resolve)


def drain(limit: int = 100) -> int:
    """Run the outbox's due jobs here (those Redis never carried, a dead worker left, or whose
    retry time has come). Returns how many ran."""
    return sum(1 for key in outbox.due(limit) if outbox.run(key, resolve))


def work(burst: bool = False, poll_seconds: float = 2.0) -> None:
    """The worker's loop: drain the outbox, then run what RQ brings, and again. With Redis
    down it keeps draining the outbox, so jobs are late by at most ``poll_seconds``."""
    from redis.exceptions import RedisError
    from rq import SimpleWorker

    while True:
        ran = drain()
        try:
            # SimpleWorker runs jobs in this process: a forked child would share the parent's
            # database connections.
            SimpleWorker([queue()], connection=redis_connection()).work(burst=True)
        except RedisError as exc:
            log.warning("job queue unreachable (%s): running the outbox only", exc)
        if burst and not ran:
            return
        time.sleep(poll_seconds)


def run_job(factory: str, path: str, *args, **kwargs):
    """What the RQ worker executes: the job inside an app context. Outside one (a plain
    ``rq worker``) the app is built by ``factory``, the dotted path of the app factory that
    enqueued the job (``JOBS_APP_FACTORY``): core does not know the app."""
    from rq import get_current_job

    app = current_app._get_current_object() if current_app else resolve(factory)()
    job = get_current_job()
    rid = job.meta.get("request_id") if job is not None else None
    label = job.meta.get("job") if job is not None else None
    return _run(app, path, args, kwargs, rid, label=label)


def _run(app, path: str, args, kwargs, rid: str | None, reraise: bool = True, label: str | None = None):
    """Run one job in its own app context (so its own session), under ``rid``, and log it
    as ``label`` (the outbox job's own path when ``path`` runs it)."""
    label = label or path
    with app.app_context(), logs.job_context(rid):
        started = time.perf_counter()
        log.info("job %s started", label, extra={"job": label})
        try:
            result = resolve(path)(*args, **kwargs)
        except Exception:
            log.exception("job %s failed", label, extra={"job": label})
            if reraise:  # RQ retries it
                raise
            return None
        finally:
            db.session.remove()
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        log.info("job %s done", label, extra={"job": label, "duration_ms": duration_ms})
        return result


def redis_connection():
    # Short timeouts: a Redis that is down must not hold a request that has already committed.
    return redis_client("jobs", current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5)


def queue():
    from rq import Queue

    return Queue(current_app.config["JOBS_QUEUE"], connection=redis_connection())


def dispatch(jobs) -> None:
    """Run (inline) or announce (RQ) the outbox jobs just committed: ``[(key, path)]``."""
    if not jobs:
        return
    app = current_app._get_current_object()
    # The request (or job) that committed: its id follows the job into the worker's log.
    rid = logs.request_id()
    if app.config.get("JOBS_INLINE"):
        for key, path in jobs:
            # A fresh app context gives the job its own session and connection; a failure is
            # recorded on its row and logged, never raised into the user's request.
            _run(app, "core.jobs:run_outbox_job", (key,), {}, rid, reraise=False, label=path)
        return
    from redis.exceptions import RedisError
    from rq import Queue

    factory = app.config["JOBS_APP_FACTORY"]

    try:
        # One round trip for all of a commit's jobs.
        queue().enqueue_many(
            [
                Queue.prepare_data(
                    run_job,
                    args=(factory, "core.jobs:run_outbox_job", key),
                    meta={"request_id": rid, "job": path},
                )
                for key, path in jobs
            ]
        )
    except RedisError as exc:
        log.warning("job queue unreachable (%s): %d job(s) wait in the outbox", exc, len(jobs))


@after_outer_commit
def _after_commit(session):
    jobs = session.info.pop(_PENDING, None)
    if jobs:
        dispatch(jobs)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session, previous_transaction):
    # Only a rollback of the whole transaction drops the jobs, not one of a savepoint.
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)
