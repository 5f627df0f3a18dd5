"""The job outbox: every background job is a row written in the transaction that asks for it.

Redis (RQ) only carries the news that a row is waiting. If Redis is down when the request
commits, or a worker dies in the middle of a job, the row stays pending and the worker's next
drain runs it; nothing is lost. A job runs with its row locked (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, on a connection of its own), so two workers never run it at once, and the lock
dies with the worker, so a killed run is simply taken up again. A job may thus run more than
once when a worker dies after its effect and before its row is marked done: jobs whose effect
leaves the system carry the row's key (:func:`current_key`) as an idempotency key — the
e-mail's Message-ID, Stripe's Idempotency-Key, the webhook's delivery id.
"""

import contextvars
import logging
import pickle  # noqa: S403 - the rows are written by the app itself, as RQ's queue was
import uuid
from datetime import datetime, timedelta

from sqlalchemy import Integer, LargeBinary, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime
from core.extensions import db
from core.timeutil import utcnow

log = logging.getLogger(__name__)

#: Seconds before the next try of a failed job; after the last one it is given up (and logged).
RETRY_DELAYS = (10, 60, 300)

_current_key: contextvars.ContextVar[str | None] = contextvars.ContextVar("outbox_key", default=None)


class OutboxJob(db.Model):
    __tablename__ = "job_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random and unique: the RQ message and the idempotency key of the job's effects.
    key: Mapped[str] = mapped_column(String(32), unique=True)
    #: ``module:function`` of the job.
    path: Mapped[str] = mapped_column(String(200))
    #: The pickled ``(args, kwargs)``.
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Not before this time (a failed job waits for its retry).
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: Finished runs that raised.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    #: Set when the job succeeded, or was given up after its last retry.
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    failed: Mapped[bool] = mapped_column(default=False)


def new_job(path: str, args: tuple, kwargs: dict) -> OutboxJob:
    """A row for the current transaction (the caller's session adds it)."""
    return OutboxJob(key=uuid.uuid4().hex, path=path, payload=pickle.dumps((args, kwargs)))


def current_key() -> str | None:
    """The outbox key of the job running now (None outside a job)."""
    return _current_key.get()


def run(key: str, resolve) -> bool:
    """Run the pending job ``key`` unless another worker holds it or it is done.

    Returns True if it ran (successfully or not). Needs an app context; ``resolve`` turns the
    path into the function.
    """
    engine = db.engine
    with engine.connect() as lock:
        stmt = select(OutboxJob.__table__).where(OutboxJob.key == key, OutboxJob.done_at.is_(None))
        if engine.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        row = lock.execute(stmt).mappings().first()
        if engine.dialect.name != "postgresql":
            # SQLite has no row locks and one writer: a held read would block the job's own
            # commit, so the row is read and the connection let go.
            lock.rollback()
        if row is None:
            return False
        args, kwargs = pickle.loads(row["payload"])  # noqa: S301 - see the import
        token = _current_key.set(key)
        try:
            resolve(row["path"])(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - recorded for the retry, then logged
            db.session.rollback()
            _record_failure(lock, row, exc)
            return True
        finally:
            _current_key.reset(token)
            db.session.remove()
        lock.execute(update(OutboxJob).where(OutboxJob.id == row["id"]).values(done_at=utcnow()))
        lock.commit()
    return True


def _record_failure(lock, row, exc: Exception) -> None:
    attempts = row["attempts"] + 1
    values = {"attempts": attempts, "last_error": f"{type(exc).__name__}: {exc}"[:2000]}
    if attempts > len(RETRY_DELAYS):
        values.update(done_at=utcnow(), failed=True)
        log.error("job %s (%s) failed %d times: given up", row["path"], row["key"], attempts, exc_info=exc)
    else:
        values["run_after"] = utcnow() + timedelta(seconds=RETRY_DELAYS[attempts - 1])
        log.warning("job %s (%s) failed, will retry: %s", row["path"], row["key"], exc, exc_info=exc)
    lock.execute(update(OutboxJob).where(OutboxJob.id == row["id"]).values(**values))
    lock.commit()


def due(limit: int = 100) -> list[str]:
    """Keys of pending jobs whose time has come, oldest first."""
    keys = db.session.scalars(
        select(OutboxJob.key)
        .where(OutboxJob.done_at.is_(None), OutboxJob.run_after <= utcnow())
        .order_by(OutboxJob.id)
        .limit(limit)
    ).all()
    db.session.rollback()
    return list(keys)
