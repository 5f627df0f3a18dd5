"""The job outbox: a job is a row of the transaction that asks for it; Redis being down loses
nothing, a failed job is retried on its schedule, and a job's e-mail keeps its Message-ID."""

import socket
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from core import jobs
from core.extensions import db
from core.mail import queue_email
from core.outbox import OutboxJob
from core.timeutil import utcnow
from tests import factories

RAN: list = []
FAILURES: list = []


def record(value):
    RAN.append(value)


def flaky(value):
    """Fails while FAILURES holds something, then records."""
    if FAILURES:
        FAILURES.pop()
        raise ConnectionError("the mail server hung up")
    RAN.append(value)


@pytest.fixture(autouse=True)
def _clean():
    RAN.clear()
    FAILURES.clear()


def _rows():
    db.session.expire_all()
    return db.session.scalars(select(OutboxJob).order_by(OutboxJob.id)).all()


def test_the_job_is_written_with_the_transaction_and_marked_done(app):
    factories.UserFactory()
    jobs.enqueue_after_commit(record, "first")
    db.session.commit()
    (row,) = _rows()
    assert RAN == ["first"]
    assert row.done_at is not None and not row.failed and row.attempts == 0


def test_a_savepoint_released_before_the_commit_runs_nothing(app):
    """SQLAlchemy announces a savepoint's release as a commit: jobs wait for the real one
    (a job run then would read rows its transaction has not committed, or wait on its locks)."""
    jobs.enqueue_after_commit(record, "after the commit")
    with db.session.begin_nested():
        db.session.execute(text("SELECT 1"))
    assert RAN == []
    db.session.commit()
    assert RAN == ["after the commit"]


def test_a_rolled_back_transaction_leaves_no_job(app):
    db.session.add(factories.UserFactory.build())
    jobs.enqueue_after_commit(record, "never")
    db.session.rollback()
    db.session.commit()
    assert RAN == [] and _rows() == []


def test_a_failed_job_is_retried_when_due_then_given_up(app):
    FAILURES.extend([1, 1, 1, 1])
    jobs.enqueue_after_commit(flaky, "late")
    db.session.commit()
    (row,) = _rows()
    assert RAN == [] and row.attempts == 1 and row.done_at is None
    assert "hung up" in row.last_error
    assert jobs.drain() == 0  # not due yet
    for attempt in (2, 3, 4):
        row.run_after = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert jobs.drain() == 1
        (row,) = _rows()
        assert row.attempts == attempt
    assert row.failed and row.done_at is not None  # given up after the last retry
    assert RAN == []


def test_a_job_that_recovers_runs_once(app):
    FAILURES.append(1)
    jobs.enqueue_after_commit(flaky, "second time")
    db.session.commit()
    (row,) = _rows()
    row.run_after = utcnow()
    db.session.commit()
    assert jobs.drain() == 1
    assert jobs.drain() == 0
    assert RAN == ["second time"] and _rows()[0].done_at is not None


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe closes


def test_with_redis_down_the_commit_succeeds_and_the_drain_runs_the_job(app):
    saved = app.config["JOBS_INLINE"], app.config["REDIS_URL"]
    app.config.update(JOBS_INLINE=False, REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0")
    try:
        factories.UserFactory()
        jobs.enqueue_after_commit(record, "kept")
        db.session.commit()  # no error: the job waits in the outbox
        (row,) = _rows()
        assert row.done_at is None and RAN == []
        assert jobs.drain() == 1
        assert RAN == ["kept"] and _rows()[0].done_at is not None
    finally:
        app.config["JOBS_INLINE"], app.config["REDIS_URL"] = saved


def test_a_jobs_email_carries_its_outbox_key_as_message_id(app, smtp_server):
    queue_email("buyer@example.cn", "zh", "core/email/test", name="王伟")
    db.session.commit()
    (message,) = smtp_server.messages
    (row,) = _rows()
    assert message["Message-ID"] == f"<{row.key}@agrobridge>"
