"""Background jobs on RQ (Redis), enqueued only after the transaction commits.

Without ``REDIS_URL`` (the SQLite demo, the tests) a job runs in-process right after the
commit, in its own app context and so its own database session.
"""

import importlib
import logging
import time

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from core import logs
from core.extensions import db

log = logging.getLogger(__name__)
_PENDING = "pending_jobs"


def _path(func) -> str:
    return func if isinstance(func, str) else f"{func.__module__}:{func.__qualname__}"


def resolve(path: str):
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def enqueue_after_commit(func, *args, **kwargs) -> None:
    """Schedule ``func(*args, **kwargs)`` once the current transaction commits.

    A rollback drops it. ``func`` must be a module-level function (RQ imports it by name).
    """
    db.session.info.setdefault(_PENDING, []).append((_path(func), args, kwargs))


def run_job(factory: str, path: str, *args, **kwargs):
    """What the RQ worker executes: the job inside an app context. Outside one (a plain
    ``rq worker``) the app is built by ``factory``, the dotted path of the app factory that
    enqueued the job (``JOBS_APP_FACTORY``): core does not know the app."""
    from rq import get_current_job

    app = current_app._get_current_object() if current_app else resolve(factory)()
    job = get_current_job()
    rid = job.meta.get("request_id") if job is not None else None
    return _run(app, path, args, kwargs, rid)


def _run(app, path: str, args, kwargs, rid: str | None, reraise: bool = True):
    """Run one job in its own app context (so its own session), under ``rid``, and log it."""
    with app.app_context(), logs.job_context(rid):
        started = time.perf_counter()
        log.info("job %s started", path, extra={"job": path})
        try:
            result = resolve(path)(*args, **kwargs)
        except Exception:
            log.exception("job %s failed", path, extra={"job": path})
            if reraise:  # RQ retries it
                raise
            return None
        finally:
            db.session.remove()
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        log.info("job %s done", path, extra={"job": path, "duration_ms": duration_ms})
        return result


def redis_connection():
    from redis import Redis

    return Redis.from_url(current_app.config["REDIS_URL"])


def queue():
    from rq import Queue

    return Queue(current_app.config["JOBS_QUEUE"], connection=redis_connection())


def dispatch(jobs) -> None:
    if not jobs:
        return
    app = current_app._get_current_object()
    # The request (or job) that committed: its id follows the job into the worker's log.
    rid = logs.request_id()
    if app.config.get("JOBS_INLINE"):
        for path, args, kwargs in jobs:
            # A failed e-mail must not fail the user's request: logged, not raised.
            _run(app, path, args, kwargs, rid, reraise=False)
        return
    q = queue()
    factory = app.config["JOBS_APP_FACTORY"]
    for path, args, kwargs in jobs:
        q.enqueue_call(
            run_job, args=(factory, path, *args), kwargs=kwargs, retry=_retry(), meta={"request_id": rid}
        )


def _retry():
    from rq import Retry

    return Retry(max=3, interval=[10, 60, 300])


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    jobs = session.info.pop(_PENDING, None)
    if jobs:
        dispatch(jobs)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session, previous_transaction):
    # Only a rollback of the whole transaction drops the jobs, not one of a savepoint.
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)
